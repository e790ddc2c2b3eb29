import Foundation
import HummingbirdTesting
import MatchworkCore
import MatchworkServer
import MatchworkStore
import Testing

@Suite("Catalogue and events routes")
struct CatalogueTests {
    @Test("a person is created (201), upserted (200), read, patched, listed by page and deleted")
    func personLifecycle() async throws {
        let fixture = try await ServiceFixture.make()
        try await fixture.test { client in
            let body = #"{"id":"w-new","role":"worker","name":"Ana","latitude":48.85,"longitude":2.35,"skills":{"ironing":0.8}}"#
            #expect(try await client.call(.post, "/api/v1/people", key: fixture.write, json: body).status == .created)
            #expect(try await client.call(.post, "/api/v1/people", key: fixture.write, json: body).status == .ok)
            let read = try await client.call(.get, "/api/v1/people/w-new", key: fixture.read)
            #expect(read.object["name"] as? String == "Ana")
            let patched = try await client.call(.patch, "/api/v1/people/w-new", key: fixture.write, json: #"{"name":"Ana B.","latitude":null,"longitude":null}"#)
            #expect(patched.status == .ok)
            #expect(patched.object["name"] as? String == "Ana B.")
            #expect(patched.object["latitude"] == nil)
            let stored = try await fixture.store.person(PersonID("w-new"))
            #expect(stored?.name == "Ana B." && stored?.location == nil)
            #expect(try await client.call(.delete, "/api/v1/people/w-new", key: fixture.write).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/people/w-new", key: fixture.read).status == .notFound)
        }
    }

    @Test("lists page with a cursor and filter by role, kind and status")
    func paging() async throws {
        let fixture = try await ServiceFixture.make()
        try await fixture.test { client in
            var seen: [String] = []
            var cursor: String? = nil
            repeat {
                let page = try await client.call(.get, "/api/v1/people?limit=5" + (cursor.map { "&cursor=\($0)" } ?? ""), key: fixture.read)
                #expect(page.status == .ok)
                seen += (page.object["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                cursor = page.object["next_cursor"] as? String
            } while cursor != nil
            #expect(seen == fixture.marketplace.people.map(\.id.rawValue))
            let workers = try await client.call(.get, "/api/v1/people?role=worker&limit=1000", key: fixture.read)
            #expect((workers.object["items"] as? [[String: Any]])?.count == fixture.marketplace.people.filter { $0.role == .worker }.count)
            let open = try await client.call(.get, "/api/v1/opportunities?status=open&kind=job&limit=1000", key: fixture.read)
            #expect((open.object["items"] as? [[String: Any]])?.count == fixture.marketplace.opportunities.filter { $0.status == .open }.count)
            let bad = try await client.call(.get, "/api/v1/people?limit=0", key: fixture.read)
            #expect(bad.status == .unprocessableContent && bad.object["field"] as? String == "limit")
            let unknown = try await client.call(.get, "/api/v1/people?colour=red", key: fixture.read)
            #expect(unknown.status == .badRequest && unknown.object["field"] as? String == "colour")
            let role = try await client.call(.get, "/api/v1/people?role=boss", key: fixture.read)
            #expect(role.status == .unprocessableContent && role.object["field"] as? String == "role")
            // An empty value is refused rather than read as absent; a cursor is digits only.
            let empty = try await client.call(.get, "/api/v1/people?cursor=", key: fixture.read)
            #expect(empty.status == .badRequest && empty.object["field"] as? String == "cursor")
            let sign = try await client.call(.get, "/api/v1/people?cursor=%2B5", key: fixture.read)
            #expect(sign.status == .badRequest && sign.object["field"] as? String == "cursor")
            // A documented path with another method: 405 and the methods it takes.
            let trace = try await client.call(.trace, "/api/v1/people", key: fixture.read)
            #expect(trace.status == .methodNotAllowed && trace.headers[.allow] == "GET, POST")
            #expect(trace.object["code"] as? String == "method_not_allowed")
            let put = try await client.call(.put, "/api/v1/keys/key-1", key: fixture.read)
            #expect(put.status == .methodNotAllowed && put.headers[.allow] == "DELETE")
            let nowhere = try await client.call(.get, "/api/v1/nowhere", key: fixture.read)
            #expect(nowhere.status == .notFound)
        }
    }

    @Test(
        "bad records are refused with the field at fault, and a refused bulk write stores nothing",
        arguments: [
            (#"{"people":[{"id":"a1","role":"worker"},{"id":"a2","role":"worker","latitude":95,"longitude":2}]}"#, 422, "people[1].latitude",
             "people[1]: latitude 95.0 is outside -90...90; give decimal degrees, for example 48.8566."),
            (#"{"people":[{"id":"a1","role":"worker"},{"id":"a2","role":"worker","colour":"red"}]}"#, 400, "people[1].colour",
             "people[1].colour is not a known field; the fields are id, role, name, latitude, longitude, capacity, facets, skills, certifications, attributes, availability."),
            (#"{"people":[{"id":"a1","role":"worker","capacity":"two"}]}"#, 400, "people[0].capacity", "people[0].capacity is a string, but it must be an integer."),
            (#"{"people":[{"id":"a1"}]}"#, 400, "people[0].role", "people[0].role is missing; every record needs id and role."),
            (#"{"people":[]}"#, 422, "people", "people holds 0 records; send 1 to 10000 per request."),
            (#"{"people":{"id":"a1"}}"#, 400, "people", "people must be an array of objects."),
            (#"{"id":"a1","role":"manager"}"#, 422, "role", "role 'manager' is not a role; use one of worker, learner, client."),
        ])
    func refusedPeople(body: String, status: Int, field: String, message: String) async throws {
        let fixture = try await ServiceFixture.make()
        let before = try await fixture.store.counts()
        try await fixture.test { client in
            let response = try await client.call(.post, "/api/v1/people", key: fixture.write, json: body)
            #expect(Int(response.status.code) == status)
            #expect(response.object["field"] as? String == field)
            #expect((response.object["message"] as? String)?.isEmpty == false)
            #expect(response.object["message"] as? String == message)
        }
        #expect(try await fixture.store.counts() == before)
    }

    @Test("an opportunity naming an unknown client is refused (422, client_id); deleting a record with events is refused (409)")
    func references() async throws {
        let fixture = try await ServiceFixture.make()
        try await fixture.test { client in
            let orphan = try await client.call(.post, "/api/v1/opportunities", key: fixture.write, json: #"{"opportunities":[{"id":"j-x","kind":"job","client_id":"nobody"}]}"#)
            #expect(orphan.status == .unprocessableContent)
            #expect(orphan.object["field"] as? String == "opportunities[0].client_id")
            let withEvents = fixture.marketplace.interactions[0].opportunity.rawValue
            let conflict = try await client.call(.delete, "/api/v1/opportunities/\(withEvents)", key: fixture.write)
            #expect(conflict.status == .conflict)
            #expect(try await client.call(.get, "/api/v1/opportunities/\(withEvents)", key: fixture.read).status == .ok)
            let idChange = try await client.call(.patch, "/api/v1/opportunities/\(withEvents)", key: fixture.write, json: #"{"id":"other"}"#)
            #expect(idChange.status == .unprocessableContent && idChange.object["field"] as? String == "id")
            let status = try await client.call(.patch, "/api/v1/opportunities/\(withEvents)", key: fixture.write, json: #"{"status":"closed"}"#)
            #expect(status.status == .ok && status.object["status"] as? String == "closed")
        }
    }

    @Test("events: one or a batch is committed before 2xx; a repeated id is ignored; a bad reference stores nothing")
    func events() async throws {
        let fixture = try await ServiceFixture.make()
        let job = fixture.openJob, worker = fixture.worker
        let before = try await fixture.store.counts().interactions
        try await fixture.test { client in
            let one = try await client.call(
                .post, "/api/v1/events", key: fixture.write, json: #"{"event_id":"e-1","person_id":"\#(worker)","opportunity_id":"\#(job)","type":"view","timestamp":"2026-01-02T10:00:00Z"}"#)
            #expect(one.status == .created)
            #expect(one.object["inserted"] as? Int == 1)
            let batch = try await client.call(
                .post, "/api/v1/events", key: fixture.write,
                json: #"{"events":[{"event_id":"e-1","person_id":"\#(worker)","opportunity_id":"\#(job)","type":"view","timestamp":"2026-01-02T10:00:00Z"},{"event_id":"e-2","person_id":"\#(worker)","opportunity_id":"\#(job)","type":"bid","value":120,"timestamp":1767350000}]}"#)
            #expect(batch.status == .created)
            #expect(batch.object["inserted"] as? Int == 1 && batch.object["duplicate"] as? Int == 1)
            let again = try await client.call(
                .post, "/api/v1/events", key: fixture.write, json: #"{"event_id":"e-2","person_id":"\#(worker)","opportunity_id":"\#(job)","type":"bid","value":120,"timestamp":1767350000}"#)
            #expect(again.status == .ok && again.object["duplicate"] as? Int == 1)
            let unknown = try await client.call(
                .post, "/api/v1/events", key: fixture.write,
                json: #"{"events":[{"event_id":"e-3","person_id":"\#(worker)","opportunity_id":"\#(job)","type":"view","timestamp":1767350000},{"event_id":"e-4","person_id":"ghost","opportunity_id":"\#(job)","type":"view","timestamp":1767350000}]}"#)
            #expect(unknown.status == .unprocessableContent)
            #expect(unknown.object["field"] as? String == "events[1].person_id")
            let noAmount = try await client.call(
                .post, "/api/v1/events", key: fixture.write, json: #"{"person_id":"\#(worker)","opportunity_id":"\#(job)","type":"bid","timestamp":1767350000}"#)
            #expect(noAmount.status == .badRequest && noAmount.object["field"] as? String == "value")
            let badType = try await client.call(
                .post, "/api/v1/events", key: fixture.write, json: #"{"person_id":"\#(worker)","opportunity_id":"\#(job)","type":"like","timestamp":1767350000}"#)
            #expect(badType.status == .unprocessableContent && badType.object["field"] as? String == "type")
            let listed = try await client.call(.get, "/api/v1/events?person_id=\(worker)&opportunity_id=\(job)&limit=1000", key: fixture.read)
            #expect((listed.object["items"] as? [[String: Any]])?.contains { $0["event_id"] as? String == "e-2" } == true)
        }
        #expect(try await fixture.store.counts().interactions == before + 2)
    }

    @Test("oversized and malformed bodies: 413 and 400, nothing stored")
    func bodies() async throws {
        let fixture = try await ServiceFixture.make { $0.maxBodyBytes = 2048 }
        let before = try await fixture.store.counts()
        try await fixture.test { client in
            let big = "{\"events\":[" + Array(repeating: #"{"person_id":"a","opportunity_id":"b","type":"view","timestamp":1}"#, count: 100).joined(separator: ",") + "]}"
            let tooLarge = try await client.call(.post, "/api/v1/events", key: fixture.write, json: big)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(tooLarge.object["code"] as? String == "body_too_large")
            let malformed = try await client.call(.post, "/api/v1/events", key: fixture.write, json: #"{"events":[{"#)
            #expect(malformed.status == .badRequest && malformed.object["code"] as? String == "malformed_json")
            let array = try await client.call(.post, "/api/v1/people", key: fixture.write, json: "[1,2]")
            #expect(array.status == .badRequest)
        }
        #expect(try await fixture.store.counts() == before)
    }
}
