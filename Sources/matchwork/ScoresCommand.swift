import ArgumentParser
import Foundation
import MatchworkCore
import MatchworkStore

struct ScoresCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scores",
        abstract: "Worker scores: the overall 0-100, its sub-scores and the rates behind them, kept in the store.",
        discussion: """
            update computes every worker's score from the marketplace as it stands (the rule-based \
            scorer's person-quality rules, blended by the rule weights) and replaces the stored \
            scores in one transaction; `matchwork serve` does the same after an engine build, at \
            most every five minutes, and GET /api/v1/people/ID/score returns the stored score.
            """,
        subcommands: [Update.self, Show.self, List.self])

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Compute every worker's score and store them; prints how many were updated and how many failed.")

        @OptionGroup var options: StoreOptions
        @OptionGroup var engineOptions: EngineOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            try await reportingErrors {
                let store = try options.openExisting()
                let snapshot = try await store.snapshot(now: nil)
                let engine = try RecommendationEngine(snapshot: snapshot, configuration: try engineOptions.configuration(scenario: snapshot.preset?.name))
                let outcome = try await ScoresCommand.update(store: store, engine: engine)
                if json {
                    struct Output: Encodable {
                        var updated: Int
                        var failed: Int
                        var failures: [String]
                        var computedAt: Timestamp
                    }
                    print(String(decoding: try CLIJSON.encoder().encode(Output(updated: outcome.updated, failed: outcome.failures.count, failures: outcome.failures, computedAt: snapshot.now)), as: UTF8.self))
                } else {
                    print("Updated \(outcome.updated) worker scores as of \(snapshot.now.iso8601); \(outcome.failures.count) failed.")
                    for failure in outcome.failures.prefix(10) { Terminal.writeError("  \(failure)\n") }
                }
            }
        }
    }

    /// Computes and stores every worker's score; a score that is not a finite 0-100 fails (named) and is not stored.
    static func update(store: any ServiceStore, engine: RecommendationEngine) async throws -> (updated: Int, failures: [String]) {
        var kept: [WorkerScore] = [], failures: [String] = []
        for score in engine.workerScores() {
            let values = [score.overall, score.quality, score.reliability, score.experience, score.bidding, score.activity]
            if values.allSatisfy({ $0.isFinite && (0...100).contains($0) }) {
                kept.append(score)
            } else {
                failures.append("\(score.person.rawValue): a sub-score is not a number from 0 to 100 (\(values.map { "\($0)" }.joined(separator: ", "))); check the person's events")
            }
        }
        return (try await store.replaceWorkerScores(kept), failures)
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a worker's stored score.")

        @OptionGroup var options: StoreOptions

        @Option(help: ArgumentHelp("The worker.", valueName: "ID"))
        var person: String

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            try await reportingErrors {
                let id = try PersonID.validated(person, field: "--person")
                guard let score = try await options.openForReading().workerScore(id) else {
                    throw MatchworkError(.unknownIdentifier, "no stored score for '\(person)'; run `matchwork scores update` (scores are kept for workers and learners, not clients).", field: "--person")
                }
                if json {
                    print(String(decoding: try CLIJSON.encoder().encode(score), as: UTF8.self))
                    return
                }
                print(ScoresCommand.render(score))
            }
        }
    }

    static func render(_ s: WorkerScore) -> String {
        func rate(_ x: Double?) -> String { x.map { String(format: "%.1f%%", $0 * 100) } ?? "-" }
        var lines = [String(format: "%@: %.1f of 100 (quality %.1f, reliability %.1f, experience %.1f, bidding %.1f, activity %.1f)", s.person.rawValue, s.overall, s.quality, s.reliability, s.experience, s.bidding, s.activity)]
        if !s.assumed.isEmpty { lines.append("  assumed from the population (no history yet): " + s.assumed.joined(separator: ", ")) }
        lines.append("  completion \(rate(s.completionRate)), on time \(rate(s.onTimeRate)), cancellations \(rate(s.cancellationRate)), win rate \(rate(s.winRate))")
        lines.append("  \(s.hires) hires, \(s.completions) completed, \(s.ratings) ratings" + (s.meanRating.map { String(format: " (mean %.2f)", $0) } ?? "")
            + (s.averageBid.map { String(format: ", average bid %.2f", $0) } ?? "") + "; \(s.hiresLast30Days) hires in the last 30 days, \(s.hiresLast90Days) in 90")
        if !s.specialisation.isEmpty { lines.append("  most often: " + s.specialisation.joined(separator: ", ")) }
        lines.append("  computed \(s.computedAt.iso8601)")
        return lines.joined(separator: "\n")
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the stored scores, highest first.")

        @OptionGroup var options: StoreOptions

        @Option(help: "How many.")
        var limit = 20

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            try await reportingErrors {
                guard (1...PageRequest.maximumLimit).contains(limit) else {
                    throw MatchworkError(.invalidValue, "--limit \(limit) must be between 1 and \(PageRequest.maximumLimit).", field: "--limit")
                }
                let page = try await options.openForReading().workerScores(PageRequest(limit: limit))
                if json {
                    struct Output: Encodable { var scores: [WorkerScore] }
                    print(String(decoding: try CLIJSON.encoder().encode(Output(scores: page.items)), as: UTF8.self))
                } else if page.items.isEmpty {
                    print("No stored scores; run `matchwork scores update`.")
                } else {
                    for s in page.items {
                        print(s.person.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0) + String(format: "%5.1f  quality %5.1f  reliability %5.1f  experience %5.1f  bidding %5.1f  activity %5.1f  %d hires", s.overall, s.quality, s.reliability, s.experience, s.bidding, s.activity, s.hires))
                    }
                }
            }
        }
    }
}
