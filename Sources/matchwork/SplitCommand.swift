import ArgumentParser
import Foundation
import MatchworkCore
import MatchworkStore

struct SplitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split",
        abstract: "Split an interaction file into train, test and validation files (../shared/PROTOCOL.md).",
        discussion: """
            The input is CSV with the header user,item,rating,timestamp. random: shuffled with the \
            seed, the first 80% train (rating prediction). temporal: per user, the latest \
            max(1, floor(0.2 n)) rows by (timestamp, item) are test (top-N ranking). The same rule \
            applied to train alone gives val_train.csv and val_test.csv, for choosing \
            hyper-parameters. --positive-threshold keeps only rows rated at least that much, in \
            every file.
            """)

    @Option(help: ArgumentHelp("The interaction file.", valueName: "FILE"))
    var input: String

    @Option(help: "random or temporal.")
    var method: String

    @Option(name: .customLong("positive-threshold"), help: ArgumentHelp("Keep only rows with rating >= this, after splitting.", valueName: "RATING"))
    var positiveThreshold: Float?

    @Option(help: "Random seed (random split).")
    var seed: UInt64 = 42

    @Option(help: ArgumentHelp("The directory to write train.csv, test.csv, val_train.csv and val_test.csv into (created when missing).", valueName: "DIR"))
    var out: String

    @Flag(help: "Print nothing on success.")
    var quiet = false

    func run() async throws {
        try await reportingErrors {
            let method = try RatingSplit.Method.parse(method, field: "--method")
            if let positiveThreshold, !positiveThreshold.isFinite {
                throw MatchworkError(.invalidValue, "--positive-threshold \(positiveThreshold) must be a finite rating.", field: "--positive-threshold")
            }
            let table = try RatingFile.read(input)
            do {
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            } catch {
                throw StoreError(.unreadableFile, "Cannot create the directory '\(out)': \(error.localizedDescription).")
            }
            for (name, rows) in RatingSplit.files(table, method: method, positiveThreshold: positiveThreshold, seed: seed) {
                let path = (out as NSString).appendingPathComponent(name)
                try RatingFile.write(table, rows: rows, to: path)
                if !quiet { print("\(path): \(grouped(rows.count)) rows") }
            }
        }
    }
}
