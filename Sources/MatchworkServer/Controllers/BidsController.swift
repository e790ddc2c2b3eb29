import Foundation
import Hummingbird
import MatchworkCore
import MatchworkStore
import NIOPosix

/// `/bids/suggest`, `/bids/suggestions` and `/bids/calibration`: what a worker should bid on an
/// opportunity (``RecommendationEngine/adviseBid(_:)``), each suggestion kept as a record, and
/// how the suggestions fared once bids and hires followed (their fate, read from the event log
/// as the serving engine has it).
struct BidsController: Sendable {
    let store: any ServiceStore
    let host: EngineHost
    let pool: NIOThreadPool
    let maxBodyBytes: Int
    let freshWait: Duration

    /// Suggestions read for one calibration summary, at most.
    static let calibrationLimit = 100_000

    struct SuggestResponse: Encodable {
        /// The record's id, `nil` when the request asked not to record it.
        var suggestionId: String?
        var personId: PersonID
        var opportunityId: OpportunityID
        var suggestion: BidSuggestion?
        var best: BidOutlook?
        var outlooks: [BidOutlook]
        var inputs: BidInputs
        var answeredBy: [String]
        var fallbacks: [Fallback]
        var modelVersion: String?
        var notice: String?
        var stale: Bool
    }

    struct CalibrationResponse: Encodable {
        var calibration: BidCalibration
        /// Whether more suggestions exist than were read (``calibrationLimit``).
        var truncated: Bool
    }

    func addRoutes(to api: RouterGroup<MatchworkRequestContext>) {
        let reads = api.group().add(middleware: RequireRole(role: .read))
        reads.post("bids/suggest") { request, context in
            try QueryFields.none(request)
            var fields = try await JSONInput.object(request, limit: maxBodyBytes)
            let person = try PersonID.validated(try fields.string("person_id", required: "name the worker who would bid"), field: "person_id")
            let opportunity = try OpportunityID.validated(try fields.string("opportunity_id", required: "name the opportunity to bid on"), field: "opportunity_id")
            var amounts: [Double] = []
            if let items = try fields.array("amounts") {
                guard items.count <= BidAdviceRequest.maxAmounts else {
                    throw APIError.unprocessable("amounts holds \(items.count) amounts; send at most \(BidAdviceRequest.maxAmounts).", field: "amounts")
                }
                for (i, item) in items.enumerated() {
                    guard let x = item.double, item.kind == .integer || item.kind == .number else {
                        throw APIError(.badRequest, code: "invalid_type", "amounts[\(i)] is \(JSONKind.describe(item.kind)), but it must be a number.", field: "amounts[\(i)]")
                    }
                    amounts.append(x)
                }
            }
            let record = try fields.bool("record") ?? true
            try fields.finish()
            let (state, _, stale) = try await host.current(for: .person(person.rawValue), patience: freshWait)
            let request = BidAdviceRequest(person: person, opportunity: opportunity, amounts: amounts)
            let advice: BidAdvice
            do {
                advice = try await pool.runIfActive { () throws(MatchworkError) -> BidAdvice in try state.engine.adviseBid(request) }
            } catch let error as MatchworkError {
                throw APIError(error)
            }
            var id: String?
            if record {
                let made = BidSuggestionRecord.newID()
                try await store.recordBidSuggestion(BidSuggestionRecord(id: made, advice: advice, requestID: context.id, keyID: context.identity?.id, suggestedAt: .now))
                id = made
            }
            return try Reply.encode(
                SuggestResponse(
                    suggestionId: id, personId: advice.person, opportunityId: advice.opportunity, suggestion: advice.suggestion, best: advice.best,
                    outlooks: advice.outlooks, inputs: advice.inputs, answeredBy: advice.answeredBy, fallbacks: advice.fallbacks, modelVersion: advice.modelVersion,
                    notice: advice.notice, stale: stale),
                status: record ? .created : .ok)
        }
        reads.get("bids/suggestions") { request, _ in
            var query = try QueryFields(request)
            let page = try query.page()
            let (person, opportunity) = try Self.filters(&query)
            try query.finish()
            let found = try await store.bidSuggestions(page, opportunity: opportunity, person: person)
            let snapshot = try await snapshot(person: person, opportunity: opportunity)
            return Reply.page(Page(items: found.items.map { $0.withFate(in: snapshot) }, next: found.next)) { Reply.write($0, into: &$1) }
        }
        reads.get("bids/calibration") { request, _ in
            var query = try QueryFields(request)
            let (person, opportunity) = try Self.filters(&query)
            try query.finish()
            let snapshot = try await snapshot(person: person, opportunity: opportunity)
            var fates: [BidFate] = []
            var after: Int64?
            repeat {
                let found = try await store.bidSuggestions(PageRequest(limit: PageRequest.maximumLimit, after: after), opportunity: opportunity, person: person)
                fates += found.items.compactMap { $0.withFate(in: snapshot).fate }
                after = found.next
            } while after != nil && fates.count < Self.calibrationLimit
            return try Reply.encode(CalibrationResponse(calibration: BidCalibration(fates: fates), truncated: after != nil))
        }
    }

    /// The serving engine's marketplace, including the filtered person's (or opportunity's)
    /// own writes within `fresh_wait`, so that a bid just posted shows in the fate.
    func snapshot(person: PersonID?, opportunity: OpportunityID?) async throws -> MarketplaceSnapshot {
        let subject = person.map { SubjectKey.person($0.rawValue) } ?? opportunity.map { SubjectKey.opportunity($0.rawValue) }
        return try await host.current(for: subject, patience: freshWait).state.engine.snapshot
    }

    static func filters(_ query: inout QueryFields) throws -> (PersonID?, OpportunityID?) {
        let person = try query.string("person_id").map { (p) throws(MatchworkError) in try PersonID.validated(p, field: "person_id") }
        let opportunity = try query.string("opportunity_id").map { (o) throws(MatchworkError) in try OpportunityID.validated(o, field: "opportunity_id") }
        return (person, opportunity)
    }
}
