import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MatchworkCore
import MatchworkStore

/// Options every command that touches the store takes.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The embedded store file.", valueName: "PATH"))
    var store: String = "./matchwork.sqlite"

    @Flag(name: .long, help: "Print no progress and no summary; errors still go to stderr.")
    var quiet = false

    /// Opens a store that must already exist.
    func openExisting() throws -> SQLiteStore {
        guard FileManager.default.fileExists(atPath: store) else {
            throw StoreError(.notFound, "There is no store at '\(store)'; run `matchwork init` or `matchwork generate` first, or pass --store.")
        }
        return try SQLiteStore(path: store)
    }

    /// Opens a store that must already exist, for reading only: a command that only reads works
    /// on a read-only file.
    func openForReading() throws -> SQLiteStore {
        guard FileManager.default.fileExists(atPath: store) else {
            throw StoreError(.notFound, "There is no store at '\(store)'; run `matchwork init` or `matchwork generate` first, or pass --store.")
        }
        return try SQLiteStore(path: store, readOnly: true)
    }
}

/// Writes progress to stderr on a terminal, and nothing when stderr is not a terminal or
/// `--quiet` is given.
struct Terminal: Sendable {
    let showsProgress: Bool
    let quiet: Bool

    init(quiet: Bool) {
        self.quiet = quiet
        showsProgress = !quiet && isatty(2) == 1
    }

    func progress(_ text: String) {
        guard showsProgress else { return }
        Terminal.writeError("\r\u{1B}[2K" + text)
    }

    func endProgress() {
        guard showsProgress else { return }
        Terminal.writeError("\r\u{1B}[2K")
    }

    /// A line of the summary, on stdout, unless quiet.
    func say(_ text: String) {
        guard !quiet else { return }
        print(text)
    }

    static func writeError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// Runs a command body, turning Matchwork's errors into a message on stderr and exit status 1.
func reportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as StoreError {
        Terminal.writeError("error: \(error.message)\n")
        throw ExitCode.failure
    } catch let error as MatchworkError {
        Terminal.writeError("error: \(error.message)\n")
        throw ExitCode.failure
    }
}

/// Formats a count with thousands separators: 1234567 → 1,234,567.
func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return (n < 0 ? "-" : "") + out
}

/// Wall-clock seconds since an arbitrary origin.
func monotonicSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// The JSON that `--json` prints: snake_case keys, as the API and `evaluate` write them.
enum CLIJSON {
    /// `MATCHWORK_CLI_JSON_KEYS=camelCase` restores the camelCase keys of earlier releases
    /// (`answeredBy`, `suggestedBid`) for this release only, with a notice on stderr.
    static let environmentKey = "MATCHWORK_CLI_JSON_KEYS"

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        if ProcessInfo.processInfo.environment[environmentKey] == "camelCase" {
            Terminal.writeError("notice: \(environmentKey)=camelCase prints the camelCase keys of earlier releases; they go in the next release: read the snake_case keys (answered_by, suggested_bid) and unset it.\n")
        } else {
            encoder.keyEncodingStrategy = .convertToSnakeCase
        }
        return encoder
    }
}
