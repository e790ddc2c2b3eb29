import Foundation
import MatchworkCore
@testable import MatchworkServer
import Prometheus
import Testing

/// A request about a subject written since the serving engine was built waits for the build that
/// includes the write only up to `fresh_wait`; past it the serving engine answers, marked stale.
@Suite("Freshness: reading one's writes, within fresh_wait")
struct FreshnessTests {
    static func event(_ person: String, _ job: String, _ type: String) -> String {
        #"{"person_id": "\#(person)", "opportunity_id": "\#(job)", "type": "\#(type)", "timestamp": "2026-11-01T10:00:00Z"}"#
    }

    @Test("fresh_wait 0: the first answer after a write is the serving engine's, stale and kept apart; a later one includes the write")
    func staleThenFresh() async throws {
        // No scheduled rebuild during the test: only the stale request starts one.
        let fixture = try await ServiceFixture.make(small: true, metrics: PrometheusCollectorRegistry()) {
            $0.freshWait = 0
            $0.refreshInterval = 3600
        }
        let worker = fixture.worker
        let job = fixture.marketplace.opportunities.first { $0.status == .open }!.id.rawValue
        let generate = #"{"person_id": "\#(worker)", "count": 5}"#
        try await fixture.test { client in
            let before = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: generate)
            #expect(before.status == .ok)
            #expect(before.object["stale"] as? Bool == false)
            let generation = try #require(await fixture.service.host.state).generation

            #expect(metricValue(try await client.call(.get, "/metrics", key: nil).text, "matchwork_stale_answers") == 0)
            let written = try await client.call(.post, "/api/v1/events", key: fixture.write, json: Self.event(worker, job, "view"))
            #expect(written.status == .created)

            let stale = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: generate)
            #expect(stale.status == .ok)
            #expect(stale.object["stale"] as? Bool == true)
            // Scored by the engine that answered before the write, not taken from its cached list.
            #expect(stale.object["cached"] as? Bool == false)
            #expect(CacheWarmingTests.items(stale.object) == CacheWarmingTests.items(before.object))

            // The stale request started a build; once it serves, answers include the write.
            var fresh = stale
            var staleAnswers = 1
            for _ in 0..<2400 where fresh.object["stale"] as? Bool != false {
                try await Task.sleep(for: .milliseconds(50))
                fresh = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: generate)
                if fresh.object["stale"] as? Bool == true { staleAnswers += 1 }
            }
            #expect(fresh.object["stale"] as? Bool == false)
            let state = try #require(await fixture.service.host.state)
            #expect(state.generation > generation)
            #expect(await state.builtThrough >= fixture.service.host.writeCount(of: .person(worker)))

            // The similar routes say the same.
            _ = try await client.call(.post, "/api/v1/events", key: fixture.write, json: Self.event(worker, job, "apply"))
            let similar = try await client.call(.get, "/api/v1/people/\(worker)/similar?count=3", key: fixture.read)
            #expect(similar.status == .ok)
            #expect(similar.object["stale"] as? Bool == true)
            // Every stale answer was counted, and only those (the service has a registry of its own).
            #expect(metricValue(try await client.call(.get, "/metrics", key: nil).text, "matchwork_stale_answers") == Double(staleAnswers + 1))
        }
    }

    @Test("Within fresh_wait, a caller reads its own write: the answer waits for the build that includes it")
    func readsOwnWrites() async throws {
        // An hour, not the default second: a loaded CI machine may take longer to rebuild.
        let fixture = try await ServiceFixture.make(small: true) { $0.freshWait = 3600 }
        let worker = fixture.worker
        let job = fixture.marketplace.opportunities.first { $0.status == .open }!.id.rawValue
        try await fixture.test { client in
            let written = try await client.call(.post, "/api/v1/events", key: fixture.write, json: Self.event(worker, job, "view"))
            #expect(written.status == .created)
            let answer = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: #"{"person_id": "\#(worker)"}"#)
            #expect(answer.object["stale"] as? Bool == false)
            let state = try #require(await fixture.service.host.state)
            #expect(await state.builtThrough >= fixture.service.host.writeCount(of: .person(worker)))
        }
    }
}
