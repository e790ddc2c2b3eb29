import Hummingbird
import MatchworkCore
import MatchworkStore

extension MatchworkService {
    struct EventSummary: Encodable {
        /// Events stored by this request.
        var inserted: Int
        /// Events ignored because their id was already stored.
        var duplicate: Int
    }

    func addEventRoutes(to api: RouterGroup<MatchworkRequestContext>) {
        // The durable ingestion path: the answer comes after the transaction has committed.
        api.group().add(middleware: RequireRole(role: .write)).post("events") { request, _ in
            try QueryFields.none(request)
            let body = try await JSONInput.read(request, limit: configuration.maxBodyBytes)
            guard let object = body as? [String: Any] else {
                throw APIError(.badRequest, code: "invalid_type", "The body must be a JSON object: one event, or {\"events\": [...]} for up to \(Self.maximumBatch).")
            }
            let events: [Interaction]
            if let items = try JSONInput.bulk(object, key: "events", limit: Self.maximumBatch) {
                events = try items.map { item throws in try RecordJSON.interaction(item.fields, path: item.path) }
            } else {
                events = [try RecordJSON.interaction(object)]
            }
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
                await committed(Array(subjects))
            }
            return try Reply.encode(
                EventSummary(inserted: written.interactionsInserted, duplicate: written.interactionsDuplicate),
                status: written.interactionsInserted > 0 ? .created : .ok)
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
