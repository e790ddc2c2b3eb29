import ArgumentParser
import Foundation
import MatchworkCore
import MatchworkStore

struct ConvertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Turn a shipped open data set into an interaction file (user,item,rating,timestamp).",
        discussion: """
            oulad: learners × course presentations from ../shared/data/oulad, rated by the final \
            result (Distinction 5, Pass 4, Fail 2, Withdrawn 1: --positive-threshold 4 keeps passes). \
            stackexchange: answerers × the tags of the questions they answered, from \
            ../shared/data/stackexchange_beer, rated by the number of answers. The data set's \
            ATTRIBUTION.md is written beside the output as <out>.ATTRIBUTION.md.
            """)

    @Argument(help: "oulad or stackexchange.")
    var dataset: String

    @Option(help: ArgumentHelp("The data set's directory (default: ../shared/data/<dataset>).", valueName: "DIR"))
    var data: String?

    @Option(help: ArgumentHelp("The interaction file to write.", valueName: "FILE"))
    var out: String

    func run() async throws {
        try await reportingErrors {
            let table: RatingTable
            let directory: String
            switch dataset {
            case "oulad":
                directory = data ?? "../shared/data/oulad"
                table = try PublicDatasets.oulad(directory: directory)
            case "stackexchange":
                directory = data ?? "../shared/data/stackexchange_beer"
                table = try PublicDatasets.stackExchange(posts: directory + "/Posts.xml")
            default:
                throw MatchworkError(.invalidValue, "dataset '\(dataset)' is not one Matchwork converts; use oulad or stackexchange.", field: "dataset")
            }
            try RatingFile.write(table, rows: Array(0..<table.count), to: out)
            try PublicDatasets.keepAttribution(from: directory, beside: out)
            print("\(out): \(grouped(table.count)) interactions of \(grouped(table.userIDs.count)) users and \(grouped(table.itemIDs.count)) items (attribution in \(out).ATTRIBUTION.md)")
        }
    }
}
