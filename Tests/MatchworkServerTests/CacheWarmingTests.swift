import Foundation
import Logging
import MatchworkCore
@testable import MatchworkServer
import MatchworkStore
import Prometheus
import Testing

@Suite("Cache: one scoring per list, and warming after a start or a model switch")
struct CacheWarmingTests {
    /// A list's item ids and scores, from an answer's JSON.
    static func items(_ answer: [String: Any]) -> [String: Double] {
        var items: [String: Double] = [:]
        for item in answer["items"] as? [[String: Any]] ?? [] { items[item["id"] as? String ?? ""] = item["score"] as? Double }
        return items
    }

    /// The same list's item ids and scores as the engine answers the request now.
    static func items(_ engine: RecommendationEngine, _ request: RecommendationRequest) throws -> [String: Double] {
        Dictionary(uniqueKeysWithValues: try engine.recommend(request).items.map { ($0.id, $0.score) })
    }

    static func expectSame(_ got: [String: Double], _ expected: [String: Double], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!expected.isEmpty, sourceLocation: sourceLocation)
        #expect(Set(got.keys) == Set(expected.keys), sourceLocation: sourceLocation)
        for (id, score) in expected { #expect(abs((got[id] ?? .nan) - score) < 1e-9, "\(id)", sourceLocation: sourceLocation) }
    }

    /// Open jobs whose default list (of people within `maxDistance` km) holds at least two people.
    static func jobsWithLists(_ fixture: ServiceFixture, count: Int, maxDistance: Double? = nil) async throws -> [String] {
        let engine = try #require(await fixture.service.host.state).engine
        let jobs = fixture.marketplace.opportunities.filter { $0.status == .open }.map(\.id).filter { id in
            let request = RecommendationRequest(.opportunity(id), filters: RecommendationFilters(maxDistanceKm: maxDistance), explain: false)
            return ((try? engine.recommend(request).items.count) ?? 0) >= 2
        }
        try #require(jobs.count >= count)
        return jobs.prefix(count).map(\.rawValue)
    }

    @Test("A flight: callers that ask while a list is being scored get that list; an error reaches them all and nothing is kept")
    func flight() async throws {
        let (snapshot, _, state) = try ScoringBatcherTests.engine()
        // A day: the lists must not expire while a loaded machine runs the test.
        let cache = ResultCache(ttl: 86_400, capacity: 10)
        let request = RecommendationRequest(.person(snapshot.people[Int(snapshot.takers[0])].id), count: 3)
        let key = ResultCache.Key(request: request, modelKey: "", subjectWrites: 0)
        guard case .score(let flight) = cache.lookup(key) else { Issue.record("the first lookup must score"); return }
        guard case .join(let joined) = cache.lookup(key) else { Issue.record("a lookup while scoring must join"); return }
        let waiting = Task { await joined.outcome() }
        let list = MatchworkService.RenderedList(try state.engine.recommend(request), explain: false)
        cache.finish(key, flight, with: .success(list))
        #expect(try await waiting.value.get().result.items.map(\.id) == list.result.items.map(\.id))
        // Joining after the end gets the outcome at once.
        #expect(try await joined.outcome().get().result.items.map(\.id) == list.result.items.map(\.id))
        guard case .hit(let hit) = cache.lookup(key) else { Issue.record("the list must be kept"); return }
        #expect(hit.result.items.map(\.id) == list.result.items.map(\.id))
        #expect(cache.statistics.hits == 2 && cache.statistics.misses == 1 && cache.joinedCount == 1)

        let other = ResultCache.Key(request: request, modelKey: "", subjectWrites: 1)
        guard case .score(let failing) = cache.lookup(other), case .join(let joinedFailing) = cache.lookup(other) else {
            Issue.record("a new key must score, then join")
            return
        }
        cache.finish(other, failing, with: .failure(MatchworkError(.unknownIdentifier, "no such person", field: "person_id")))
        let failed = await joinedFailing.outcome()
        #expect(throws: MatchworkError.self) { try failed.get() }
        guard case .score = cache.lookup(other) else { Issue.record("an error must not be kept"); return }

        // With the cache off, every caller scores.
        let off = ResultCache(ttl: 0, capacity: 10)
        guard case .score = off.lookup(key), case .score = off.lookup(key) else { Issue.record("no cache, no sharing"); return }
    }

