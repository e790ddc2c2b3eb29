import Foundation
import Hummingbird
import MatchworkCore
import MatchworkStore

extension MatchworkService {
    /// At most this many subjects in one batch request.
    static let maximumBatchSubjects = 100

    struct RecommendationResponse: Encodable {
        var recommendationId: String
        var subject: RecommendationSubject
        var mode: String
        var answeredBy: [String]
        var modelVersion: String?
        var fallbacks: [Fallback]
        var candidates: Int
        var filtered: [String: Int]
        var notice: String?
        var cached: Bool
        var items: [Item]

        struct Item: Encodable {
            var rank: Int
            var id: String
            var title: String?
            var score: Double
            var breakdown: [ScorePart]
            var adjustment: Double
            var reasons: [String]?
            var assumptions: [String]?
            var suggestedBid: BidSuggestion?
        }
    }

    struct BatchResponse: Encodable {
        var results: [BatchResult]
    }

    struct BatchResult: Encodable {
        var status: Int
        var recommendation: RecommendationResponse?
        var error: BatchError?
    }

    struct BatchError: Encodable {
        var code: String
        var message: String
        var field: String?
    }

    struct SimilarResponse: Encodable {
        var subject: RecommendationSubject
        var items: [SimilarItem]
        var notice: String?
    }

    func addRecommendationRoutes(to api: RouterGroup<MatchworkRequestContext>) {
        let reads = api.group().add(middleware: RequireRole(role: .read))
        reads.post("recommendations/generate") { request, context in
            var fields = try await JSONInput.object(request, limit: configuration.maxBodyBytes)
            let parsed = try recommendationRequest(&fields, path: nil)
            try fields.finish()
            return try Reply.encode(try await generate(parsed, context: context))
        }
        reads.post("recommendations/batch") { request, context in
            var fields = try await JSONInput.object(request, limit: configuration.maxBodyBytes)
            guard let items = try fields.array("requests") else { throw fields.missing("requests", "send {\"requests\": [{\"person_id\": …}, …]}") }
            try fields.finish()
            guard !items.isEmpty, items.count <= Self.maximumBatchSubjects else {
                throw APIError.unprocessable("requests holds \(items.count) requests; send 1 to \(Self.maximumBatchSubjects) per call.", field: "requests")
            }
            var requests: [RecommendationRequest] = []
            for (i, item) in items.enumerated() {
                var itemFields = try JSONFields(item, path: "requests[\(i)]")
                requests.append(try recommendationRequest(&itemFields, path: "requests[\(i)]"))
                try itemFields.finish()
            }
            var results: [BatchResult] = []
            for (i, request) in requests.enumerated() {
                do {
                    results.append(BatchResult(status: 200, recommendation: try await generate(request, context: context)))
                } catch {
                    let api: APIError
                    switch error {
                    case let e as APIError: api = e
                    case let e as MatchworkError: api = APIError(e, prefix: "requests[\(i)]")
                    case let e as StoreError: api = APIError(e)
                    default: throw error
                    }
                    results.append(BatchResult(status: Int(api.status.code), error: BatchError(code: api.code, message: api.message, field: api.field)))
                }
            }
            return try Reply.encode(BatchResponse(results: results))
        }
        reads.get("opportunities/:id/similar") { request, context in
            let id = try OpportunityID.validated(try context.parameters.require("id"), field: "id")
            return try await similar(.opportunity(id), request: request)
        }
        reads.get("people/:id/similar") { request, context in
            let id = try PersonID.validated(try context.parameters.require("id"), field: "id")
            return try await similar(.person(id), request: request)
        }
    }

