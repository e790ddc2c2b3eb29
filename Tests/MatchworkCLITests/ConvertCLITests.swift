import Foundation
import Testing

@Suite("matchwork convert")
struct ConvertCLITests {
    @Test("Converts the shipped data sets into interaction files, with their attribution")
    func convertsSharedData() throws {
        let dir = Scratch()
        let oulad = try dir.cli.run(["convert", "oulad", "--data", sharedData + "/oulad", "--out", "oulad.csv"])
        #expect(oulad.status == 0, "\(oulad.stderr)")
        #expect(oulad.stdout.contains("32,593 interactions of 28,785 users and 22 items"))
        #expect(dir.read("oulad.csv").hasPrefix("user,item,rating,timestamp\n11391,AAA-2013J,4,"))
        #expect(dir.read("oulad.csv.ATTRIBUTION.md").contains("Open University Learning Analytics Dataset"))

        let posts = try dir.cli.run(["convert", "stackexchange", "--data", sharedData + "/stackexchange_beer", "--out", "se.csv"])
        #expect(posts.status == 0, "\(posts.stderr)")
        #expect(posts.stdout.contains("2,424 interactions of 560 users and 155 items"))
        #expect(dir.read("se.csv.ATTRIBUTION.md").contains("CC BY-SA"))
        // The files feed split directly.
        #expect(try dir.cli.run(["split", "--input", "se.csv", "--method", "temporal", "--out", "s", "--quiet"]).status == 0)

        let unknown = try dir.cli.run(["convert", "movielens", "--out", "m.csv"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr == "error: dataset 'movielens' is not one Matchwork converts; use oulad, stackexchange, store or labour.\n")
    }

    @Test("Turns a store's events into interaction files: hires per client, reviews per job")
    func convertsStore() throws {
        let dir = Scratch()
        #expect(try dir.cli.run(["generate", "cleaning", "--size", "tiny", "--seed", "3", "--store", "c.sqlite", "--quiet"]).status == 0)
        let positive = try dir.cli.run(["convert", "store", "--store", "c.sqlite", "--item", "client", "--out", "hires.csv"])
        #expect(positive.status == 0, "\(positive.stderr)")
        #expect(positive.stdout.contains("clients"))
        let rows = dir.read("hires.csv").split(separator: "\n").dropFirst()
        #expect(rows.count > 20)
        // Counts of hires and completions: whole numbers, at least 1.
        #expect(rows.allSatisfy { Double($0.split(separator: ",")[2]).map { $0 >= 1 && $0 == $0.rounded() } ?? false })
        let reviews = try dir.cli.run(["convert", "store", "--store", "c.sqlite", "--signal", "rating", "--out", "reviews.csv"])
        #expect(reviews.status == 0, "\(reviews.stderr)")
        #expect(dir.read("reviews.csv").split(separator: "\n").dropFirst().allSatisfy { Double($0.split(separator: ",")[2]).map { (0...10).contains($0) } ?? false })
        #expect(try dir.cli.run(["split", "--input", "reviews.csv", "--method", "random", "--out", "r", "--quiet"]).status == 0)
        #expect(try dir.cli.run(["evaluate", "--train", "r/train.csv", "--test", "r/test.csv", "--task", "rating", "--model", "mf"]).status == 0)

        let bad = try dir.cli.run(["convert", "store", "--store", "c.sqlite", "--signal", "stars", "--out", "x.csv"])
        #expect(bad.status == 1)
        #expect(bad.stderr == "error: --signal 'stars' is not a signal; use positive or rating.\n")
        #expect(!dir.exists("x.csv"))
        let missing = try dir.cli.run(["convert", "store", "--store", "nowhere.sqlite", "--out", "x.csv"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("There is no store at 'nowhere.sqlite'"))
    }

    @Test("matchwork similar lists opportunities like an opportunity and people like a person")
    func similarCommand() throws {
        let dir = Scratch()
        #expect(try dir.cli.run(["generate", "missions", "--size", "tiny", "--seed", "3", "--store", "m.sqlite", "--quiet"]).status == 0)
        let result = try dir.cli.run(["similar", "--store", "m.sqlite", "--person", "clinician-1", "--count", "3"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("Clinicians like clinician-1:\n"))
        #expect(result.stdout.split(separator: "\n").count >= 4)
        let json = try dir.cli.run(["similar", "--store", "m.sqlite", "--person", "clinician-1", "--count", "3", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((object["items"] as? [Any])?.count == 3)
        let unknown = try dir.cli.run(["similar", "--store", "m.sqlite", "--opportunity", "nope"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr == "error: opportunity 'nope' is not in the marketplace; check the id, or import it first.\n")
    }
}