    @Test("Concurrent requests for the same list are scored once; the others get the same list, marked cached")
    func concurrentMissesScoredOnce() async throws {
        let metrics = PrometheusCollectorRegistry()
        let fixture = try await ServiceFixture.make(metrics: metrics) { $0.scoringThreads = 1 }
        let service = fixture.service
        let request = RecommendationRequest(.person(PersonID(fixture.worker)), count: 5, explain: false)
        func count(_ name: String) -> Double { metricValue(String(decoding: metrics.emitToBuffer(), as: UTF8.self), name) }
        // Warming at the start scored its lists in batches of its own.
        let batches = count("matchwork_scoring_batches"), batched = count("matchwork_scoring_batched_requests")
        // Hold the only scoring thread until all six have asked.
        let gate = DispatchSemaphore(value: 0)
        service.pool.submit { _ in gate.wait() }
        let misses = service.cache.statistics.misses
        let answers = await withThrowingTaskGroup(of: (list: MatchworkService.RenderedList, cached: Bool, stale: Bool).self) { group in
            for _ in 0..<6 { group.addTask { try await service.lists(for: [request])[0].get() } }
            group.addTask {
                await waitUntil("five requests joining the first one's flight") { service.cache.joinedCount >= 5 }
                gate.signal()
                throw CancellationError()  // not an answer; removed below
            }
            var answers: [(list: MatchworkService.RenderedList, cached: Bool, stale: Bool)] = []
            while let next = await group.nextResult() {
                if case .success(let answer) = next { answers.append(answer) }
            }
            return answers
        }
        #expect(answers.count == 6)
        #expect(answers.filter { !$0.cached }.count == 1)
        #expect(Set(answers.map { $0.list.result.items.map(\.id) }).count == 1)
        #expect(service.cache.statistics.misses == misses + 1)
        #expect(service.batcher.queuedCount == 0)
        // One list scored: one batch of one request.
        #expect(count("matchwork_scoring_batches") == batches + 1)
        #expect(count("matchwork_scoring_batched_requests") == batched + 1)
    }

    @Test("After a restart, the subjects served lately have their lists ready, equal to the lists scored on demand")
    func warmAfterRestart() async throws {
        let fixture = try await ServiceFixture.make(small: true)
        let jobs = try await Self.jobsWithLists(fixture, count: 4)
        let bodies = jobs.map { #"{"opportunity_id":"\#($0)"}"# } + [#"{"opportunity_id":"\#(jobs[1])","mode":"rule_based"}"#]
        try await fixture.test { client in
            for body in bodies {
                let answer = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: body)
                #expect(answer.status == .ok)
            }
            // Not a default request: after a restart, its subject gets the default list.
            let odd = #"{"opportunity_id":"\#(jobs[0])","count":3,"explain":true}"#
            let answer = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: odd)
            #expect(answer.status == .ok)
        }
        #expect(await fixture.service.recorder.flush())

        func restart(_ configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> ServiceFixture {
            var configuration = fixture.service.configuration
            configure(&configuration)
            let service = try await MatchworkService.open(
                configuration: configuration, store: fixture.store, registry: ModelRegistry(directory: fixture.directory + "/models"), metrics: sharedMetrics,
                logger: fixture.service.logger)
            fixture.cleanup.adopt(service)
            return ServiceFixture(
                directory: fixture.directory, store: fixture.store, service: service, read: fixture.read, write: fixture.write, admin: fixture.admin,
                marketplace: fixture.marketplace, cleanup: fixture.cleanup)
        }
        func job(_ id: String, _ mode: RecommendationMode = .ensemble) -> RecommendationRequest {
            RecommendationRequest(.opportunity(OpportunityID(id)), count: 10, mode: mode, explain: false)
        }
        let restarted = try await restart()
        let service = restarted.service
        // Warmed before the first engine served: newest first, once per subject and mode (the odd
        // request's subject, the rule-based list, then the other jobs).
        let fresh = CacheWarming(
            lists: ListSource(cache: ResultCache(ttl: 86_400, capacity: 100), batcher: service.batcher), store: fixture.store, limit: 100, defaultMode: .ensemble,
            metrics: service.metrics, logger: service.logger)
        let requests = await fresh.requests(limit: 100)
        #expect(requests == [job(jobs[0]), job(jobs[1], .ruleBased), job(jobs[3]), job(jobs[2]), job(jobs[1])])
        #expect(await fresh.requests(limit: 2) == [job(jobs[0]), job(jobs[1], .ruleBased)])
        // Then the default lists of the workers active lately.
        let served = try #require(await service.host.state)
        let warmed = await fresh.requests(limit: service.warming.limit, active: served.engine.snapshot)
        #expect(Array(warmed.prefix(5)) == requests && warmed.count > 5)
        #expect(service.cache.statistics == (hits: 0, misses: 0, size: warmed.count), "warming leaves the hit ratio alone")
        #expect(Set(service.cache.freshRequests(limit: 100_000)) == Set(warmed))

        // The client's requests find the warmed lists, equal to what the engine answers on demand.
        let state = try #require(await service.host.state)
        let asked = zip(bodies, jobs.map { job($0) } + [job(jobs[1], .ruleBased)])
        try await restarted.test { client in
            for (body, request) in asked {
                let answer = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: body).object
                #expect(answer["cached"] as? Bool == true, "\(body)")
                Self.expectSame(Self.items(answer), try Self.items(state.engine, request))
            }
        }
        // Warming again finds them; a subject written since the build is left to the next one.
        let again = await service.warming.warm(requests, with: state, subjectWrites: [.opportunity(jobs[3]): state.builtThrough + 1])
        #expect(again == CacheWarming.Report(scored: 0, present: 4, skipped: 1, failed: 0, interrupted: false))

