import MatchworkCore
import Testing

@Suite("Protocol splits")
struct RatingSplitTests {
    /// `users` users with 1…10 rows each, timestamps deliberately out of file order.
    func table(users: Int = 30) throws -> RatingTable {
        var builder = RatingTable.Builder()
        var line = 2
        for u in 0..<users {
            let n = 1 + u % 10
            for k in 0..<n {
                try builder.append(user: "u\(u)", item: "i\((k * 7 + u) % 50)", rating: Float(1 + (u + k) % 5), timestamp: Int64(1_000 + (n - k) * 10), line: line)
                line += 1
            }
        }
        return builder.table
    }

    @Test("Temporal: each user's latest max(1, floor(0.2 n)) rows by (timestamp, item) are test")
    func temporal() throws {
        let table = try table()
        let (train, test) = RatingSplit.split(table, method: .temporal)
        #expect(Set(train).isDisjoint(with: test) && train.count + test.count == table.count)
        var rowsByUser: [Int32: [Int]] = [:]
        for r in 0..<table.count { rowsByUser[table.users[r], default: []].append(r) }
        for (_, rows) in rowsByUser {
            let held = rows.filter { test.contains($0) }
            #expect(held.count == max(1, rows.count / 5))
            let latestKept = rows.filter { !test.contains($0) }.map { (table.timestamps[$0], table.itemIDs[Int(table.items[$0])]) }.max { $0 < $1 }
            for r in held {
                if let kept = latestKept { #expect(kept < (table.timestamps[r], table.itemIDs[Int(table.items[r])])) }
            }
        }
    }

    @Test("Random: 80% train, the same rows for the same seed, other rows for another seed")
    func random() throws {
        let table = try table()
        let (train, test) = RatingSplit.split(table, method: .random, seed: 7)
        #expect(train.count == table.count * 8 / 10 && train.count + test.count == table.count)
        #expect(RatingSplit.split(table, method: .random, seed: 7).test == test)
        #expect(RatingSplit.split(table, method: .random, seed: 8).test != test)
    }

    @Test("Validation files come from train alone; the positive variant filters every file")
    func files() throws {
        let table = try table()
        let files = Dictionary(uniqueKeysWithValues: RatingSplit.files(table, method: .temporal).map { ($0.name, $0.rows) })
        let train = Set(files["train.csv"]!)
        #expect(Set(files["val_train.csv"]!).union(files["val_test.csv"]!) == train)
        #expect(train.isDisjoint(with: files["test.csv"]!))
        let positive = RatingSplit.files(table, method: .temporal, positiveThreshold: 4)
        #expect(positive.map(\.name).sorted() == files.keys.sorted())
        // The threshold keeps some rows of each file and drops others.
        #expect(positive.allSatisfy { !$0.rows.isEmpty && $0.rows.count < files[$0.name]!.count }, "\(positive.map { ($0.name, $0.rows.count) })")
        for (name, rows) in positive {
            #expect(rows.allSatisfy { table.ratings[$0] >= 4 }, "\(name)")
            #expect(Set(rows) == Set(files[name]!.filter { table.ratings[$0] >= 4 }), "\(name)")
        }
    }

    @Test("A repeated (user, item) pair is refused with both lines")
    func duplicates() throws {
        var builder = RatingTable.Builder()
        try builder.append(user: "a", item: "b", rating: 4, timestamp: 1, line: 2)
        do {
            try builder.append(user: "a", item: "b", rating: 5, timestamp: 2, line: 9)
            Issue.record("a duplicate pair was accepted")
        } catch {
            #expect(error.message == "line 9: user 'a' and item 'b' were already paired on line 2; keep one row per (user, item) pair.")
        }
    }
}
