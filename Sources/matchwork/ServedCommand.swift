import ArgumentParser
import Foundation
import MatchworkCore
import MatchworkStore

struct ServedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "served",
        abstract: "Manage the lists the service served.",
        discussion: """
            Every list the service answers is stored, so that its outcomes and feedback can be \
            attributed to it. The service deletes lists older than served_list_retention (default \
            90 days) every hour; `served prune` does it by hand, keeping a copy.
            """,
        subcommands: [Prune.self])

    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete the served lists dated before a day, after writing them to a file.",
            discussion: """
                Lists that an outcome or feedback refers to are kept: they record what was hired \
                or reported from which list. The lists deleted are first written to --export, one \
                JSON object per line (as GET /api/v1/recommendations/{id} shows a list), and the \
                file is flushed to disk before anything is deleted; --discard deletes without a \
                copy. It is safe while the service runs: each batch of 5,000 is one transaction.
                """)

        @OptionGroup var options: StoreOptions

        @Option(help: ArgumentHelp("Delete the lists served before this day or time (2026-09-01, 2026-09-01T12:00:00Z).", valueName: "DATE"))
        var before: String

        @Option(help: ArgumentHelp("Write the lists to delete to this new file first (JSON Lines).", valueName: "FILE"))
        var export: String?

        @Flag(help: "Delete without writing a copy.")
        var discard = false

        func run() async throws {
            try await reportingErrors {
                let cutoff = try Timestamp.parse(before, field: "--before")
                guard cutoff <= Timestamp.now else {
                    throw MatchworkError(.invalidValue, "--before \(cutoff) is in the future; give a past day, such as \(Timestamp(secondsSinceEpoch: Timestamp.now.secondsSinceEpoch - 90 * 86_400).isoDate) to keep 90 days.", field: "--before")
                }
                guard (export != nil) != discard else {
                    throw MatchworkError(
                        .invalidValue,
                        export == nil ? "Give --export FILE to keep a copy of the lists deleted, or --discard to delete them without one." : "Give either --export FILE or --discard, not both.",
                        field: export == nil ? "--export" : "--discard")
                }
                let terminal = Terminal(quiet: options.quiet)
                let store = try options.openExisting()
                let counts = try await store.servedCounts(before: cutoff)
                guard counts.prunable > 0, let through = counts.through else {
                    terminal.say(
                        "No served list dated before \(cutoff) can be deleted (\(grouped(counts.referenced)) kept: outcomes or feedback refer to them)\(export.map { "; '\($0)' was not written" } ?? "").")
                    return
                }
                if let export {
                    let written = try await Self.write(store: store, before: cutoff, through: through, to: export, terminal: terminal)
                    terminal.say("Wrote \(lists(written)) to \(export).")
                }
                terminal.progress("deleting…")
                // Only the lists written to the file (or counted, with --discard): not one served meanwhile.
                let deleted = try await store.pruneAllServed(before: cutoff, through: through)
                terminal.endProgress()
                terminal.say(
                    "Deleted \(lists(deleted)) dated before \(cutoff); kept \(grouped(counts.referenced)) that outcomes or feedback refer to.")
            }
        }

        func lists(_ n: Int) -> String { "\(grouped(n)) served list\(n == 1 ? "" : "s")" }

        /// Writes every list a prune at `cutoff` through `through` deletes to `path` as JSON
        /// Lines, through a temporary file flushed to disk and renamed; returns how many.
        static func write(store: SQLiteStore, before cutoff: Timestamp, through: Int64, to path: String, terminal: Terminal) async throws -> Int {
            guard !FileManager.default.fileExists(atPath: path) else {
                throw MatchworkError(.invalidValue, "--export '\(path)' already exists; name a new file, so that no earlier copy is overwritten.", field: "--export")
            }
            let url = URL(fileURLWithPath: path)
            let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
            guard FileManager.default.createFile(atPath: temporary.path, contents: nil), let handle = try? FileHandle(forWritingTo: temporary) else {
                throw StoreError(.unreadableFile, "Cannot write '\(path)': check that its directory exists and is writable.")
            }
            var finished = false
            defer {
                try? handle.close()
                if !finished { try? FileManager.default.removeItem(at: temporary) }
            }
            var page = PageRequest(limit: 1000)
            var count = 0
            do {
                while true {
                    let lists = try await store.prunableServedLines(page, before: cutoff, through: through)
                    try handle.write(contentsOf: Array(lists.items.joined()))
                    count += lists.items.count
                    terminal.progress("writing \(grouped(count)) served lists…")
                    guard let next = lists.next else { break }
                    page.after = next
                }
                try handle.synchronize()
            } catch let error as StoreError {
                throw error
            } catch {
                throw StoreError(.unreadableFile, "Cannot write '\(path)': \(error.localizedDescription); nothing was deleted. Check that the disk is not full.")
            }
            guard rename(temporary.path, url.path) == 0 else {
                throw StoreError(.unreadableFile, "Cannot write '\(path)': \(String(cString: strerror(errno))); nothing was deleted.")
            }
            finished = true
            terminal.endProgress()
            return count
        }
    }
}
