import Foundation
import Hummingbird
import MatchworkCore
import MatchworkStore

extension MatchworkService {
    /// At most this many subjects in one batch request.
    static let maximumBatchSubjects = 100
    /// Items in a list when a request gives no `count`.
    static let defaultCount = 10

    /// A list as the engine answered it, with its items as served and as JSON, rendered once and
    /// cached together so that a cache hit writes bytes instead of encoding again.
    struct RenderedList: Sendable {
        let result: Recommendations
        /// The items as recorded with each served list.
        let served: EncodedServedItems
        /// The `items` member of the answer.
        let itemsJSON: [UInt8]

        init(_ result: Recommendations, explain: Bool) {
            self.result = result
            var served: [ServedItem] = []
            served.reserveCapacity(result.items.count)
            // Each breakdown is written once, for the answer and for the served list.
            let breakdowns = result.items.map { JSONWriter.breakdown($0.breakdown) }
            var json = JSONWriter(capacity: breakdowns.reduce(2) { $0 + $1.count + 256 })
            json.array {
                for (rank, item) in result.items.enumerated() {
                    served.append(ServedItem(id: item.id, rank: rank + 1, score: item.score, breakdown: item.breakdown))
                    $0.object { o in
                        o.key("adjustment"); o.number(item.adjustment)
                        if explain { o.key("assumptions"); o.strings(item.assumptions) }
                        o.key("breakdown"); o.raw(breakdowns[rank])
                        o.key("id"); o.string(item.id)
                        o.key("rank"); o.integer(rank + 1)
                        if explain { o.key("reasons"); o.strings(item.reasons) }
                        o.key("score"); o.number(item.score)
                        if let bid = item.suggestedBid {
                            o.key("suggested_bid")
                            o.object { b in
                                b.key("maximum"); b.number(bid.maximum)
                                b.key("minimum"); b.number(bid.minimum)
                                b.key("optimal"); b.number(bid.optimal)
                            }
                        }
                        if let title = item.title { o.key("title"); o.string(title) }
                    }
                }
            }
            self.served = EncodedServedItems(served, breakdowns: breakdowns)
            itemsJSON = json.bytes
        }
    }

    /// One answered recommendation: the list, the id it was recorded under, whether the
    /// cache answered, and whether the engine predates a write about the subject.
    struct Answer: Sendable {
        let list: RenderedList
        let id: String
        let cached: Bool
        let stale: Bool

        /// The answer's JSON object (keys sorted, members without a value left out).
        func write(to o: inout JSONWriter) {
            let result = list.result
            o.object { o in
                o.key("answered_by"); o.strings(result.answeredBy)
                o.key("cached"); o.bool(cached)
                o.key("candidates"); o.integer(result.candidates)
                o.key("fallbacks")
                o.array(result.fallbacks) { a, f in
                    a.object { o in
                        o.key("component"); o.string(f.component)
                        o.key("reason"); o.string(f.reason)
                    }
                }
                o.key("filtered")
                o.object { o in
                    for (name, count) in result.filtered.sorted(by: { $0.key < $1.key }) {
                        o.key(name); o.integer(count)
                    }
                }
                o.key("items"); o.raw(list.itemsJSON)
                o.key("mode"); o.string(result.requestedMode.rawValue)
                if let version = result.modelVersion { o.key("model_version"); o.string(version) }
                if let notice = result.notice { o.key("notice"); o.string(notice) }
                o.key("recommendation_id"); o.string(id)
                o.key("stale"); o.bool(stale)
                o.key("subject"); o.write(result.subject)
            }
        }
    }

    struct SimilarResponse: Encodable {
        var subject: RecommendationSubject
        var items: [SimilarItem]
        var notice: String?
        var stale: Bool
    }

