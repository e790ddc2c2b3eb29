import ArgumentParser
import Foundation
import MatchworkCore
import MatchworkStore
import MatchworkSynth

struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate a synthetic marketplace into the store.",
        discussion: """
            Scenarios: missions (clinicians and hospital missions), cleaning (cleaners, \
            households, bids and reviews), learning (learners, courses and job postings from \
            O*NET). The same seed and size always give the same data. The hidden ground truth \
            (tiers, latent preferences, outcomes) is kept in the store for evaluation.
            """)

    @OptionGroup var options: StoreOptions

    @Argument(help: ArgumentHelp("missions, cleaning or learning.", valueName: "scenario"))
    var scenario: String

    @Option(help: "Random seed.")
    var seed: UInt64 = 42

    @Option(help: ArgumentHelp("tiny, small, default, large, or a scale factor such as 2.5.", valueName: "SIZE"))
    var size: String = "default"

    @Option(help: ArgumentHelp("The O*NET data directory (learning only). Default: $MATCHWORK_DATA/onet or ../shared/data/onet.", valueName: "DIR"))
    var onet: String?

    func run() async throws {
        try await reportingErrors {
            let terminal = Terminal(quiet: options.quiet)
            let scenario = try ScenarioName.parse(scenario, field: "scenario")
            let size = try MarketplaceSize.parse(size)
            let store = try SQLiteStore(path: options.store)
            let stamp = "\(scenario.rawValue) seed=\(seed) size=\(size)"
            let counts = try await store.counts()
            if counts.people + counts.opportunities + counts.interactions > 0 {
                if try await store.metadata("generated") == stamp {
                    terminal.say("The store at \(options.store) already holds \(stamp); nothing to do.")
                    return
                }
                throw StoreError(.scenarioMismatch, "The store at \(options.store) already holds data; generate into a new --store path, or delete the file first.")
            }
            let started = monotonicSeconds()
            terminal.progress("generating the \(scenario.rawValue) marketplace (\(size))…")
            let marketplace = try MarketplaceGenerator.generate(scenario, seed: seed, size: size, onetDirectory: scenario == .learning ? onetDirectory() : nil)
            let generated = monotonicSeconds()
            try await store.setScenario(scenario)
            let batch = RecordBatch(people: marketplace.people, opportunities: marketplace.opportunities, interactions: marketplace.interactions)
            let written = try await store.write(batch) { progress in
                terminal.progress("writing \(progress.phase.rawValue) \(grouped(progress.done))" + (progress.total.map { "/\(grouped($0))" } ?? ""))
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try await store.saveGroundTruth(String(decoding: try encoder.encode(marketplace.groundTruth), as: UTF8.self), for: scenario)
            if let attribution = marketplace.attribution { try await store.setMetadata("attribution", attribution) }
            try await store.setMetadata("generated", stamp)
            terminal.endProgress()
            let finished = monotonicSeconds()
            terminal.say("Generated \(stamp) into \(options.store):")
            terminal.say("  \(grouped(written.peopleInserted)) people, \(grouped(written.opportunitiesInserted)) opportunities, \(grouped(written.interactionsInserted)) events")
            terminal.say(String(format: "  generation %.2f s, storing %.2f s", generated - started, finished - generated))
        }
    }

    private func onetDirectory() -> String {
        if let onet { return onet }
        if let data = ProcessInfo.processInfo.environment["MATCHWORK_DATA"] { return data + "/onet" }
        return "../shared/data/onet"
    }
}
