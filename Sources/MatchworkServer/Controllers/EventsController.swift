import Hummingbird
import MatchworkCore
import MatchworkStore

/// `/events`: the durable ingestion path, retractions and the event log.
struct EventsController: Sendable {
    let store: any ServiceStore
    let host: EngineHost
    let metrics: ServiceMetrics
    let maxBodyBytes: Int
    let eventClock: EventClock
    let retractor: EventRetractor

    struct EventSummary: Encodable {
        /// Events stored by this request.
        var inserted: Int
        /// Events ignored because their id was already stored.
        var duplicate: Int
    }

    /// `{"retracted": EVENT, "retracted_at": TIME, "appended": BOOL}`: the event withdrawn, when
    /// the retraction was recorded, and false when it had been retracted before.
    static func retractionReply(_ event: Interaction, at time: Timestamp, appended: Bool) -> Response {
        Reply.json { out in
            out.append(contentsOf: #"{"retracted":"#.utf8)
            RecordJSON.write(event, into: &out)
            out.append(contentsOf: #","retracted_at":"#.utf8)
            RecordJSON.writeString(time.iso8601, into: &out)
            out.append(contentsOf: #","appended":"#.utf8)
            out.append(contentsOf: (appended ? "true" : "false").utf8)
            out.append(UInt8(ascii: "}"))
        }
    }

    func addRoutes(to api: RouterGroup<MatchworkRequestContext>) {
        // The durable ingestion path: the answer comes after the transaction has committed.
        api.group().add(middleware: RequireRole(role: .write)).post("events") { request, _ in
            try QueryFields.none(request)
            let body = try await JSONInput.read(request, limit: maxBodyBytes)
            guard let object = body.members else {
                throw APIError(.badRequest, code: "invalid_type", "The body must be a JSON object: one event, or {\"events\": [...]} for up to \(CatalogueController.maximumBatch).")
            }
            let checked: [(event: Interaction, path: String?)]
            if let items = try JSONInput.bulk(object, key: "events", limit: CatalogueController.maximumBatch) {
                checked = try items.map { item throws in (try RecordJSON.interaction(item.fields, path: item.path), item.path) }
            } else {
                checked = [(try RecordJSON.interaction(object), nil)]
            }
            let now = Timestamp.now
            for (event, path) in checked {
                do { try eventClock.check(event, now: now, field: path.map { "\($0).timestamp" } ?? "timestamp") } catch let error as MatchworkError { throw APIError(error) }
                if event.type == .retract {
                    throw APIError.unprocessable(
                        "\(path.map { "\($0): " } ?? "")retract events are appended by DELETE /api/v1/events/{event_id} (admin role), which checks the event exists; send that instead.",
                        field: path.map { "\($0).type" } ?? "type")
                }
            }
            let events = checked.map(\.event)
            let written: WriteCounts
            do { written = try await store.write(RecordBatch(interactions: events), progress: nil) } catch let error as StoreError { throw APIError(error, batch: "events") }
            metrics.eventsIngested.increment(by: Int64(written.interactionsInserted))
            metrics.eventsDuplicate.increment(by: Int64(written.interactionsDuplicate))
            if written.interactionsInserted > 0 {
                var subjects = Set<SubjectKey>()
                for event in events {
                    subjects.insert(.person(event.person.rawValue))
                    subjects.insert(.opportunity(event.opportunity.rawValue))
                }
                await host.noteWrite(Array(subjects))
            }
            return try Reply.encode(
                EventSummary(inserted: written.interactionsInserted, duplicate: written.interactionsDuplicate),
                status: written.interactionsInserted > 0 ? .created : .ok)
        }
        // A mistaken event is withdrawn by appending a retraction: the log stays append-only,
        // and snapshots and training leave both out.
        api.group().add(middleware: RequireRole(role: .admin)).delete("events/:id") { request, context in
            try QueryFields.none(request)
            let id = try ExternalIdentifier.validate(try context.pathParameter("id"), field: "id")
            let outcome: Retraction
            do throws(StoreError) { outcome = try await retractor.retract(id) } catch { throw APIError(error) }
            switch outcome {
            case .notFound:
                throw APIError.notFound(EventRetractor.notFound(id, listing: "GET /api/v1/events"), field: "id")
            case .isRetraction:
                throw APIError(.conflict, code: "is_retraction", EventRetractor.isRetraction(id), field: "id")
            case .alreadyRetracted(let event, let time):
                return Self.retractionReply(event, at: time, appended: false)
            case .retracted(let event, let retraction):
                return Self.retractionReply(event, at: retraction.timestamp, appended: true)
            }
        }
        api.group().add(middleware: RequireRole(role: .read)).get("events") { request, _ in
            var query = try QueryFields(request)
            let page = try query.page()
            let person = try query.string("person_id").map { (text) throws(MatchworkError) in try PersonID.validated(text, field: "person_id") }
            let opportunity = try query.string("opportunity_id").map { (text) throws(MatchworkError) in try OpportunityID.validated(text, field: "opportunity_id") }
            try query.finish()
            return Reply.page(try await store.interactions(page, person: person, opportunity: opportunity)) { RecordJSON.write($0, into: &$1) }
        }
    }
}

/// Withdrawing one event by its `event_id`, the same from the API and the dashboard: the store
/// appends the retraction, the engine hears of the write, and the ingestion counter counts it.
struct EventRetractor: Sendable {
    let store: any ServiceStore
    let host: EngineHost
    let metrics: ServiceMetrics

    func retract(_ eventID: String) async throws(StoreError) -> Retraction {
        let outcome = try await store.retract(eventID: eventID, at: .now)
        if case .retracted(let event, _) = outcome {
            metrics.eventsIngested.increment()
            await host.noteWrite([.person(event.person.rawValue), .opportunity(event.opportunity.rawValue)])
        }
        return outcome
    }

    /// Why no event was retracted when none has the id; `listing` names where the ids are listed.
    static func notFound(_ eventID: String, listing: String? = nil) -> String {
        "No event '\(eventID)'; name an event by the event_id it was sent with\(listing.map { " (\($0) lists them)" } ?? ""). "
            + "Events sent without an event_id cannot be retracted one by one."
    }

    /// Why a retraction itself is not retracted.
    static func isRetraction(_ eventID: String) -> String {
        "Event '\(eventID)' is itself a retraction; to restore the event it withdrew, send that event again with a new event_id."
    }
}