    /// Reads a recommendation request: exactly one of `person_id` and `opportunity_id`, then
    /// `count`, `mode`, `explain`, `pool` and `filters`.
    func recommendationRequest(_ fields: inout JSONFields, path: String?) throws -> RecommendationRequest {
        let person = try fields.string("person_id"), opportunity = try fields.string("opportunity_id")
        let subject: RecommendationSubject
        switch (person, opportunity) {
        case (let p?, nil): subject = .person(try PersonID.validated(p, field: fields.name("person_id")))
        case (nil, let o?): subject = .opportunity(try OpportunityID.validated(o, field: fields.name("opportunity_id")))
        case (nil, nil): throw fields.missing("person_id", "give person_id (opportunities for a person) or opportunity_id (people for an opportunity)")
        case (_?, _?):
            throw APIError.unprocessable("Give person_id or opportunity_id, not both.", field: fields.name("opportunity_id"))
        }
        let count = try fields.integer("count", in: 1...RecommendationRequest.maximumCount) ?? 10
        let mode = try fields.string("mode").map { (text) throws(MatchworkError) in try RecommendationMode.parse(text, field: fields.name("mode")) }
            ?? configuration.recommendationMode
        let explain = try fields.bool("explain") ?? false
        var pool = CandidatePool.everyone
        if let text = try fields.string("pool") {
            guard let value = CandidatePool(rawValue: text) else {
                throw APIError.unprocessable("pool '\(text)' is not a candidate pool; use everyone or applicants.", field: fields.name("pool"))
            }
            if value == .applicants, person != nil {
                throw APIError.unprocessable("pool applicants ranks an opportunity's applicants; use it with opportunity_id.", field: fields.name("pool"))
            }
            pool = value
        }
        var filters = RecommendationFilters()
        if var f = try fields.object("filters") {
            filters.maxDistanceKm = try f.number("max_distance", in: 0.001...20_040)
            if var facets = try f.object("facets") {
                for key in facets.object.keys.sorted() {
                    guard let values = try facets.strings(key) else { continue }
                    guard !values.isEmpty else {
                        throw APIError.unprocessable("\(facets.name(key)) lists no values; give at least one or drop the filter.", field: facets.name(key))
                    }
                    for value in values { try Token.validate(value, field: facets.name(key)) }
                    filters.facets[FacetName(key), default: []] += values
                }
            }
            let after = try f.string("starts_after").map { (t) throws(MatchworkError) in try Timestamp.parse(t, field: f.name("starts_after")) }
            let before = try f.string("starts_before").map { (t) throws(MatchworkError) in try Timestamp.parse(t, field: f.name("starts_before")) }
            if after != nil || before != nil {
                let low = after ?? Timestamp(secondsSinceEpoch: Int64.min / 2), high = before ?? Timestamp(secondsSinceEpoch: Int64.max / 2)
                guard low <= high else { throw APIError.unprocessable("starts_after \(low) is later than starts_before \(high); swap them.", field: f.name("starts_after")) }
                filters.startsBetween = low...high
            }
            let minPrice = try f.number("min_price", in: 0...1e12), maxPrice = try f.number("max_price", in: 0...1e12)
            if minPrice != nil || maxPrice != nil {
                let low = minPrice ?? 0, high = maxPrice ?? 1e12
                guard low <= high else { throw APIError.unprocessable("min_price \(low) is above max_price \(high); swap them.", field: f.name("min_price")) }
                filters.priceRange = low...high
            }
            for (i, id) in (try f.strings("exclude") ?? []).enumerated() {
                let field = "\(f.name("exclude"))[\(i)]"
                if person != nil { filters.excludedOpportunities.insert(try OpportunityID.validated(id, field: field)) } else {
                    filters.excludedPeople.insert(try PersonID.validated(id, field: field))
                }
            }
            try f.finish()
        }
        let request = RecommendationRequest(subject, count: count, filters: filters, mode: mode, pool: pool, explain: explain)
        do { try request.validate() } catch { throw APIError(error, prefix: path) }
        return request
    }

    /// Answers one request from the cache or the engine, records the served list and returns it.
    func generate(_ request: RecommendationRequest, context: MatchworkRequestContext) async throws -> RecommendationResponse {
        let subject = SubjectKey(request.subject)
        let (state, writes) = try await host.current(for: subject)
        let key = ResultCache.Key(request: request, modelKey: state.modelKey, subjectWrites: writes)
        let result: Recommendations
        let cached: Bool
        if let hit = cache.value(for: key) {
            result = hit
            cached = true
        } else {
            result = try await score { try state.engine.recommend(request) }
            cache.store(result, for: key)
            cached = false
        }
        if cache.isEnabled { (cached ? metrics.cacheHits : metrics.cacheMisses).increment() }
        let id = "rec-" + UUID().uuidString.lowercased()
        let items = result.items.enumerated().map { rank, item in
            RecommendationResponse.Item(
                rank: rank + 1, id: item.id, title: item.title, score: item.score, breakdown: item.breakdown, adjustment: item.adjustment,
                reasons: request.explain ? item.reasons : nil, assumptions: request.explain ? item.assumptions : nil, suggestedBid: item.suggestedBid)
        }
        await recorder.record(
            ServedList(
                id: id, subject: request.subject, mode: request.mode.rawValue, answeredBy: result.answeredBy, modelVersion: result.modelVersion,
                requestID: context.id, keyID: context.identity?.id, servedAt: .now,
                items: items.map { ServedItem(id: $0.id, rank: $0.rank, score: $0.score, breakdown: $0.breakdown) }))
        metrics.listsServed.increment()
        return RecommendationResponse(
            recommendationId: id, subject: result.subject, mode: result.requestedMode.rawValue, answeredBy: result.answeredBy, modelVersion: result.modelVersion,
            fallbacks: result.fallbacks, candidates: result.candidates, filtered: result.filtered, notice: result.notice, cached: cached, items: items)
    }

    private func similar(_ subject: RecommendationSubject, request: Request) async throws -> Response {
        var query = try QueryFields(request)
        let count = try query.integer("count", in: 1...RecommendationRequest.maximumCount) ?? 10
        let includeClosed = try query.bool("include_closed") ?? false
        try query.finish()
        let (state, _) = try await host.current(for: SubjectKey(subject))
        let result = try await score { try state.engine.similar(to: subject, count: count, includeClosed: includeClosed) }
        return try Reply.encode(SimilarResponse(subject: result.subject, items: result.items, notice: result.notice))
    }
}
