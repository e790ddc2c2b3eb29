import Foundation
import Hummingbird
import MatchworkCore
import MatchworkStore

/// `/people` and `/opportunities`: the catalogue's records, one or many at a time.
struct CatalogueController: Sendable {
    let store: any ServiceStore
    let host: EngineHost
    let maxBodyBytes: Int

    /// At most this many records or events in one request.
    static let maximumBatch = 10_000

    struct WriteSummary: Encodable {
        var inserted: Int
        var updated: Int
        var unchanged: Int
    }

    func addRoutes(to api: RouterGroup<MatchworkRequestContext>) {
        let reads = api.group().add(middleware: RequireRole(role: .read))
        let writes = api.group().add(middleware: RequireRole(role: .write))

        // People
        writes.post("people") { request, _ in
            try QueryFields.none(request)
            return try await upsert(request, bulkKey: "people", decode: RecordJSON.person, batch: { RecordBatch(people: $0) }, subject: { .person($0.id.rawValue) }) {
                ($0.peopleInserted, $0.peopleUpdated, $0.peopleUnchanged)
            } write: { RecordJSON.write($0, into: &$1) }
        }
        reads.get("people/:id/score") { request, context in
            try QueryFields.none(request)
            let id = try PersonID.validated(try context.pathParameter("id"), field: "id")
            if let score = try await store.workerScore(id) { return try Reply.encode(score) }
            guard let person = try await store.person(id) else {
                throw APIError.notFound("no person has id '\(id.rawValue)'.", field: "id")
            }
            throw APIError.notFound(
                person.role == .client
                    ? "'\(id.rawValue)' is a client; scores are kept for workers and learners."
                    : "'\(id.rawValue)' has no stored score yet; the service stores scores after an engine build (at most every five minutes), or run `matchwork scores update`.",
                field: "id")
        }
        reads.get("scores") { request, _ in
            var query = try QueryFields(request)
            let page = try query.page()
            try query.finish()
            return Reply.page(try await store.workerScores(page)) { Reply.write($0, into: &$1) }
        }
        reads.get("people") { request, _ in
            var query = try QueryFields(request)
            let page = try query.page()
            let role = try query.string("role").map { (text) throws(MatchworkError) in try PersonRole.parse(text, field: "role") }
            try query.finish()
            return Reply.page(try await store.people(page, role: role)) { RecordJSON.write($0, into: &$1) }
        }
        addRecordRoutes(
            RecordRoutes(
                collection: "people", noun: "person", id: { try PersonID.validated($0, field: "id") }, fetch: { try await store.person($0) },
                object: RecordJSON.object, decode: RecordJSON.person, batch: { RecordBatch(people: [$0]) }, delete: { try await store.deletePerson($0) },
                subject: { .person($0.rawValue) }, write: { RecordJSON.write($0, into: &$1) }),
            reads: reads, writes: writes)

        // Opportunities
        writes.post("opportunities") { request, _ in
            try QueryFields.none(request)
            return try await upsert(
                request, bulkKey: "opportunities", decode: RecordJSON.opportunity, batch: { RecordBatch(opportunities: $0) }, subject: { .opportunity($0.id.rawValue) }
            ) {
                ($0.opportunitiesInserted, $0.opportunitiesUpdated, $0.opportunitiesUnchanged)
            } write: { RecordJSON.write($0, into: &$1) }
        }
        reads.get("opportunities") { request, _ in
            var query = try QueryFields(request)
            let page = try query.page()
            var filter = OpportunityFilter()
            filter.kind = try query.string("kind").map { (text) throws(MatchworkError) in try OpportunityKind.parse(text, field: "kind") }
            filter.status = try query.string("status").map { (text) throws(MatchworkError) in try OpportunityStatus.parse(text, field: "status") }
            filter.client = try query.string("client_id").map { (text) throws(MatchworkError) in try PersonID.validated(text, field: "client_id") }
            try query.finish()
            return Reply.page(try await store.opportunities(page, filter: filter)) { RecordJSON.write($0, into: &$1) }
        }
        addRecordRoutes(
            RecordRoutes(
                collection: "opportunities", noun: "opportunity", id: { try OpportunityID.validated($0, field: "id") },
                fetch: { try await store.opportunity($0) }, object: RecordJSON.object, decode: RecordJSON.opportunity,
                batch: { RecordBatch(opportunities: [$0]) }, delete: { try await store.deleteOpportunity($0) },
                subject: { .opportunity($0.rawValue) }, write: { RecordJSON.write($0, into: &$1) }),
            reads: reads, writes: writes)
    }

    /// What the routes of one kind of catalogue record need to know about it.
    struct RecordRoutes<Record: Sendable, ID: CustomStringConvertible & Sendable>: Sendable {
        /// The collection's path segment, `people`.
        let collection: String
        /// One record in a message, `person`.
        let noun: String
        let id: @Sendable (String) throws -> ID
        let fetch: @Sendable (ID) async throws -> Record?
        let object: @Sendable (Record) -> [String: JSONValue]
        let decode: @Sendable ([String: JSONValue], String?) throws -> Record
        let batch: @Sendable (Record) -> RecordBatch
        let delete: @Sendable (ID) async throws -> DeleteOutcome
        let subject: @Sendable (ID) -> SubjectKey
        let write: @Sendable (Record, inout [UInt8]) -> Void
    }