    func addRecommendationRoutes(to api: RouterGroup<MatchworkRequestContext>) {
        let reads = api.group().add(middleware: RequireRole(role: .read))
        reads.post("recommendations/generate") { request, context in
            try QueryFields.none(request)
            var fields = try await JSONInput.object(request, limit: configuration.maxBodyBytes)
            let parsed = try recommendationRequest(&fields, path: nil)
            try fields.finish()
            let answer = try await generate(parsed, context: context)
            var json = JSONWriter(capacity: answer.list.itemsJSON.count + 512)
            answer.write(to: &json)
            return Reply.json(json.bytes)
        }
        reads.post("recommendations/batch") { request, context in
            try QueryFields.none(request)
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
            var json = JSONWriter(capacity: 8192 * requests.count)
            var results: [(Answer?, APIError?)] = []
            for (i, answer) in await generate(requests, context: context).enumerated() {
                switch answer {
                case .success(let answer): results.append((answer, nil))
                case .failure(let e as APIError): results.append((nil, e))
                case .failure(let e as MatchworkError): results.append((nil, APIError(e, prefix: "requests[\(i)]")))
                case .failure(let e as StoreError): results.append((nil, APIError(e)))
                case .failure(let error): throw error
                }
            }
            json.object { o in
                o.key("results")
                o.array(results) { a, result in
                    a.object { o in
                        if let api = result.1 {
                            o.key("error")
                            o.object { e in
                                e.key("code"); e.string(api.code)
                                if let field = api.field { e.key("field"); e.string(field) }
                                e.key("message"); e.string(api.message)
                            }
                        }
                        if let answer = result.0 { o.key("recommendation"); answer.write(to: &o) }
                        o.key("status"); o.integer(result.1.map { Int($0.status.code) } ?? 200)
                    }
                }
            }
            return Reply.json(json.bytes)
        }
        reads.get("opportunities/:id/similar") { request, context in
            let id = try OpportunityID.validated(try context.pathParameter("id"), field: "id")
            return try await similar(.opportunity(id), request: request)
        }
        reads.get("people/:id/similar") { request, context in
            let id = try PersonID.validated(try context.pathParameter("id"), field: "id")
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
        let count = try fields.integer("count", in: 1...RecommendationRequest.maximumCount) ?? Self.defaultCount
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
            let after = try f.timestamp("starts_after"), before = try f.timestamp("starts_before")
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
            if let policy = try f.string("prerequisites") { filters.prerequisites = try PrerequisitePolicy.parse(policy, field: f.name("prerequisites")) }
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

    /// Answers one request from the cache or the engine and records the served list.
    func generate(_ request: RecommendationRequest, context: MatchworkRequestContext) async throws -> Answer {
        try await generate([request], context: context)[0].get()
    }

    /// Answers requests from the cache or the engine, in order, and records each served list.
    func generate(_ requests: [RecommendationRequest], context: MatchworkRequestContext) async -> [Result<Answer, any Error>] {
        var results: [Result<Answer, any Error>] = []
        results.reserveCapacity(requests.count)
        for (request, found) in zip(requests, await lists(for: requests)) {
            let list: RenderedList, cached: Bool, stale: Bool
            switch found {
            case .success(let answer): (list, cached, stale) = answer
            case .failure(let error):
                results.append(.failure(error))
                continue
            }
            if cache.isEnabled { (cached ? metrics.cacheHits : metrics.cacheMisses).increment() }
            if stale { metrics.staleAnswers.increment() }
            let id = "rec-" + RecommendationIDs.next()
            let result = list.result
            let accepted = await recorder.record(
                ServedList(
                    id: id, subject: request.subject, mode: request.mode.rawValue, answeredBy: result.answeredBy, modelVersion: result.modelVersion,
                    requestID: context.id, keyID: context.identity?.id, servedAt: .now, items: list.served))
            guard accepted else {
                var error = APIError(
                    .serviceUnavailable, code: "store_write_failing",
                    "The store cannot record served lists (\(await recorder.writeFailure ?? "writes fail")), and \(await recorder.backlog) lists wait; a list that could not be tracked is not served. Free space on the store's disk; the service retries on its own.")
                error.headers[.retryAfter] = "30"
                results.append(.failure(error))
                continue
            }
            metrics.listsServed.increment()
            results.append(.success(Answer(list: list, id: id, cached: cached, stale: stale)))
        }
        return results
    }

    /// The lists for `requests` from the serving engine; see ``ListSource/lists(for:answeredBy:counting:)``.
    func lists(for requests: [RecommendationRequest]) async -> [Result<(list: RenderedList, cached: Bool, stale: Bool), any Error>] {
        var engines: [Result<ListSource.Engine, any Error>] = []
        engines.reserveCapacity(requests.count)
        for request in requests {
            do { engines.append(.success(try await host.current(for: SubjectKey(request.subject), patience: freshWait))) } catch {
                engines.append(.failure(error))
            }
        }
        let found = await lists.lists(for: requests, answeredBy: engines, counting: true)
        return zip(found, engines).map { found, engine in
            found.map { ($0.list, $0.cached, (try? engine.get().stale) ?? false) }
        }
    }

    /// How long a request about a subject just written waits for the build that includes it.
    var freshWait: Duration { .milliseconds(Int64((configuration.freshWait * 1000).rounded())) }

    private func similar(_ subject: RecommendationSubject, request: Request) async throws -> Response {
        var query = try QueryFields(request)
        let count = try query.integer("count", in: 1...RecommendationRequest.maximumCount) ?? 10
        let includeClosed = try query.bool("include_closed") ?? false
        try query.finish()
        let (state, _, stale) = try await host.current(for: SubjectKey(subject), patience: freshWait)
        if stale { metrics.staleAnswers.increment() }
        let result = try await score { try state.engine.similar(to: subject, count: count, includeClosed: includeClosed) }
        return try Reply.encode(SimilarResponse(subject: result.subject, items: result.items, notice: result.notice, stale: stale))
    }
}

/// Recommendation lists from the cache, or scored on the scoring threads.
struct ListSource: Sendable {
    /// The engine answering a request, the subject's write count, and whether the engine
    /// predates a write about the subject.
    typealias Engine = (state: EngineHost.State, writes: UInt64, stale: Bool)

    let cache: ResultCache
    let batcher: ScoringBatcher

    /// The lists for `requests`, in order, each answered by its engine (or failing with its
    /// error), and whether it was scored for this call (`cached` false) or found: in the cache,
    /// or being scored for an identical request, which it then awaits. The misses one engine
    /// answers are queued together, so that they are scored in shared batches rather than one
    /// after the other. `counting` false (warming) leaves the cache's hit ratio alone. Nothing is
    /// recorded as served.
    func lists(
        for requests: [RecommendationRequest], answeredBy engines: [Result<Engine, any Error>], counting: Bool
    ) async -> [Result<(list: MatchworkService.RenderedList, cached: Bool), any Error>] {
        precondition(requests.count == engines.count, "one engine per request")
        var found = [Result<(list: MatchworkService.RenderedList, cached: Bool), any Error>?](repeating: nil, count: requests.count)
        var scoring: [(index: Int, key: ResultCache.Key, flight: ResultCache.Flight, state: EngineHost.State)] = []
        var joining: [(index: Int, flight: ResultCache.Flight)] = []
        for (index, (request, engine)) in zip(requests, engines).enumerated() {
            switch engine {
            case .failure(let error): found[index] = .failure(error)
            case .success(let (state, writes, stale)):
                // A stale engine's lists are kept apart: once a build with the write serves,
                // no request reaches them.
                let modelKey = stale ? "\(state.modelKey)|stale@\(state.generation)" : state.modelKey
                let key = ResultCache.Key(request: request, modelKey: modelKey, subjectWrites: writes)
                switch cache.lookup(key, counting: counting) {
                case .hit(let list): found[index] = .success((list, true))
                case .score(let flight): scoring.append((index, key, flight, state))
                case .join(let flight): joining.append((index, flight))
                }
            }
        }
        // Every flight started above is finished before this call awaits any other's, so two
        // calls that each joined the other's flight cannot wait for each other.
        while let state = scoring.first?.state {
            let group = scoring.filter { $0.state === state }
            scoring.removeAll { $0.state === state }
            let answers = await batcher.answer(group.map { requests[$0.index] }, with: state)
            for (miss, answer) in zip(group, answers) {
                cache.finish(miss.key, miss.flight, with: answer)
                found[miss.index] = answer.map { ($0, false) }
            }
        }
        for (index, flight) in joining {
            found[index] = await flight.outcome().map { ($0, true) }
        }
        return found.map { $0! }
    }
}
