import Foundation
import HummingbirdTesting
import MatchworkServer
import MatchworkStore
import Testing

@Suite("API keys and roles")
struct AuthenticationTests {
    @Test("no key, a malformed key and an unknown key get 401 without echoing the key")
    func unauthorised() async throws {
        let fixture = try await ServiceFixture.make()
        try await fixture.test { client in
            let none = try await client.call(.get, "/api/v1/people", key: nil)
            #expect(none.status == .unauthorized)
            #expect(none.object["code"] as? String == "unauthorized")
            let malformed = try await client.call(.get, "/api/v1/people", key: "let-me-in")
            #expect(malformed.status == .unauthorized)
            #expect(!malformed.text.contains("let-me-in"))
            let unknown = try await client.call(.get, "/api/v1/people", key: APIKeySecret.generate().secret)
            #expect(unknown.status == .unauthorized)
        }
    }

    @Test("every answer is logged once at info with its status, path and request id; keys and query strings never reach the logs")
    func accessLog() async throws {
        let fixture = try await ServiceFixture.make()
        let logs = CapturedLogs()
        let guessed = APIKeySecret.generate().secret
        try await fixture.test(logger: logs.logger()) { client in
            let found = try await client.call(.get, "/api/v1/people/\(fixture.worker)?limit=1", key: fixture.read, bearer: true)
            #expect(found.status == .badRequest)  // a query parameter the route does not take
            let ok = try await client.call(.get, "/api/v1/people?limit=1", key: fixture.read)
            #expect(ok.status == .ok)
            #expect(try await client.call(.get, "/api/v1/people", key: guessed).status == .unauthorized)
            #expect(try await client.call(.delete, "/api/v1/people/nobody", key: fixture.write).status == .notFound)
            let answered = logs.lines.filter { $0.message == "Answered" }
            #expect(answered.map { $0.metadata["status"] } == ["400", "200", "401", "404"])
            #expect(answered.map { $0.metadata["path"] } == ["/api/v1/people/\(fixture.worker)", "/api/v1/people", "/api/v1/people", "/api/v1/people/nobody"])
            #expect(answered.allSatisfy { $0.level == .info && Double($0.metadata["ms"] ?? "") != nil })
            // The id in the log is the one the client got back.
            #expect(answered[1].metadata["hb.request.id"] == ok.headers[.init("X-Request-ID")!])
            for line in logs.lines {
                for secret in [fixture.read, fixture.write, guessed, "limit=1"] { #expect(!line.text.contains(secret)) }
            }
        }
        // Above info, requests are not logged.
        let quiet = CapturedLogs()
        try await fixture.test(logger: quiet.logger(level: .notice)) { client in
            let answer = try await client.call(.get, "/api/v1/people?limit=1", key: fixture.read)
            #expect(answer.status == .ok)
        }
        #expect(quiet.lines.isEmpty)
    }

    @Test("each role reaches its routes and gets 403 above them; Bearer works like X-API-Key")
    func roles() async throws {
        let fixture = try await ServiceFixture.make()
        try await fixture.test { client in
            #expect(try await client.call(.get, "/api/v1/people?limit=1", key: fixture.read).status == .ok)
            #expect(try await client.call(.get, "/api/v1/people?limit=1", key: fixture.read, bearer: true).status == .ok)
            let person = #"{"id":"new-worker","role":"worker"}"#
            let denied = try await client.call(.post, "/api/v1/people", key: fixture.read, json: person)
            #expect(denied.status == .forbidden)
            #expect((denied.object["message"] as? String)?.contains("read role") == true)
            #expect(try await client.call(.post, "/api/v1/people", key: fixture.write, json: person).status == .created)
            #expect(try await client.call(.post, "/api/v1/models/retrain", key: fixture.write).status == .forbidden)
            #expect(try await client.call(.get, "/api/v1/keys", key: fixture.write).status == .forbidden)
            #expect(try await client.call(.get, "/api/v1/keys", key: fixture.admin).status == .ok)
            #expect(try await client.call(.get, "/api/v1/models/status", key: fixture.read).status == .ok)
        }
    }

    @Test("keys created and revoked over the API; a revoked key gets 401")
    func keyLifecycle() async throws {
        let fixture = try await ServiceFixture.make()
        try await fixture.test { client in
            let created = try await client.call(.post, "/api/v1/keys", key: fixture.admin, json: #"{"role":"read","name":"dashboard"}"#)
            #expect(created.status == .created)
            let secret = try #require(created.object["key"] as? String)
            let id = try #require((created.object["record"] as? [String: Any])?["id"] as? String)
            #expect(try await client.call(.get, "/api/v1/people?limit=1", key: secret).status == .ok)
            let list = try await client.call(.get, "/api/v1/keys", key: fixture.admin)
            #expect(!list.text.contains(secret))
            #expect(list.text.contains(id))
            #expect(try await client.call(.delete, "/api/v1/keys/\(id)", key: fixture.admin).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/people?limit=1", key: secret).status == .unauthorized)
            #expect(try await client.call(.delete, "/api/v1/keys/key-00000000", key: fixture.admin).status == .notFound)
            // Ids reveal nothing of the secret: 12 hex digits drawn apart from it.
            #expect(id.hasPrefix("key-") && id.count == 16)
            #expect(!secret.contains(id.dropFirst(4).prefix(6)))
            // A key cannot revoke itself.
            let keys = try #require(try await client.call(.get, "/api/v1/keys", key: fixture.admin).object["items"] as? [[String: Any]])
            let own = try #require(keys.first { $0["name"] as? String == "admin" }?["id"] as? String)
            let selfRevoke = try await client.call(.delete, "/api/v1/keys/\(own)", key: fixture.admin)
            #expect(selfRevoke.status == .conflict && selfRevoke.object["code"] as? String == "own_key")
            #expect(try await client.call(.get, "/api/v1/keys", key: fixture.admin).status == .ok)
            let bad = try await client.call(.post, "/api/v1/keys", key: fixture.admin, json: #"{"role":"owner"}"#)
            #expect(bad.status == .unprocessableContent)
            #expect(bad.object["field"] as? String == "role")
        }
    }

    @Test("over the per-key rate limit: 429 with Retry-After")
    func rateLimit() async throws {
        let fixture = try await ServiceFixture.make { $0.rateLimit = 3 }
        try await fixture.test { client in
            for _ in 0..<3 { #expect(try await client.call(.get, "/api/v1/people?limit=1", key: fixture.read).status == .ok) }
            let limited = try await client.call(.get, "/api/v1/people?limit=1", key: fixture.read)
            #expect(limited.status == .tooManyRequests)
            // The wait until the oldest of the minute's 3 requests leaves the window: 1 to 60 s.
            let wait = try #require(limited.headers[.retryAfter].flatMap { Int($0) })
            #expect((1...60).contains(wait), "Retry-After \(wait)")
            #expect((limited.object["message"] as? String)?.contains("over its limit of 3 requests per minute; retry in \(wait) s") == true)
            #expect(limited.object["code"] as? String == "rate_limited")
            // Another key has its own allowance.
            #expect(try await client.call(.get, "/api/v1/people?limit=1", key: fixture.write).status == .ok)
        }
    }

    @Test("health, metrics and the OpenAPI document need no key")
    func publicRoutes() async throws {
        let fixture = try await ServiceFixture.make()
        try await fixture.test { client in
            #expect(try await client.call(.get, "/health/live", key: nil).status == .ok)
            let ready = try await client.call(.get, "/health/ready", key: nil)
            #expect(ready.status == .ok)
            #expect(ready.object["status"] as? String == "ready")
            #expect(try await client.call(.get, "/api/v1/openapi.json", key: nil).status == .ok)
            _ = try await client.call(.get, "/api/v1/people?limit=1", key: fixture.read)
            let metrics = try await client.call(.get, "/metrics", key: nil)
            #expect(metrics.status == .ok)
            #expect(metrics.text.contains("hb_requests"))
        }
    }
}