    /// `GET`, `PATCH` (a JSON merge patch, RFC 7396) and `DELETE` of `/<collection>/{id}`.
    private func addRecordRoutes<Record, ID>(
        _ kind: RecordRoutes<Record, ID>, reads: RouterGroup<MatchworkRequestContext>, writes: RouterGroup<MatchworkRequestContext>
    ) {
        let path = RouterPath("\(kind.collection)/:id")
        reads.get(path) { request, context in
            try QueryFields.none(request)
            let id = try kind.id(try context.pathParameter("id"))
            guard let record = try await kind.fetch(id) else {
                throw APIError.notFound("No \(kind.noun) '\(id)'; list \(kind.collection) with GET /api/v1/\(kind.collection).", field: "id")
            }
            return Reply.json { kind.write(record, &$0) }
        }
        writes.patch(path) { request, context in
            try QueryFields.none(request)
            let id = try kind.id(try context.pathParameter("id"))
            guard let record = try await kind.fetch(id) else {
                throw APIError.notFound("No \(kind.noun) '\(id)' to change; create it with POST /api/v1/\(kind.collection).", field: "id")
            }
            let merged = try Self.merge(try await JSONInput.read(request, limit: maxBodyBytes), into: kind.object(record), id: id.description)
            let updated = try kind.decode(merged, nil)
            _ = try await store.write(kind.batch(updated), progress: nil)
            await host.noteWrite([kind.subject(id)])
            return Reply.json { kind.write(updated, &$0) }
        }
        writes.delete(path) { request, context in
            try QueryFields.none(request)
            let id = try kind.id(try context.pathParameter("id"))
            try Self.check(try await kind.delete(id), what: "\(kind.noun) '\(id)'")
            await host.noteWrite([kind.subject(id)])
            return Response(status: .noContent)
        }
    }

    /// Creates or replaces one record (the body is the record: 201 when new, 200 otherwise, with
    /// the record) or many (`{"<bulkKey>": [...]}`, up to 10,000: 200 with counts). All or nothing.
    private func upsert<Record>(
        _ request: Request, bulkKey: String, decode: ([String: JSONValue], String?) throws -> Record, batch: ([Record]) -> RecordBatch,
        subject: (Record) -> SubjectKey, counts: (WriteCounts) -> (Int, Int, Int), write: (Record, inout [UInt8]) -> Void
    ) async throws -> Response {
        let body = try await JSONInput.read(request, limit: maxBodyBytes)
        guard let object = body.members else {
            throw APIError(.badRequest, code: "invalid_type", "The body must be a JSON object: one record, or {\"\(bulkKey)\": [...]} for many.")
        }
        if let items = try JSONInput.bulk(object, key: bulkKey, limit: Self.maximumBatch) {
            let records = try items.map { item throws in try decode(item.fields, item.path) }
            let written: WriteCounts
            do { written = try await store.write(batch(records), progress: nil) } catch { throw APIError(error, batch: bulkKey) }
            await host.noteWrite(records.map(subject))
            let (inserted, updated, unchanged) = counts(written)
            return try Reply.encode(WriteSummary(inserted: inserted, updated: updated, unchanged: unchanged))
        }
        let record = try decode(object, nil)
        let written: WriteCounts
        do { written = try await store.write(batch([record]), progress: nil) } catch { throw APIError(error) }
        await host.noteWrite([subject(record)])
        return Reply.json(status: counts(written).0 == 1 ? .created : .ok) { write(record, &$0) }
    }

    /// A JSON merge patch (RFC 7396) of a record: members replace, `null` removes; the id stays.
    static func merge(_ patch: JSONValue, into record: [String: JSONValue], id: String) throws -> [String: JSONValue] {
        guard let patch = patch.members else {
            throw APIError(.badRequest, code: "invalid_type", "The body must be a JSON object of the fields to change (null removes a field).")
        }
        var merged = record
        for (key, value) in patch {
            if key == "id" {
                guard case .string(let text) = value, text == id else {
                    throw APIError.unprocessable("id cannot change; it is '\(id)'. Create a new record instead.", field: "id")
                }
                continue
            }
            if case .null = value { merged[key] = nil } else { merged[key] = value }
        }
        return merged
    }

    static func check(_ outcome: DeleteOutcome, what: String) throws {
        switch outcome {
        case .deleted: return
        case .notFound: throw APIError.notFound("No \(what) to delete.", field: "id")
        case .referenced(let events, let opportunities):
            var parts: [String] = []
            if events > 0 { parts.append("\(events) event\(events == 1 ? "" : "s")") }
            if opportunities > 0 { parts.append("\(opportunities) opportunit\(opportunities == 1 ? "y" : "ies") as their client") }
            throw APIError(
                .conflict, code: "referenced",
                "The \(what) is kept: \(parts.joined(separator: " and ")) refer to it, and events are never deleted. Close an opportunity with PATCH {\"status\": \"closed\"} instead.")
        }
    }
}
