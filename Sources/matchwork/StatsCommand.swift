import ArgumentParser
import Foundation
import MatchworkCore
import MatchworkStore
import MatchworkSynth

struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Print counts by type, sparsity and a per-scenario summary of the store.")

    @OptionGroup var options: StoreOptions

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() async throws {
        try await reportingErrors {
            let store = try options.openForReading()
            let scenario = try await store.scenario()
            var segments: [PersonID: String] = [:]
            if let scenario, let document = try await store.groundTruth(for: scenario),
                let truth = try? JSONDecoder().decode(GroundTruth.self, from: Data(document.utf8))
            {
                segments = truth.segments
            }
            let stats = MarketplaceStatistics(
                scenario: scenario, people: try await store.people(), opportunities: try await store.opportunities(),
                interactions: Interaction.standing(try await store.interactions()), segments: segments)
            if json {
                let encoder = CLIJSON.encoder()
                print(String(decoding: try encoder.encode(stats), as: UTF8.self))
                return
            }
            print(Self.render(stats, path: options.store, fileBytes: Self.fileSize(options.store)))
        }
    }

    static func fileSize(_ path: String) -> Int {
        let sizes = [path, path + "-wal"].compactMap { try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int }
        return sizes.reduce(0, +)
    }

    static func render(_ s: MarketplaceStatistics, path: String, fileBytes: Int) -> String {
        var lines: [String] = []
        lines.append("Store \(path) (\(String(format: "%.1f", Double(fileBytes) / 1_048_576)) MiB)" + (s.scenario.map { ", scenario \($0.rawValue)" } ?? ""))
        func table(_ title: String, _ values: [String: Int]) {
            lines.append("\(title): \(grouped(values.values.reduce(0, +)))")
            for key in values.keys.sorted() { lines.append("  \(key.padding(toLength: 14, withPad: " ", startingAt: 0)) \(grouped(values[key]!))") }
        }
        table("People", s.peopleByRole)
        table("Opportunities", s.opportunitiesByKind)
        lines.append("  by status: " + s.opportunitiesByStatus.keys.sorted().map { "\($0) \(grouped(s.opportunitiesByStatus[$0]!))" }.joined(separator: ", "))
        table("Events", s.eventsByType)
        lines.append("Interacting pairs: \(grouped(s.interactingPairs)), sparsity \(String(format: "%.4f%%", s.sparsity * 100))")
        if let mean = s.meanRating { lines.append("Mean rating: \(String(format: "%.2f", mean)) / 10") }
        if !s.summary.isEmpty {
            lines.append("Summary:")
            let width = s.summary.map(\.name.count).max() ?? 0
            for f in s.summary {
                let value: String = switch f.kind {
                case "share": String(format: "%.1f%%", f.value * 100)
                case "count": grouped(Int(f.value))
                default: String(format: "%.2f", f.value)
                }
                lines.append("  \(f.name.padding(toLength: width, withPad: " ", startingAt: 0)) \(value)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
