import ArgumentParser
import Foundation
import MatchworkCore
import MatchworkStore

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import people, opportunities and events from CSV or JSON Lines files.",
        discussion: """
            The import is atomic: when a row is invalid nothing is imported and the bad rows are \
            reported with their line, column, value and reason. With --skip-invalid the valid \
            rows are imported and the rejected ones written to --rejects. Importing the same \
            files again changes nothing: people and opportunities are upserted by id, events \
            deduplicated by event id. The events file may also be a plain \
            user,item,rating,timestamp file. Columns are listed in the README.
            """)

    @OptionGroup var options: StoreOptions

    @Option(help: ArgumentHelp("People file (.csv or .jsonl).", valueName: "FILE"))
    var people: String?

    @Option(help: ArgumentHelp("Opportunities file (.csv or .jsonl).", valueName: "FILE"))
    var opportunities: String?

    @Option(help: ArgumentHelp("Events file (.csv or .jsonl), or a user,item,rating,timestamp CSV.", valueName: "FILE"))
    var interactions: String?

    @Flag(help: "Import the valid rows and write the invalid ones to --rejects.")
    var skipInvalid = false

    @Option(help: ArgumentHelp("Where --skip-invalid writes rejected rows (CSV).", valueName: "FILE"))
    var rejects: String = "matchwork-rejects.csv"

    @Option(
        name: .customLong("max-event-skew"),
        help: ArgumentHelp("How far ahead of this machine's clock an event may be dated: seconds, or 30m, 12h, 2d (default 1d).", valueName: "DURATION"))
    var maxEventSkew: String?

    func validate() throws {
        if people == nil, opportunities == nil, interactions == nil {
            throw ValidationError("Nothing to import: pass at least one of --people, --opportunities, --interactions.")
        }
    }

    func run() async throws {
        try await reportingErrors {
            let terminal = Terminal(quiet: options.quiet)
            let store = try SQLiteStore(path: options.store)
            var clock = EventClock(setting: "--max-event-skew")
            if let maxEventSkew {
                guard let seconds = EventClock.skew(parsing: maxEventSkew) else {
                    throw MatchworkError(
                        .invalidValue, "--max-event-skew '\(maxEventSkew)' is not a duration; give seconds (86400) or 30m, 12h, 2d, up to 3650 days.", field: "--max-event-skew")
                }
                clock.maximumSkew = seconds
            }
            let importer = Importer(store: store, clock: clock)
            let started = monotonicSeconds()
            terminal.progress("reading files…")
            let pause = ProcessInfo.processInfo.environment["MATCHWORK_FAULT_PAUSE_AFTER_EVENTS"].flatMap(Int.init)
            let result = try await importer.run(
                ImportSources(people: people, opportunities: opportunities, interactions: interactions),
                invalidRows: skipInvalid ? .skip : .rejectImport
            ) { progress in
                terminal.progress("writing \(progress.phase.rawValue) \(grouped(progress.done))" + (progress.total.map { "/\(grouped($0))" } ?? ""))
                if let pause, progress.phase == .interactions, progress.done >= pause {
                    // Fault injection for the crash-consistency test: stop inside the transaction.
                    Terminal.writeError("paused inside the import transaction\n")
                    while true { sleep(60) }
                }
            }
            if !result.committed {
                terminal.endProgress()
                Terminal.writeError(result.rejectionReport() + "\n")
                throw ExitCode.failure
            }
            if !result.rejected.isEmpty { try Exporter.writeRejects(result.rejected, to: rejects) }
            let counts = result.counts
            terminal.endProgress()
            let finished = monotonicSeconds()
            terminal.say("Imported into \(options.store):")
            terminal.say("  people: \(grouped(counts.peopleInserted)) new, \(grouped(counts.peopleUpdated)) updated, \(grouped(counts.peopleUnchanged)) unchanged")
            terminal.say("  opportunities: \(grouped(counts.opportunitiesInserted)) new, \(grouped(counts.opportunitiesUpdated)) updated, \(grouped(counts.opportunitiesUnchanged)) unchanged")
            terminal.say("  events: \(grouped(counts.interactionsInserted)) new, \(grouped(counts.interactionsDuplicate)) already stored")
            if result.createdFromRatings > 0 {
                terminal.say("  \(grouped(result.createdFromRatings)) people and opportunities created from the ratings file's ids")
            }
            if !result.rejected.isEmpty {
                terminal.say("  \(grouped(result.rejected.count)) invalid rows skipped, written to \(rejects)")
            }
            // The rate counts the events written: an import whose events were all stored already
            // has none to report.
            let events = counts.interactionsInserted
            let seconds = finished - started
            terminal.say(String(format: "  %.2f s%@", seconds, events > 0 ? ", \(grouped(Int(Double(events) / max(seconds, 1e-9)))) events/s written" : ""))
        }
    }
}
