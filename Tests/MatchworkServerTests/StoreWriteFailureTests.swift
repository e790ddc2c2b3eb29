import Foundation
import GRDB
import HummingbirdTesting
import MatchworkCore
import MatchworkServer
import MatchworkStore
import Testing

/// A store whose writes fail (a full disk): readiness says so, the backlog is bounded, and a list
/// served but not stored answers 503, not 404 (issue 21, item 9).
@Suite("Served lists behind a failing store")
struct StoreWriteFailureTests {
    static func failWrites(_ path: String, _ on: Bool) throws {
        let db = try DatabaseQueue(path: path)
        try db.write { db in
            try db.execute(sql: on
                ? "CREATE TRIGGER disk_full BEFORE INSERT ON served_lists BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;"
                : "DROP TRIGGER disk_full")
        }
    }

    @Test("Readiness reports failing writes, 503 for unstored lists and over the backlog, and it recovers")
    func failingStore() async throws {
        let fixture = try await ServiceFixture.make { $0.servedListBacklog = 3 }
        let path = fixture.directory + "/store.sqlite"
        try await fixture.test { client in
            #expect(try await client.call(.get, "/health/ready", key: nil).status == .ok)
            try Self.failWrites(path, true)
            let body = #"{"opportunity_id":"\#(fixture.openJob)","count":3}"#
            let served = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: body)
            #expect(served.status == .ok)
            let id = try #require(served.object["recommendation_id"] as? String)
            // Reading it forces a write, which fails: 503 with why, not 404.
            let read = try await client.call(.get, "/api/v1/recommendations/\(id)", key: fixture.read)
            #expect(read.status == .serviceUnavailable, "\(read.text)")
            #expect((read.object["message"] as? String)?.contains("was served but cannot be stored yet") == true, "\(read.text)")
            let ready = try await client.call(.get, "/health/ready", key: nil)
            #expect(ready.status == .serviceUnavailable)
            #expect(ready.object["store"] as? String == "writes failing")
            #expect((ready.object["reason"] as? String)?.contains("disk is full") == true, "\(ready.text)")
            // The backlog is bounded: past 3 waiting lists, recommendations answer 503.
            var statuses: [Int] = []
            for _ in 0..<4 { statuses.append(try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: body).status.code) }
            #expect(statuses == [200, 200, 503, 503], "\(statuses)")
            // Writes work again: the retry stores the waiting lists, and readiness returns.
            try Self.failWrites(path, false)
            let deadline = ContinuousClock.now + .seconds(30)
            var recovered = false
            while ContinuousClock.now < deadline, !recovered {
                try await Task.sleep(for: .milliseconds(200))
                recovered = try await client.call(.get, "/health/ready", key: nil).status == .ok
            }
            #expect(recovered, "readiness did not return within 30 s")
            #expect(try await client.call(.get, "/api/v1/recommendations/\(id)", key: fixture.read).status == .ok)
            #expect(try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: body).status == .ok)
        }
    }

    @Test("An id never served is 404, saying a list answered just before a kill may be missing")
    func unknownList() async throws {
        let fixture = try await ServiceFixture.make()
        try await fixture.test { client in
            let missing = try await client.call(.get, "/api/v1/recommendations/rec-nothing", key: fixture.read)
            #expect(missing.status == .notFound)
            #expect((missing.object["message"] as? String)?.contains("a list answered just before the service was killed may not have been stored") == true)
        }
    }
}
