import Foundation
import Hummingbird
import MatchworkCore
import MatchworkStore

/// `/recommendations/{id}/outcome`, `/feedback` and the served lists: what became of what was served.
struct TrackingController: Sendable {
    let store: any ServiceStore
    let host: EngineHost
    let recorder: ServedListRecorder
    let metrics: ServiceMetrics
    let maxBodyBytes: Int
    let eventClock: EventClock
    let servedListRetention: Double

    /// Outcomes of a served item and the events they record.
    /// Outcomes whose value is the worker's bid when none is given.
    static let bidLinked: Set<String> = ["accepted", "hired", "completed"]

    /// The amount of `person`'s latest priced bid on `opportunity`, if they bid.
    static func latestBid(_ snapshot: MarketplaceSnapshot, person: PersonID, opportunity: OpportunityID) -> Double? {
        guard let p = try? snapshot.index(of: person), let o = try? snapshot.index(of: opportunity) else { return nil }
        // The snapshot keeps amounts as Float: back to cents.
        return snapshot.events(ofPerson: p).last { $0.other == o && $0.type == .bid && !$0.value.isNaN && $0.value > 0 }.map { (Double($0.value) * 100).rounded() / 100 }
    }

    static let outcomeEvents: [String: InteractionType] = [
        "viewed": .view, "applied": .apply, "bid_placed": .bid, "contacted": .shortlist, "accepted": .hire, "hired": .hire, "completed": .complete,
    ]

    struct OutcomeResponse: Encodable {
        var recorded: Bool
        var eventId: String
        var outcome: OutcomeRecord
    }

    struct FeedbackResponse: Encodable {
        var recorded: Bool
        var eventId: String
        var feedback: FeedbackRecord
    }

    struct ServedListDetail: Encodable {
        var list: ServedList
        var outcomes: [OutcomeRecord]
        var feedback: [FeedbackRecord]
    }

    func addRoutes(to api: RouterGroup<MatchworkRequestContext>) {
        let reads = api.group().add(middleware: RequireRole(role: .read))
        let writes = api.group().add(middleware: RequireRole(role: .write))

        writes.post("recommendations/:id/outcome") { request, context in
            try QueryFields.none(request)
            let listID = try context.pathParameter("id")
            var fields = try await JSONInput.object(request, limit: maxBodyBytes)
            let itemID = try fields.string("item_id", required: "name the recommended item (an id from the list's items)")
            let outcome = try fields.string("outcome", required: "give one of \(Self.outcomeEvents.keys.sorted().joined(separator: ", "))")
            let given = try fields.number("value", in: 0...1e12)
            let time = try timestamp(&fields)
            let eventID = try fields.string("event_id")
            try fields.finish()
            guard let type = Self.outcomeEvents[outcome] else {
                throw APIError.unprocessable("outcome '\(outcome)' is not an outcome; use one of \(Self.outcomeEvents.keys.sorted().joined(separator: ", ")).", field: "outcome")
            }
            let list = try await servedList(listID)
            guard let item = list.items.first(where: { $0.id == itemID }) else {
                throw APIError.unprocessable(
                    "item_id '\(itemID)' is not in recommendation \(listID), which listed \(list.items.prefix(5).map(\.id).joined(separator: ", "))\(list.items.count > 5 ? "…" : "").",
                    field: "item_id")
            }
            let (person, opportunity) = Self.pair(list.subject, item: item.id)
            let id = eventID ?? "outcome-\(listID)-\(item.id)-\(outcome)"
            // A hire or completion without a value is linked to the worker's bid on the
            // opportunity, when they bid: its amount becomes the outcome's value.
            var value = given
            if value == nil, Self.bidLinked.contains(outcome), let state = try? await host.current(for: nil, patience: .zero).state {
                value = Self.latestBid(state.engine.snapshot, person: person, opportunity: opportunity)
            }
            let event: Interaction
            do {
                event = try Interaction(eventID: id, person: person, opportunity: opportunity, type: type, timestamp: time, value: value)
            } catch let error as MatchworkError {
                // The body matched the schema: what the event refuses (a bid without an amount) is 422.
                throw APIError(.unprocessableContent, code: error.code.description, error.message, field: error.field)
            }
            let record = OutcomeRecord(eventID: id, recommendationID: listID, itemID: item.id, rank: item.rank, outcome: outcome, value: value, timestamp: time)
            let recorded: Bool
            do { recorded = try await store.recordOutcome(record, event: event) } catch let error as StoreError { throw APIError(error) }
            if recorded {
                metrics.eventsIngested.increment()
                await host.noteWrite([.person(person.rawValue), .opportunity(opportunity.rawValue)])
            }
            return try Reply.encode(OutcomeResponse(recorded: recorded, eventId: id, outcome: record), status: recorded ? .created : .ok)
        }
        writes.post("feedback") { request, _ in
            try QueryFields.none(request)
            var fields = try await JSONInput.object(request, limit: maxBodyBytes)
            let person = try PersonID.validated(try fields.string("person_id", required: "name the person the feedback is about"), field: "person_id")
            let opportunity = try OpportunityID.validated(try fields.string("opportunity_id", required: "name the opportunity the feedback is about"), field: "opportunity_id")
            let reason = try FeedbackReason.parse(try fields.string("reason", required: "give one of \(FeedbackReason.allCases.map(\.rawValue).joined(separator: ", "))"))
            let comment = try fields.string("comment")
            let listID = try fields.string("recommendation_id")
            let time = try timestamp(&fields)
            let eventID = try fields.string("event_id")
            try fields.finish()
            if let listID { _ = try await servedList(listID, field: "recommendation_id") }
            let id = eventID ?? "feedback-" + UUID().uuidString.lowercased()
            let event: Interaction
            do {
                event = try Interaction(eventID: id, person: person, opportunity: opportunity, type: .feedback, timestamp: time, reason: reason, comment: comment)
            } catch let error as MatchworkError { throw APIError(error) }
            let record = FeedbackRecord(eventID: id, recommendationID: listID, person: person, opportunity: opportunity, reason: reason, comment: comment, timestamp: time)
            let recorded: Bool
            do { recorded = try await store.recordFeedback(record, event: event) } catch let error as StoreError { throw APIError(error) }
            if recorded {
                metrics.eventsIngested.increment()
                await host.noteWrite([.person(person.rawValue), .opportunity(opportunity.rawValue)])
            }
            return try Reply.encode(FeedbackResponse(recorded: recorded, eventId: id, feedback: record), status: recorded ? .created : .ok)
        }
        reads.get("recommendations") { request, _ in
            var query = try QueryFields(request)
            let page = try query.page()
            let person = try query.string("person_id").map { (p) throws(MatchworkError) in try PersonID.validated(p, field: "person_id") }
            let opportunity = try query.string("opportunity_id").map { (o) throws(MatchworkError) in try OpportunityID.validated(o, field: "opportunity_id") }
            try query.finish()
            // The filters combine: a list has one subject, so both together match nothing.
            if person != nil, opportunity != nil { return Reply.page(Page<ServedList>(items: [], next: nil)) { Reply.write($0, into: &$1) } }
            let subject = person.map(RecommendationSubject.person) ?? opportunity.map(RecommendationSubject.opportunity)
            await recorder.flush()
            return Reply.page(try await store.servedLists(page, subject: subject)) { Reply.write($0, into: &$1) }
        }
        reads.get("recommendations/:id") { request, context in
            try QueryFields.none(request)
            let id = try context.pathParameter("id")
            let list = try await servedList(id)
            let outcomes = try await store.outcomes(PageRequest(limit: PageRequest.maximumLimit), recommendation: id).items
            let feedback = try await store.feedback(PageRequest(limit: PageRequest.maximumLimit), recommendation: id).items
            return try Reply.encode(ServedListDetail(list: list, outcomes: outcomes, feedback: feedback))
        }
        reads.get("outcomes") { request, _ in
            var query = try QueryFields(request)
            let page = try query.page()
            let recommendation = try query.string("recommendation_id").map { (id) throws(MatchworkError) in try ExternalIdentifier.validate(id, field: "recommendation_id") }
            try query.finish()
            return Reply.page(try await store.outcomes(page, recommendation: recommendation)) { Reply.write($0, into: &$1) }
        }
        reads.get("feedback") { request, _ in
            var query = try QueryFields(request)
            let page = try query.page()
            let recommendation = try query.string("recommendation_id").map { (id) throws(MatchworkError) in try ExternalIdentifier.validate(id, field: "recommendation_id") }
            try query.finish()
            return Reply.page(try await store.feedback(page, recommendation: recommendation)) { Reply.write($0, into: &$1) }
        }
    }

