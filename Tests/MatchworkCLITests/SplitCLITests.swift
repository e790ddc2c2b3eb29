import Foundation
import Testing

@Suite("matchwork split")
struct SplitCLITests {
    @Test("Writes the four files; reading them back gives the input's rows, split as the protocol says")
    func writesFourFiles() throws {
        let dir = Scratch()
        var text = "item,user,timestamp,rating\n"  // columns in any order
        for u in 0..<20 { for k in 0..<(u % 6 + 1) { text += "i\(k * 3 + u),u\(u),\(1_000 + k),\(1 + (u + k) % 5)\n" } }
        dir.write("in.csv", text)
        let result = try dir.cli.run(["split", "--input", "in.csv", "--method", "temporal", "--out", "out"])
        #expect(result.status == 0, "\(result.stderr)")
        var total = 0
        for name in ["train.csv", "test.csv"] {
            let lines = dir.read("out/" + name).split(separator: "\n")
            #expect(lines.first == "user,item,rating,timestamp")
            total += lines.count - 1
        }
        #expect(total == text.split(separator: "\n").count - 1)
        // u5 has 6 rows: its latest one (timestamp 1005, item i20) is its only test row.
        let test = dir.read("out/test.csv")
        #expect(test.contains("u5,i20,1,1005\n"))
        #expect(!test.contains("u5,i17,"))
        #expect(FileManager.default.fileExists(atPath: dir.file("out/val_train.csv")))
        #expect(FileManager.default.fileExists(atPath: dir.file("out/val_test.csv")))
    }

    @Test(arguments: [
        ("user,item,rating\nu,i,4\n", "error: in.csv, line 1: the header has no 'timestamp' column; the header must name user,item,rating,timestamp.\n"),
        ("user,item,rating,timestamp\nu,i,four,1\n", "error: in.csv, line 2: rating 'four' is not a number; write for example 4 or 3.5 (1 for an implicit event).\n"),
        ("user,item,rating,timestamp\nu,i,4,yesterday\n", "error: in.csv, line 2: timestamp 'yesterday' is not an integer number of Unix seconds; write for example 1700000000.\n"),
        ("user,item,rating,timestamp\nu,i,4,1\nv,i,3,2\nu,i,5,3\n", "error: in.csv, line 4: user 'u' and item 'i' were already paired on line 2; keep one row per (user, item) pair.\n"),
        ("user,item,rating,timestamp\nu,i,4\n", "error: in.csv, line 2: the row has 3 fields, the header 4; quote fields that contain commas.\n"),
    ])
    func badFilesAreNamed(text: String, message: String) throws {
        let dir = Scratch()
        dir.write("in.csv", text)
        let result = try dir.cli.run(["split", "--input", "in.csv", "--method", "random", "--out", "out"])
        #expect(result.status == 1)
        #expect(result.stderr == message)
        #expect(!FileManager.default.fileExists(atPath: dir.file("out/train.csv")))
    }

    @Test func unknownMethodIsRefused() throws {
        let dir = Scratch()
        dir.write("in.csv", "user,item,rating,timestamp\nu,i,4,1\n")
        let result = try dir.cli.run(["split", "--input", "in.csv", "--method", "leave_one_out", "--out", "out"])
        #expect(result.status == 1)
        #expect(result.stderr == "error: --method 'leave_one_out' is not a split method; use random or temporal.\n")
    }
}
