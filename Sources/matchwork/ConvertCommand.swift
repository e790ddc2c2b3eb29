import ArgumentParser
import Foundation
import MatchworkCore
import MatchworkStore

struct ConvertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Turn a shipped open data set or a store's events into an interaction file (user,item,rating,timestamp) or a forecast file.",
        discussion: """
            oulad: learners × course presentations from ../shared/data/oulad, rated by the final \
            result (Distinction 5, Pass 4, Fail 2, Withdrawn 1: --positive-threshold 4 keeps passes). \
            stackexchange: answerers × the tags of the questions they answered, from \
            ../shared/data/stackexchange_beer, rated by the number of answers. The data set's \
            ATTRIBUTION.md is written beside the output as <out>.ATTRIBUTION.md.
            store: the events of a store (--store), one row per person and opportunity \
            (--item opportunity) or person and client (--item client); --signal positive counts \
            hires, completions, enrolments and passes, --signal rating averages reviews (0-10).
            labour: the BLS series of ../shared/data/labour_demand_ts as a forecast file \
            (series_id,date,value): --series ces (148 monthly employment series by industry, the \
            default), jolts (monthly job openings) or cps (annual employment).
            """)

    @Argument(help: "oulad, stackexchange, store or labour.")
    var dataset: String

    @Option(help: ArgumentHelp("The data set's directory (default: ../shared/data/<dataset>).", valueName: "DIR"))
    var data: String?

    @Option(help: ArgumentHelp("With store: the embedded store file.", valueName: "PATH"))
    var store = "./matchwork.sqlite"

    @Option(help: ArgumentHelp("With store: positive or rating.", valueName: "SIGNAL"))
    var signal = "positive"

    @Option(help: ArgumentHelp("With store: opportunity or client.", valueName: "KEY"))
    var item = "opportunity"

    @Option(help: ArgumentHelp("With labour: ces, jolts or cps.", valueName: "SERIES"))
    var series = "ces"

    @Option(help: ArgumentHelp("The file to write.", valueName: "FILE"))
    var out: String

    func run() async throws {
        try await reportingErrors {
            if dataset == "store" { return try await convertStore() }
            if dataset == "labour" { return try convertLabour() }
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
                throw MatchworkError(.invalidValue, "dataset '\(dataset)' is not one Matchwork converts; use oulad, stackexchange, store or labour.", field: "dataset")
            }
            try RatingFile.write(table, rows: Array(0..<table.count), to: out)
            try PublicDatasets.keepAttribution(from: directory, beside: out)
            print("\(out): \(grouped(table.count)) interactions of \(grouped(table.userIDs.count)) users and \(grouped(table.itemIDs.count)) items (attribution in \(out).ATTRIBUTION.md)")
        }
    }

    func convertLabour() throws {
        guard let which = PublicDatasets.LabourSeries(rawValue: series) else {
            throw MatchworkError(.invalidValue, "--series '\(series)' is not one of the labour files; use ces, jolts or cps.", field: "--series")
        }
        let directory = data ?? "../shared/data/labour_demand_ts"
        let panel = try PublicDatasets.labour(directory: directory, series: which)
        try ForecastFile.write(panel, to: out)
        try PublicDatasets.keepAttribution(from: directory, beside: out)
        let points = panel.reduce(0) { $0 + $1.values.count }
        print("\(out): \(grouped(panel.count)) series, \(grouped(points)) points (forecast with --season \(which.period); attribution in \(out).ATTRIBUTION.md)")
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
        // Only what the scenario recommends: a learner's hires on job postings are not course outcomes.
        let kinds = ScenarioFeatures.forScenario(try await opened.scenario()).recommendedKinds
        let table = try RatingTable.fromInteractions(
            Interaction.standing(try await opened.interactions()), opportunities: try await opened.opportunities(), signal: signal, item: key, kinds: kinds)
        try RatingFile.write(table, rows: Array(0..<table.count), to: out)
        print("\(out): \(grouped(table.count)) interactions of \(grouped(table.userIDs.count)) people and \(grouped(table.itemIDs.count)) \(key == .client ? "clients" : "opportunities")")
    }
}
