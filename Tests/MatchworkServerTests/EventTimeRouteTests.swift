import Foundation
import Hummingbird
import HummingbirdTesting
import MatchworkCore
import MatchworkServer
import MatchworkStore
import Testing

/// Event times outside 1970-2099 or too far ahead of the clock are refused on every write
/// path; a mistaken event is withdrawn by a retraction (issue 21, item 1).
@Suite("Event times and retractions over HTTP")
struct EventTimeRouteTests {
    static func event(_ fixture: ServiceFixture, id: String, timestamp: String) -> String {
        #"{"event_id": "\#(id)", "person_id": "\#(fixture.worker)", "opportunity_id": "\#(fixture.openJob)", "type": "view", "timestamp": \#(timestamp)}"#
    }

    @Test("Times outside 1970-2099 are refused with 422 naming the value, and nothing is stored", arguments: [
        (#""9999-12-31T23:59:59Z""#, "timestamp 253402300799 (9999-12-31T23:59:59Z) is outside 1970-01-01 to 2099-12-31"),
        ("-1", "timestamp -1 (1969-12-31T23:59:59Z) is outside 1970-01-01 to 2099-12-31"),
        ("4102444800", "timestamp 4102444800 (2100-01-01T00:00:00Z) is outside 1970-01-01 to 2099-12-31"),
    ])
    func outOfRange(timestamp: String, message: String) async throws {
        let fixture = try await ServiceFixture.make()
        let before = try await fixture.store.interactions().count
        try await fixture.test { client in
            let response = try await client.call(.post, "/api/v1/events", key: fixture.write, json: Self.event(fixture, id: "bad-time", timestamp: timestamp))
            #expect(response.status == .unprocessableContent)
            #expect((response.object["message"] as? String)?.contains(message) == true, "\(response.text)")
            #expect(response.object["field"] as? String == "timestamp")
        }
        #expect(try await fixture.store.interactions().count == before)
    }

    @Test("An event more than max_event_skew ahead of the clock is refused, within it accepted")
    func futureSkew() async throws {
        let fixture = try await ServiceFixture.make { $0.eventClock = EventClock(maximumSkew: 3600) }
        let now = Timestamp.now.secondsSinceEpoch
        try await fixture.test { client in
            let ahead = try await client.call(.post, "/api/v1/events", key: fixture.write, json: Self.event(fixture, id: "ahead", timestamp: "\(now + 7500)"))
            #expect(ahead.status == .unprocessableContent)
            let message = try #require(ahead.object["message"] as? String)
            #expect(message.contains("timestamp \(Timestamp(secondsSinceEpoch: now + 7500)) is 2 hours after this machine's clock"), "\(message)")
            #expect(message.contains("at most 1 hour ahead") && message.contains("max_event_skew"), "\(message)")

            let batch = #"{"events": [\#(Self.event(fixture, id: "ok-1", timestamp: "\(now)")), \#(Self.event(fixture, id: "ahead-2", timestamp: "\(now + 86_400)"))]}"#
            let mixed = try await client.call(.post, "/api/v1/events", key: fixture.write, json: batch)
            #expect(mixed.status == .unprocessableContent)
            #expect(mixed.object["field"] as? String == "events[1].timestamp")

            let soon = try await client.call(.post, "/api/v1/events", key: fixture.write, json: Self.event(fixture, id: "soon", timestamp: "\(now + 600)"))
            #expect(soon.status == .created)
        }
        let ids = Set(try await fixture.store.interactions().compactMap(\.eventID))
        #expect(ids.contains("soon") && !ids.contains("ahead") && !ids.contains("ok-1") && !ids.contains("ahead-2"))
    }

    @Test("Outcomes and feedback dated too far ahead are refused")
    func futureOutcome() async throws {
        let fixture = try await ServiceFixture.make()
        let later = Timestamp.now.adding(seconds: 3 * 86_400 + 600).iso8601
        try await fixture.test { client in
            let feedback = try await client.call(
                .post, "/api/v1/feedback", key: fixture.write,
                json: #"{"person_id": "\#(fixture.worker)", "opportunity_id": "\#(fixture.openJob)", "reason": "too_far", "timestamp": "\#(later)"}"#)
            #expect(feedback.status == .unprocessableContent)
            #expect((feedback.object["message"] as? String)?.contains("is 3 days after this machine's clock") == true, "\(feedback.text)")
        }
    }

    @Test("DELETE /events/{id} appends a retraction (admin only), once; the engine leaves the event out")
    func retraction() async throws {
        let fixture = try await ServiceFixture.make()
        let hired = try #require(fixture.marketplace.interactions.last { $0.type == .hire && $0.eventID != nil })
        let id = try #require(hired.eventID)
        let before = try await fixture.store.interactions().count
        try await fixture.test { client in
            let writer = try await client.call(.delete, "/api/v1/events/\(id)", key: fixture.write)
            #expect(writer.status == .forbidden)

            let first = try await client.call(.delete, "/api/v1/events/\(id)", key: fixture.admin)
            #expect(first.status == .ok, "\(first.text)")
            #expect(first.object["appended"] as? Bool == true)
            let retracted = try #require(first.object["retracted"] as? [String: Any])
            #expect(retracted["event_id"] as? String == id && retracted["type"] as? String == "hire")

            let again = try await client.call(.delete, "/api/v1/events/\(id)", key: fixture.admin)
            #expect(again.status == .ok)
            #expect(again.object["appended"] as? Bool == false)
            #expect(again.object["retracted_at"] as? String == first.object["retracted_at"] as? String)

            let missing = try await client.call(.delete, "/api/v1/events/no-such-event", key: fixture.admin)
            #expect(missing.status == .notFound)
            #expect((missing.object["message"] as? String)?.hasPrefix("No event 'no-such-event'; name an event by the event_id") == true)

            let posted = try await client.call(
                .post, "/api/v1/events", key: fixture.write,
                json: #"{"person_id": "\#(hired.person)", "opportunity_id": "\#(hired.opportunity)", "type": "retract", "timestamp": 1767225600, "retracts": "\#(id)"}"#)
            #expect(posted.status == .unprocessableContent)
            #expect((posted.object["message"] as? String)?.contains("DELETE /api/v1/events/{event_id}") == true)
        }
        let log = try await fixture.store.interactions()
        #expect(log.count == before + 1)
        let retraction = try #require(log.last)
        #expect(retraction.type == .retract && retraction.retracts == id && retraction.person == hired.person && retraction.opportunity == hired.opportunity)
        // The store's snapshot is the marketplace without the hire: its slot is free again.
        let snapshot = try await fixture.store.snapshot()
        let expected = try MarketplaceSnapshot(
            people: fixture.marketplace.people, opportunities: fixture.marketplace.opportunities,
            interactions: fixture.marketplace.interactions.filter { $0.eventID != id }, scenario: .cleaning)
        let withHire = try MarketplaceSnapshot(
            people: fixture.marketplace.people, opportunities: fixture.marketplace.opportunities, interactions: fixture.marketplace.interactions, scenario: .cleaning)
        let o = try snapshot.index(of: hired.opportunity)
        #expect(snapshot.freeSlots(o) == expected.freeSlots(o))
        #expect(snapshot.openOpportunities == expected.openOpportunities)
        #expect(snapshot.now == expected.now)
        #expect(withHire.freeSlots(o) != expected.freeSlots(o) || withHire.openOpportunities != expected.openOpportunities, "the hire chosen must hold a slot")
    }

    @Test("Ids in paths are percent-decoded once", arguments: ["a b", "café", "x/y", "what?", "#1", "100%"])
    func percentDecoded(id: String) async throws {
        let fixture = try await ServiceFixture.make()
        let encoded = try #require(id.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
        try await fixture.test { client in
            let body = try JSONSerialization.data(withJSONObject: ["id": id, "role": "worker"])
            let created = try await client.call(.post, "/api/v1/people", key: fixture.write, json: String(decoding: body, as: UTF8.self))
            #expect(created.status == .created, "\(created.text)")
            let read = try await client.call(.get, "/api/v1/people/\(encoded)", key: fixture.read)
            #expect(read.status == .ok, "\(read.text)")
            #expect(read.object["id"] as? String == id)
            let patched = try await client.call(.patch, "/api/v1/people/\(encoded)", key: fixture.write, json: #"{"name": "Renamed"}"#)
            #expect(patched.status == .ok, "\(patched.text)")
            let similar = try await client.call(.get, "/api/v1/people/\(encoded)/similar", key: fixture.read)
            #expect(similar.status != .notFound, "\(similar.text)")
            let deleted = try await client.call(.delete, "/api/v1/people/\(encoded)", key: fixture.write)
            #expect(deleted.status == .noContent, "\(deleted.text)")
        }
    }

    @Test("A malformed escape in a path is 400; '.' and '..' are refused as ids")
    func malformedPath() async throws {
        let fixture = try await ServiceFixture.make()
        try await fixture.test { client in
            let bad = try await client.call(.get, "/api/v1/people/a%zz", key: fixture.read)
            #expect(bad.status == .badRequest)
            #expect((bad.object["message"] as? String)?.contains("'a%zz' has a malformed percent escape") == true, "\(bad.text)")
            let dots = try await client.call(.post, "/api/v1/people", key: fixture.write, json: #"{"id": "..", "role": "worker"}"#)
            #expect(dots.status == .unprocessableContent)
            #expect((dots.object["message"] as? String)?.contains("URLs read it as a path step") == true, "\(dots.text)")
        }
    }
}
