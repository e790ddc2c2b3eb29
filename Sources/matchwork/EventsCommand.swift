import ArgumentParser
import Foundation
import MatchworkCore
import MatchworkStore

struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Correct the event log.",
        discussion: """
            The event log is append-only: an event recorded by mistake is withdrawn by appending \
            a retract event that names it. Snapshots, training, statistics and the service leave \
            both out; exports keep both. The same as DELETE /api/v1/events/{id} (admin role).
            """,
        subcommands: [Retract.self])

    struct Retract: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Withdraw an event recorded by mistake, by its event id.",
            discussion: """
                Only events stored with an event_id can be named. Retracting an event twice \
                changes nothing. To restore a retracted event, record it again with a new event_id.
                """)

        @OptionGroup var options: StoreOptions

        @Argument(help: ArgumentHelp("The event_id of the event to withdraw.", valueName: "ID"))
        var id: String

        func run() async throws {
            try await reportingErrors {
                let id = try ExternalIdentifier.validate(id, field: "ID")
                let store = try options.openExisting()
                switch try await store.retract(eventID: id, at: .now) {
                case .notFound:
                    throw MatchworkError(
                        .unknownIdentifier,
                        "No event '\(id)' in '\(options.store)'; name an event by the event_id it was recorded with (`matchwork export` lists them). Events recorded without an event_id cannot be retracted one by one.",
                        field: "ID")
                case .isRetraction:
                    throw MatchworkError(.invalidValue, "Event '\(id)' is itself a retraction; to restore the event it withdrew, record that event again with a new event_id.", field: "ID")
                case .alreadyRetracted(let event, let time):
                    print("Event '\(id)' (\(event.type.rawValue), \(event.person) on \(event.opportunity), \(event.timestamp)) was already retracted at \(time); nothing changed.")
                case .retracted(let event, let retraction):
                    print("Retracted event '\(id)' (\(event.type.rawValue), \(event.person) on \(event.opportunity), \(event.timestamp)) at \(retraction.timestamp).")
                }
            }
        }
    }
}