        // With warming off, the first request is scored on demand.
        try await restart { $0.cacheWarm = 0 }.test { client in
            let answer = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: bodies[0]).object
            #expect(answer["cached"] as? Bool == false)
        }
    }

    @Test("A service that never served anyone warms the default lists of the people who take work, latest activity first")
    func warmActiveTakers() async throws {
        let metrics = PrometheusCollectorRegistry()
        let fixture = try await ServiceFixture.make(small: true, metrics: metrics)
        let service = fixture.service
        let snapshot = try #require(await service.host.state).engine.snapshot
        let active = snapshot.takers.compactMap { p in snapshot.lastActivity(ofPerson: p).map { (snapshot.people[Int(p)].id, $0) } }
        try #require(active.count > 3)
        let latest = active.max { ($0.1, $1.0) < ($1.1, $0.0) }!
        // What an empty cache would warm (the service's own cache already holds these lists).
        let empty = CacheWarming(
            lists: ListSource(cache: ResultCache(ttl: 86_400, capacity: 100), batcher: service.batcher), store: fixture.store, limit: 3, defaultMode: .ensemble,
            metrics: service.metrics, logger: service.logger)
        let requests = await empty.requests(limit: 3, active: snapshot)
        #expect(requests.count == 3)
        #expect(requests.first == RecommendationRequest(.person(latest.0), count: 10, mode: .ensemble, explain: false))
        let times = requests.map { request -> Timestamp in
            guard case .person(let id) = request.subject else { return Timestamp(secondsSinceEpoch: 0) }
            return active.first { $0.0 == id }!.1
        }
        #expect(times == times.sorted(by: >))
        #expect(service.cache.statistics.size == min(active.count, service.warming.limit))
        // Each list warmed is counted once, and no request has missed or hit yet.
        let exposition = String(decoding: metrics.emitToBuffer(), as: UTF8.self)
        #expect(metricValue(exposition, "matchwork_cache_warmed") == Double(service.cache.statistics.size))
        #expect(metricValue(exposition, "matchwork_cache_misses") == 0)
        // The first request for the most active worker finds its list.
        try await fixture.test { client in
            let answer = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: #"{"person_id":"\#(latest.0.rawValue)"}"#)
            #expect(answer.object["cached"] as? Bool == true)
        }
    }

    @Test("After a model switch, the lists the cache held are scored again with the new models, filters and all")
    func warmAfterSwitch() async throws {
        let fixture = try await ServiceFixture.make(small: true)
        let job = try await Self.jobsWithLists(fixture, count: 1, maxDistance: 60)[0]
        let body = #"{"opportunity_id":"\#(job)","count":4,"explain":true,"filters":{"max_distance":60}}"#
        try await fixture.test { client in
            #expect(try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: body).object["cached"] as? Bool == false)
            #expect(await fixture.service.recorder.flush())
            #expect(try await client.call(.post, "/api/v1/models/retrain", key: fixture.admin, json: #"{"models":["als"]}"#).status == .accepted)
            let status = try await RecommendationRouteTests.finishedRetrain(client, key: fixture.read)
            #expect((status["retrain"] as? [String: Any])?["state"] as? String == "succeeded")
        }
        let state = try #require(await fixture.service.host.state)
        #expect(state.modelKey.hasPrefix("als-"))
        let request = RecommendationRequest(
            .opportunity(OpportunityID(job)), count: 4, filters: RecommendationFilters(maxDistanceKm: 60), mode: .ensemble, explain: true)
        // Held: the list asked for, and the default list of the subject served lately.
        let served = RecommendationRequest(.opportunity(OpportunityID(job)), count: 10, mode: .ensemble, explain: false)
        // (And the default lists of the workers active lately.)
        let held = Set(fixture.service.cache.freshRequests(limit: 100_000))
        #expect(held.contains(request) && held.contains(served))
        #expect(held.subtracting([request, served]).allSatisfy { if case .person = $0.subject { $0.count == 10 && !$0.explain } else { false } })
        // The list was scored with the new models before they served: the next request finds it.
        try await fixture.test { client in
            let answer = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: body).object
            #expect(answer["cached"] as? Bool == true)
            #expect((answer["model_version"] as? String)?.contains(state.modelKey) == true)
            Self.expectSame(Self.items(answer), try Self.items(state.engine, request))
        }
    }
}
