import Foundation
import Hummingbird
import HummingbirdTesting
import MatchworkCore
import Testing

/// Worker scores over the API (issue 26): stored after the first engine build, listed highest
/// first, one per worker; a client or an unknown id is a 404 that says which.
@Suite("Worker score routes")
struct ScoreRouteTests {
    @Test("The service stores every worker's score after its first build; /scores lists them, /people/ID/score returns one")
    func scores() async throws {
        let fixture = try await ServiceFixture.make(small: true)
        try await fixture.test { client in
            var items: [[String: Any]] = []
            for _ in 0..<200 {
                items = (try await client.call(.get, "/api/v1/scores?limit=1000", key: fixture.read).object["items"] as? [[String: Any]]) ?? []
                if !items.isEmpty { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            let workers = fixture.marketplace.people.filter { $0.role != .client }
            #expect(items.count == workers.count)
            let overall = items.compactMap { $0["overall"] as? Double }
            #expect(overall == overall.sorted(by: >), "highest first")
            #expect(overall.allSatisfy { (0...100).contains($0) } && Set(overall).count > 10)
            let first = try #require(items.first)
            let id = try #require(first["person"] as? String)
            let one = try await client.call(.get, "/api/v1/people/\(id)/score", key: fixture.read)
            #expect(one.status == .ok && one.object["overall"] as? Double == first["overall"] as? Double)
            // The overall is the sub-scores blended by the default rule weights.
            let parts = ["quality": 0.30, "reliability": 0.25, "experience": 0.20, "bidding": 0.15, "activity": 0.10]
            let blended = parts.reduce(0) { $0 + (one.object[$1.key] as? Double ?? 0) * $1.value }
            #expect(abs(blended - (one.object["overall"] as? Double ?? 0)) < 0.3)
            let clientID = try #require(fixture.marketplace.people.first { $0.role == .client }?.id.rawValue)
            let client404 = try await client.call(.get, "/api/v1/people/\(clientID)/score", key: fixture.read)
            #expect(client404.status == .notFound && (client404.object["message"] as? String)?.contains("is a client") == true)
            #expect(try await client.call(.get, "/api/v1/people/nobody-here/score", key: fixture.read).status == .notFound)
        }
    }
}
