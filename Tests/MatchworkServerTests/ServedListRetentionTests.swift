import Foundation
import MatchworkCore
@testable import MatchworkServer
import MatchworkStore
import Prometheus
import Testing

@Suite("Served-list retention and memory bounds")
struct ServedListRetentionTests {
    /// A list served about `person` at `time`, listing `job`.
    static func list(_ id: String, person: PersonID, job: OpportunityID, at time: Timestamp) -> ServedList {
        ServedList(
            id: id, subject: .person(person), mode: "ensemble", answeredBy: ["rule_based"], modelVersion: nil, requestID: nil, keyID: nil, servedAt: time,
            items: [ServedItem(id: job.rawValue, rank: 1, score: 40, breakdown: [])])
    }

    @Test("The service deletes lists past served_list_retention, keeps those an outcome names, and counts them")
    func retentionDeletesOldLists() async throws {
        let logs = CapturedLogs()
        let metrics = PrometheusCollectorRegistry()
        let fixture = try await ServiceFixture.make(logger: logs.logger(), metrics: metrics) { $0.servedListRetention = 30 * 86_400 }
        let now = Timestamp.now
        let person = PersonID(fixture.worker), job = OpportunityID(fixture.openJob)
        let old = Timestamp(secondsSinceEpoch: now.secondsSinceEpoch - 31 * 86_400)
        let recent = Timestamp(secondsSinceEpoch: now.secondsSinceEpoch - 29 * 86_400)
        try await fixture.store.recordServed([
            Self.list("old-1", person: person, job: job, at: old), Self.list("old-2", person: person, job: job, at: old),
            Self.list("recent-1", person: person, job: job, at: recent),
        ])
        try await fixture.test { client in
            let outcome = try await client.call(
                .post, "/api/v1/recommendations/old-2/outcome", key: fixture.write, json: #"{"item_id":"\#(job.rawValue)","outcome":"viewed"}"#)
            #expect(outcome.status == .created)
        }
        #expect(await fixture.service.pruneServedLists(now: now) == 1)
        #expect(try await fixture.store.servedList(id: "old-1") == nil)
        #expect(try await fixture.store.servedList(id: "old-2")?.id == "old-2")
        #expect(try await fixture.store.servedList(id: "recent-1")?.id == "recent-1")
        #expect(await fixture.service.pruneServedLists(now: now) == 0)
        let line = logs.lines.first { $0.message == "Deleted served lists past their retention" }
        #expect(line?.metadata["lists"] == "1")
        #expect(line?.metadata["served_list_retention"] == "30d")
        try await fixture.test { client in
            let exposition = try await client.call(.get, "/metrics", key: nil).text
            #expect(metricValue(exposition, "matchwork_served_lists_pruned") == 1)
            let missing = try await client.call(
                .post, "/api/v1/recommendations/old-1/outcome", key: fixture.write, json: #"{"item_id":"\#(job.rawValue)","outcome":"viewed"}"#)
            #expect(missing.status == .notFound)
            #expect((missing.object["message"] as? String)?.contains("lists are kept 30d (served_list_retention) unless an outcome or feedback refers to them") == true)
        }
    }

    @Test("With served_list_retention 0 nothing is deleted")
    func retentionOff() async throws {
        let fixture = try await ServiceFixture.make { $0.servedListRetention = 0 }
        let old = Timestamp(secondsSinceEpoch: Timestamp.now.secondsSinceEpoch - 3650 * 86_400)
        try await fixture.store.recordServed([Self.list("old-1", person: PersonID(fixture.worker), job: OpportunityID(fixture.openJob), at: old)])
        #expect(await fixture.service.pruneServedLists(now: .now) == nil)
        #expect(try await fixture.store.servedList(id: "old-1")?.id == "old-1")
    }

    @Test("The settings that bound memory are read, and bad values name themselves")
    func memorySettings() throws {
        var configuration = ServerConfiguration()
        try configuration.apply("cache_memory", "64MiB", source: "MATCHWORK_CACHE_MEMORY")
        try configuration.apply("store_cache", "8MiB", source: "MATCHWORK_STORE_CACHE")
        try configuration.apply("store_readers", "2", source: "MATCHWORK_STORE_READERS")
        try configuration.apply("served_list_retention", "30d", source: "MATCHWORK_SERVED_LIST_RETENTION")
        #expect(configuration.cacheMemory == 64 << 20)
        #expect(configuration.storeLimits == SQLiteStore.Limits(cacheMebibytes: 8, readers: 2))
        #expect(configuration.storeLimits.totalMebibytes == 24)
        #expect(configuration.servedListRetention == 30 * 86_400)
        #expect(ServerConfiguration().storeLimits.totalMebibytes == 80)
        for (key, value, says) in [
            ("cache_memory", "lots", "is not a memory size"), ("cache_memory", "512KiB", "from 1MiB"), ("store_cache", "0", "is not a page cache size"),
            ("store_readers", "0", "give 1-64"), ("served_list_retention", "10m", "at least 1h"),
        ] {
            do {
                try configuration.apply(key, value, source: "config.json: \(key)")
                Issue.record("\(key) \(value) was accepted")
            } catch {
                #expect(error.message == "config.json: \(key) '\(value)' \(error.message.dropFirst("config.json: \(key) '\(value)' ".count))")
                #expect(error.message.contains(says), "\(error.message)")
            }
        }
    }

    @Test("The cache keeps within its memory budget, dropping the least recently used first")
    func cacheMemoryBudget() throws {
        let (snapshot, _, state) = try ScoringBatcherTests.engine()
        let request = RecommendationRequest(.person(snapshot.people[Int(snapshot.takers[0])].id), count: 3)
        let list = MatchworkService.RenderedList(try state.engine.recommend(request), explain: false)
        let cost = ResultCache.cost(of: list)
        #expect(cost > list.itemsJSON.count)
        // Room for ten lists (a day's lifetime: none may expire while a loaded machine runs it).
        let cache = ResultCache(ttl: 86_400, capacity: 1000, memoryBudget: 10 * cost)
        func key(_ n: Int) -> ResultCache.Key { ResultCache.Key(request: request, modelKey: "", subjectWrites: UInt64(n)) }
        for n in 0..<10 { cache.store(list, for: key(n)) }
        #expect(cache.statistics.size == 10)
        #expect(cache.bytes == 10 * cost)
        // Lists 0 and 1 are used again: list 2 is now the least recently used.
        for n in [0, 1] { if case .hit = cache.lookup(key(n)) {} else { Issue.record("list \(n) was not found") } }
        cache.store(list, for: key(10))
        #expect(cache.bytes <= 10 * cost)
        #expect(cache.statistics.size == 10)
        if case .hit = cache.lookup(key(2)) { Issue.record("the least recently used list was kept") }
        for n in [0, 1, 10] { if case .hit = cache.lookup(key(n)) {} else { Issue.record("list \(n), used lately, was dropped") } }
        // A list larger than the whole budget is not kept at all.
        let small = ResultCache(ttl: 86_400, capacity: 1000, memoryBudget: cost - 1)
        small.store(list, for: key(0))
        #expect(small.statistics.size == 0)
        #expect(small.bytes == 0)
    }
}
