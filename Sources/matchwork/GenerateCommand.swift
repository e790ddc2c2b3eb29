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
            O*NET). The same seed and size always give the same data, moved in time by whole \
            weeks so that its year of activity ends in the week up to --end (default: now); \
            weekdays and times of day, and so every figure, stay the same. The hidden ground \
            truth (tiers, latent preferences, outcomes) is kept in the store for evaluation.
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

    @Option(help: ArgumentHelp("When the marketplace's year ends: a date (2026-12-01) or ISO 8601 time (default: now).", valueName: "DATE"))
    var end: String?

    func run() async throws {
        try await reportingErrors {
            let terminal = Terminal(quiet: options.quiet)
            let scenario = try ScenarioName.parse(scenario, field: "scenario")
            let end = try end.map { (text) throws(MatchworkError) in try Timestamp.parse(text, field: "--end") } ?? .now
            // The learning postings begin two years before the year of activity, and
            // certifications expire up to three years after it: all of it stays in 1970-2099.
            guard end >= Timestamp(year: 1975, month: 1, day: 1), end < Timestamp(year: 2096, month: 1, day: 1) else {
                throw MatchworkError(.invalidValue, "--end \(end.isoDate) would date events outside 1970-2099; give a date from 1975-01-01 to 2095-12-31.", field: "--end")
            }
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
                .ending(before: end)
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
            if let first = marketplace.interactions.lazy.map(\.timestamp).min(), let last = marketplace.interactions.lazy.map(\.timestamp).max() {
                terminal.say("  events from \(first.isoDate) to \(last.isoDate)")
            }
            terminal.say(String(format: "  generation %.2f s, storing %.2f s", generated - started, finished - generated))
        }
    }

    private func onetDirectory() -> String {
        if let onet { return onet }
        if let data = ProcessInfo.processInfo.environment["MATCHWORK_DATA"] { return data + "/onet" }
        return "../shared/data/onet"
    }
}
