import Foundation
import Hummingbird
import MatchworkCore
import MatchworkStore
import NIOPosix

/// `/recommendations/generate`, `/recommendations/batch` and the similar routes: lists from the
/// cache or the engine, each recorded as served.
struct RecommendationsController: Sendable {
    let host: EngineHost
    let lists: ListSource
    let recorder: ServedListRecorder
    let pool: NIOThreadPool
    let metrics: ServiceMetrics
    let maxBodyBytes: Int
    let freshWait: Duration
    let defaultMode: RecommendationMode
    let experiments: ExperimentBook

    /// At most this many subjects in one batch request.
    static let maximumBatchSubjects = 100

    /// One answered recommendation: the list, the id it was recorded under, whether the
    /// cache answered, and whether the engine predates a write about the subject.
    struct Answer: Sendable {
        let list: RenderedList
        let id: String
        let cached: Bool
        let stale: Bool
        /// The experiment and arm that ranked it, if any.
        var assignment: ExperimentBook.Assignment?

        /// The answer's JSON object (keys sorted, members without a value left out).
        func write(to o: inout JSONWriter) {
            let result = list.result
            o.object { o in
                o.key("answered_by"); o.strings(result.answeredBy)
                if let assignment { o.key("arm"); o.string(assignment.arm.name) }
                o.key("cached"); o.bool(cached)
                o.key("candidates"); o.integer(result.candidates)
                if let assignment { o.key("experiment"); o.string(assignment.experiment) }
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

    func addRoutes(to api: RouterGroup<MatchworkRequestContext>) {
        let reads = api.group().add(middleware: RequireRole(role: .read))
        reads.post("recommendations/generate") { request, context in
            try QueryFields.none(request)
            var fields = try await JSONInput.object(request, limit: maxBodyBytes)
            let (parsed, named) = try recommendationRequest(&fields, path: nil)
            try fields.finish()
            let answer = try await generate([parsed], inExperiments: [!named], context: context)[0].get()
            var json = JSONWriter(capacity: answer.list.itemsJSON.count + 512)
            answer.write(to: &json)
            return Reply.json(json.bytes)
        }
        reads.post("recommendations/batch") { request, context in
            try QueryFields.none(request)
            var fields = try await JSONInput.object(request, limit: maxBodyBytes)
            guard let items = try fields.array("requests") else { throw fields.missing("requests", "send {\"requests\": [{\"person_id\": …}, …]}") }
            try fields.finish()
            guard !items.isEmpty, items.count <= Self.maximumBatchSubjects else {
                throw APIError.unprocessable("requests holds \(items.count) requests; send 1 to \(Self.maximumBatchSubjects) per call.", field: "requests")
            }
            var requests: [RecommendationRequest] = [], eligible: [Bool] = []
            for (i, item) in items.enumerated() {
                var itemFields = try JSONFields(item, path: "requests[\(i)]")
                let (request, named) = try recommendationRequest(&itemFields, path: "requests[\(i)]")
                requests.append(request)
                eligible.append(!named)
                try itemFields.finish()
            }
            var json = JSONWriter(capacity: 8192 * requests.count)
            var results: [(Answer?, APIError?)] = []
            for (i, answer) in await generate(requests, inExperiments: eligible, context: context).enumerated() {
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
    /// `count`, `mode`, `explain`, `path_first`, `pool` and `filters`. The members' types are checked here;
    /// their values by ``RequestDraft``, as the command line's options are. Also whether it named
    /// a mode (a request that does is left out of experiments).
    func recommendationRequest(_ fields: inout JSONFields, path: String?) throws -> (request: RecommendationRequest, namedMode: Bool) {
        let any = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude
        var draft = RequestDraft()
        draft.person = try fields.string("person_id")
        draft.opportunity = try fields.string("opportunity_id")
        draft.count = try fields.integer("count", in: Int.min...Int.max)
        draft.mode = try fields.string("mode")
        draft.explain = try fields.bool("explain") ?? false
        draft.pathFirst = try fields.bool("path_first") ?? false
        draft.pool = try fields.string("pool")
        if var f = try fields.object("filters") {
            draft.maxDistanceKm = try f.number("max_distance", in: any)
            if var facets = try f.object("facets") {
                // A facet given null lists no values: refused as an empty list is.
                for key in facets.object.keys.sorted() { draft.facets.append((key, try facets.strings(key) ?? [])) }
            }
            draft.startsAfter = try f.timestamp("starts_after")
            draft.startsBefore = try f.timestamp("starts_before")
            draft.minPrice = try f.number("min_price", in: any)
            draft.maxPrice = try f.number("max_price", in: any)
            draft.prerequisites = try f.string("prerequisites")
            draft.exclude = try f.strings("exclude") ?? []
            try f.finish()
        }
        do { return (try draft.build(names: .api(path: path), defaultMode: defaultMode), draft.mode != nil) } catch { throw APIError(error) }
    }

    /// Answers requests from the cache or the engine, in order, and records each served list.
    /// A request marked in `inExperiments` is ranked by its subject's arm when a live
    /// experiment covers its kind of list (``ExperimentBook``).
    func generate(_ asked: [RecommendationRequest], inExperiments: [Bool], context: MatchworkRequestContext) async -> [Result<Answer, any Error>] {
        var requests = asked
        var assignments: [ExperimentBook.Assignment?] = []
        let now = Timestamp.now
        for (k, eligible) in inExperiments.enumerated() {
            let assignment = eligible ? await experiments.assignment(for: requests[k], at: now) : nil
            if let assignment { requests[k].mode = assignment.arm.mode }
            assignments.append(assignment)
        }
        var results: [Result<Answer, any Error>] = []
        results.reserveCapacity(requests.count)
        for ((request, assignment), found) in zip(zip(requests, assignments), await lists(for: requests, assignments: assignments)) {
            let list: RenderedList, cached: Bool, stale: Bool
            switch found {
            case .success(let answer): (list, cached, stale) = answer
            case .failure(let error):
                results.append(.failure(error))
                continue
            }
            if lists.cache.isEnabled { (cached ? metrics.cacheHits : metrics.cacheMisses).increment() }
            if stale { metrics.staleAnswers.increment() }
            let id = "rec-" + RecommendationIDs.next()
            let result = list.result
            let accepted = await recorder.record(
                ServedList(
                    id: id, subject: request.subject, mode: request.mode.rawValue, answeredBy: result.answeredBy, modelVersion: result.modelVersion,
                    requestID: context.id, keyID: context.identity?.id, servedAt: now, items: list.served, experiment: assignment?.experiment,
                    arm: assignment?.arm.name))
            guard accepted else {
                var error = APIError(
                    .serviceUnavailable, code: "store_write_failing",
                    "The store cannot record served lists (\(await recorder.writeFailure ?? "writes fail")), and \(await recorder.backlog) lists wait; a list that could not be tracked is not served. Free space on the store's disk; the service retries on its own.")
                error.headers[.retryAfter] = "30"
                results.append(.failure(error))
                continue
            }
            metrics.listsServed.increment()
            results.append(.success(Answer(list: list, id: id, cached: cached, stale: stale, assignment: assignment)))
        }
        return results
    }

    /// The lists for `requests` from the serving engine, or the engine of each one's arm in
    /// `assignments`; see ``ListSource/lists(for:answeredBy:counting:)``.
    func lists(for requests: [RecommendationRequest], assignments: [ExperimentBook.Assignment?]? = nil) async -> [Result<(list: RenderedList, cached: Bool, stale: Bool), any Error>] {
        var engines: [Result<ListSource.Engine, any Error>] = []
        engines.reserveCapacity(requests.count)
        for (k, request) in requests.enumerated() {
            do {
                var engine = try await host.current(for: SubjectKey(request.subject), patience: freshWait)
                if let assignment = assignments?[k] {
                    do { engine.state = try experiments.state(for: assignment, base: engine.state) } catch { throw APIError(error) }
                }
                engines.append(.success(engine))
            } catch {
                engines.append(.failure(error))
            }
        }
        let found = await self.lists.lists(for: requests, answeredBy: engines, counting: true)
        return zip(found, engines).map { found, engine in
            found.map { ($0.list, $0.cached, (try? engine.get().stale) ?? false) }
        }
    }


    private func similar(_ subject: RecommendationSubject, request: Request) async throws -> Response {
        var query = try QueryFields(request)
        let count = try query.integer("count", in: 1...RecommendationRequest.maximumCount) ?? 10
        let includeClosed = try query.bool("include_closed") ?? false
        try query.finish()
        let (state, _, stale) = try await host.current(for: SubjectKey(subject), patience: freshWait)
        if stale { metrics.staleAnswers.increment() }
        let result = try await pool.runIfActive { try state.engine.similar(to: subject, count: count, includeClosed: includeClosed) }
        return try Reply.encode(SimilarResponse(subject: result.subject, items: result.items, notice: result.notice, stale: stale))
    }
}