    /// A served list, writing waiting lists first so that one just served is found.
    ///
    /// Lists are written by group commit within a fraction of a second of being answered: one
    /// answered in the last moments before the process was killed (`kill -9`, a crash) may never
    /// have been stored, and the message says so.
    func servedList(_ id: String, field: String = "id") async throws -> ServedList {
        if let list = try await store.servedList(id: id) { return list }
        await recorder.flush()
        if let list = try await store.servedList(id: id) { return list }
        if await recorder.isWaiting(id) {
            var error = APIError(
                .serviceUnavailable, code: "store_write_failing",
                "Recommendation '\(id)' was served but cannot be stored yet (\(await recorder.writeFailure ?? "the store's writes fail")); retry once the store accepts writes again.",
                field: field)
            error.headers[.retryAfter] = "30"
            throw error
        }
        let retention = servedListRetention > 0 ? "; lists are kept \(ServedListRetention.describe(servedListRetention)) (served_list_retention) unless an outcome or feedback refers to them" : ""
        throw APIError.notFound(
            "No recommendation '\(id)' is stored; use the recommendation_id of a list the service returned (a list answered just before the service was killed may not have been stored\(retention)).",
            field: field)
    }

    /// `timestamp` (an ISO 8601 date or time, or seconds since 1970), else now; a time further
    /// ahead of the clock than `max_event_skew` is refused.
    func timestamp(_ fields: inout JSONFields) throws -> Timestamp {
        guard let time = try fields.timestamp("timestamp") else { return .now }
        do { try eventClock.check(time, field: "timestamp") } catch { throw APIError(error) }
        return time
    }

    /// The person and opportunity of an item of a list served about `subject`.
    static func pair(_ subject: RecommendationSubject, item: String) -> (PersonID, OpportunityID) {
        switch subject {
        case .person(let person): (person, OpportunityID(item))
        case .opportunity(let opportunity): (PersonID(item), opportunity)
        }
    }
}
