import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MatchworkCore
import MatchworkServer
import MatchworkStore
import NIOCore
import Testing

/// What the service does with requests that bend HTTP and JSON (issue 21, items 7, 12, 23).
@Suite("HTTP and JSON input")
struct HTTPInputTests {
    @Test("A member named twice is refused with 400 naming it, everywhere JSON is read", arguments: [
        ("/api/v1/keys", #"{"role":"read","role":"admin"}"#, "role"),
        ("/api/v1/keys", #"{"role":"read","r\u006fle":"admin"}"#, "role"),
        ("/api/v1/events", #"{"events":[{"person_id":"a","opportunity_id":"b","type":"view","timestamp":0},{"type":"view","type":"hire"}]}"#, "events[1].type"),
        ("/api/v1/recommendations/generate", #"{"person_id":"cleaner-1","filters":{"max_distance":5,"max_distance":500}}"#, "filters.max_distance"),
    ])
    func duplicates(path: String, body: String, member: String) async throws {
        let fixture = try await ServiceFixture.make()
        let keysBefore = try await fixture.store.keys().count
        try await fixture.test { client in
            let response = try await client.call(.post, path, key: fixture.admin, json: body)
            #expect(response.status == .badRequest)
            #expect(response.object["code"] as? String == "duplicate_member")
            #expect(response.object["message"] as? String == "The request body names \(member) twice; send each member once.")
            #expect(response.object["field"] as? String == member)
        }
        #expect(try await fixture.store.keys().count == keysBefore)
    }

    @Test("Members that only look alike are not duplicates")
    func distinctMembers() throws {
        #expect(JSONDuplicates.firstDuplicate(in: Array(#"{"a":{"x":1},"b":{"x":2},"c":[{"x":1},{"x":2}]}"#.utf8)) == nil)
        #expect(JSONDuplicates.firstDuplicate(in: Array(#"{"a\"":1,"a":2,"k":"a"}"#.utf8)) == nil)
        #expect(JSONDuplicates.firstDuplicate(in: Array(#"[{"a":1},{"a":1,"b":{"c":1,"c":2}}]"#.utf8)) == "[1].b.c")
        #expect(JSONDuplicates.firstDuplicate(in: Array(#"{"\ud83d\ude00":1,"😀":2}"#.utf8)) == "😀")
    }

    @Test("A body sent as another media type is 415; JSON types with parameters are accepted")
    func mediaType() async throws {
        let fixture = try await ServiceFixture.make()
        try await fixture.test { client in
            for (type, expected) in [
                ("text/plain", HTTPResponse.Status.unsupportedMediaType), ("application/x-www-form-urlencoded", .unsupportedMediaType),
                ("application/json; charset=utf-8", .created), ("Application/JSON", .created), ("application/merge-patch+json", .created),
            ] {
                let response = try await client.execute(
                    uri: "/api/v1/keys", method: .post, headers: [HTTPField.Name("X-API-Key")!: fixture.admin, .contentType: type],
                    body: ByteBuffer(string: #"{"role":"read"}"#))
                #expect(response.status == expected, "\(type): \(String(buffer: response.body))")
                if expected == .unsupportedMediaType {
                    #expect(response.object["message"] as? String == "The request body is sent as '\(type)', not JSON; send it with Content-Type: application/json (curl: -H 'Content-Type: application/json').")
                }
            }
        }
    }

    @Test("HEAD is answered wherever GET is, with GET's status and headers and no body")
    func head() async throws {
        let fixture = try await ServiceFixture.make()
        try await fixture.test { client in
            for path in ["/health/live", "/api/v1/openapi.json", "/api/v1/people/\(fixture.worker)", "/api/v1/people/nobody"] {
                let get = try await client.call(.get, path, key: fixture.read)
                let head = try await client.call(.head, path, key: fixture.read)
                #expect(head.status == get.status, "\(path)")
                #expect(head.headers[.contentType] == get.headers[.contentType], "\(path)")
                #expect(head.body.readableBytes == 0, "\(path)")
            }
            #expect(try await client.call(.head, "/api/v1/people", key: nil).status == .unauthorized)
        }
    }

    @Test("The Bearer scheme is matched without regard to case", arguments: ["Bearer", "bearer", "BEARER", "bEaReR"])
    func bearer(scheme: String) async throws {
        let fixture = try await ServiceFixture.make()
        try await fixture.test { client in
            let response = try await client.execute(uri: "/api/v1/people?limit=1", method: .get, headers: [.authorization: "\(scheme) \(fixture.read)"])
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            let other = try await client.execute(uri: "/api/v1/people?limit=1", method: .get, headers: [.authorization: "Basic \(fixture.read)"])
            #expect(other.status == .unauthorized)
        }
    }

    @Test("The outcome 'contacted' is recorded as a shortlist event")
    func contacted() async throws {
        let fixture = try await ServiceFixture.make()
        try await fixture.test { client in
            let list = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: #"{"opportunity_id":"\#(fixture.openJob)","count":3}"#)
            let id = try #require(list.object["recommendation_id"] as? String)
            let item = try #require((list.object["items"] as? [[String: Any]])?.first?["id"] as? String)
            let outcome = try await client.call(.post, "/api/v1/recommendations/\(id)/outcome", key: fixture.write, json: #"{"item_id":"\#(item)","outcome":"contacted"}"#)
            #expect(outcome.status == .created, "\(outcome.text)")
        }
        let last = try #require(try await fixture.store.interactions().last)
        #expect(last.type == .shortlist && last.opportunity.rawValue == fixture.openJob)
    }
}
