import ArgumentParser
import Foundation
import MatchworkCore
import MatchworkStore

struct ConvertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Turn a shipped open data set or a store's events into an interaction file (user,item,rating,timestamp).",
        discussion: """
            oulad: learners × course presentations from ../shared/data/oulad, rated by the final \
            result (Distinction 5, Pass 4, Fail 2, Withdrawn 1: --positive-threshold 4 keeps passes). \
            stackexchange: answerers × the tags of the questions they answered, from \
            ../shared/data/stackexchange_beer, rated by the number of answers. The data set's \
            ATTRIBUTION.md is written beside the output as <out>.ATTRIBUTION.md.
            store: the events of a store (--store), one row per person and opportunity \
            (--item opportunity) or person and client (--item client); --signal positive counts \
            hires, completions, enrolments and passes, --signal rating averages reviews (0-10).
            """)

    @Argument(help: "oulad, stackexchange or store.")
    var dataset: String

    @Option(help: ArgumentHelp("The data set's directory (default: ../shared/data/<dataset>).", valueName: "DIR"))
    var data: String?

    @Option(help: ArgumentHelp("With store: the embedded store file.", valueName: "PATH"))
    var store = "./matchwork.sqlite"

    @Option(help: ArgumentHelp("With store: positive or rating.", valueName: "SIGNAL"))
    var signal = "positive"

    @Option(help: ArgumentHelp("With store: opportunity or client.", valueName: "KEY"))
    var item = "opportunity"

    @Option(help: ArgumentHelp("The interaction file to write.", valueName: "FILE"))
    var out: String

    func run() async throws {
        try await reportingErrors {
            if dataset == "store" { return try await convertStore() }
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
                throw MatchworkError(.invalidValue, "dataset '\(dataset)' is not one Matchwork converts; use oulad, stackexchange or store.", field: "dataset")
            }
            try RatingFile.write(table, rows: Array(0..<table.count), to: out)
            try PublicDatasets.keepAttribution(from: directory, beside: out)
            print("\(out): \(grouped(table.count)) interactions of \(grouped(table.userIDs.count)) users and \(grouped(table.itemIDs.count)) items (attribution in \(out).ATTRIBUTION.md)")
        }
    }

    func convertStore() async throws {
        guard let signal = RatingTable.Signal(rawValue: signal) else {
            throw MatchworkError(.invalidValue, "--signal '\(self.signal)' is not a signal; use positive or rating.", field: "--signal")
        }
        guard let key = RatingTable.ItemKey(rawValue: item) else {
            throw MatchworkError(.invalidValue, "--item '\(item)' is not an item key; use opportunity or client.", field: "--item")
        }
        guard FileManager.default.fileExists(atPath: store) else {
            throw StoreError(.notFound, "There is no store at '\(store)'; run `matchwork generate` first, or pass --store.")
        }
        let opened = try SQLiteStore(path: store)
        let table = try RatingTable.fromInteractions(Interaction.standing(try await opened.interactions()), opportunities: try await opened.opportunities(), signal: signal, item: key)
        try RatingFile.write(table, rows: Array(0..<table.count), to: out)
        print("\(out): \(grouped(table.count)) interactions of \(grouped(table.userIDs.count)) people and \(grouped(table.itemIDs.count)) \(key == .client ? "clients" : "opportunities")")
    }
}
