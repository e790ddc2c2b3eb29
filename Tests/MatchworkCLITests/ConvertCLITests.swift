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
        #expect(unknown.stderr == "error: dataset 'movielens' is not one Matchwork converts; use oulad or stackexchange.\n")
    }
}
