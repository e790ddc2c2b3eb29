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

    func validate() throws {
        if people == nil, opportunities == nil, interactions == nil {
            throw ValidationError("Nothing to import: pass at least one of --people, --opportunities, --interactions.")
        }
    }

    func run() async throws {
        try await reportingErrors {
            let terminal = Terminal(quiet: options.quiet)
            let store = try SQLiteStore(path: options.store)
            let importer = Importer(store: store)
            let started = monotonicSeconds()
            terminal.progress("reading files…")
            let plan = try await importer.plan(ImportSources(people: people, opportunities: opportunities, interactions: interactions))
            if !plan.rejected.isEmpty {
                if !skipInvalid {
                    terminal.endProgress()
                    Terminal.writeError(plan.rejectionReport() + "\n")
                    throw ExitCode.failure
                }
                try Exporter.writeRejects(plan.rejected, to: rejects)
            }
            let parsed = monotonicSeconds()
            let pause = ProcessInfo.processInfo.environment["MATCHWORK_FAULT_PAUSE_AFTER_EVENTS"].flatMap(Int.init)
            let counts = try await importer.commit(plan) { progress in
                terminal.progress("writing \(progress.phase.rawValue) \(grouped(progress.done))/\(grouped(progress.total))")
                if let pause, progress.phase == .interactions, progress.done >= pause {
                    // Fault injection for the crash-consistency test: stop inside the transaction.
                    Terminal.writeError("paused inside the import transaction\n")
                    while true { sleep(60) }
                }
            }
            terminal.endProgress()
            let finished = monotonicSeconds()
            terminal.say("Imported into \(options.store):")
            terminal.say("  people: \(grouped(counts.peopleInserted)) new, \(grouped(counts.peopleUpdated)) updated, \(grouped(counts.peopleUnchanged)) unchanged")
            terminal.say("  opportunities: \(grouped(counts.opportunitiesInserted)) new, \(grouped(counts.opportunitiesUpdated)) updated, \(grouped(counts.opportunitiesUnchanged)) unchanged")
            terminal.say("  events: \(grouped(counts.interactionsInserted)) new, \(grouped(counts.interactionsDuplicate)) already stored")
            if plan.createdFromRatings > 0 {
                terminal.say("  \(grouped(plan.createdFromRatings)) people and opportunities created from the ratings file's ids")
            }
            if !plan.rejected.isEmpty {
                terminal.say("  \(grouped(plan.rejected.count)) invalid rows skipped, written to \(rejects)")
            }
            let events = plan.batch.interactions.count
            let seconds = finished - started
            terminal.say(String(format: "  %.2f s (reading %.2f s, writing %.2f s)%@", seconds, parsed - started, finished - parsed,
                events > 0 ? String(format: ", %@ events/s", grouped(Int(Double(events) / max(seconds, 1e-9)))) : ""))
        }
    }
}
