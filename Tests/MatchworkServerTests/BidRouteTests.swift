import Foundation
import Hummingbird
import HummingbirdTesting
import MatchworkCore
import Testing

/// `/bids/suggest`, `/bids/suggestions` and `/bids/calibration` (issue 25): advice with win
/// probabilities once a ranker serves, each suggestion recorded, and its fate read from the
/// events that follow.
@Suite("Bid routes")
struct BidRouteTests {
    @Test("A suggestion is recorded; the bid and hire that follow become its fate and its calibration")
    func suggestionsAndTheirFate() async throws {
        let fixture = try await ServiceFixture.make(small: true)
        try await fixture.test { client in
            let start = try await client.call(.post, "/api/v1/models/retrain", key: fixture.admin, json: #"{"models":["ranker"]}"#)
            #expect(start.status == .accepted)
            let status = try await RecommendationRouteTests.finishedRetrain(client, key: fixture.read)
            #expect((status["retrain"] as? [String: Any])?["state"] as? String == "succeeded")
            let m = fixture.marketplace
            let bidders = Dictionary(grouping: m.interactions.filter { $0.type == .bid }, by: \.opportunity).mapValues { Set($0.map(\.person)) }
            // An open job with bids, and a cleaner who has not bid on it but may.
            var found: (job: String, cleaner: String, advice: [String: Any])?
            search: for job in m.opportunities where job.status == .open && (bidders[job.id]?.count ?? 0) >= 2 {
                for cleaner in m.people where cleaner.role == .worker && !(bidders[job.id]?.contains(cleaner.id) ?? false) {
                    let reply = try await client.call(
                        .post, "/api/v1/bids/suggest", key: fixture.read, json: #"{"person_id":"\#(cleaner.id)","opportunity_id":"\#(job.id)","amounts":[150]}"#)
                    if reply.status == .created {
                        found = (job.id.rawValue, cleaner.id.rawValue, reply.object)
                        break search
                    }
                    #expect(reply.status == .unprocessableContent && reply.object["field"] as? String == "person_id", "\(reply.object)")
                }
            }
            let (job, cleaner, advice) = try #require(found)
            let id = try #require(advice["suggestion_id"] as? String)
            #expect(id.hasPrefix("bid-"))
            #expect(advice["answered_by"] as? [String] == ["ranked"])
            let best = try #require(advice["best"] as? [String: Any])
            let amount = try #require(best["amount"] as? Double)
            #expect((best["hire_probability"] as? Double).map { $0 > 0 && $0 <= 1 } == true)
            #expect((best["reason"] as? String)?.contains("% chance of being hired") == true)
            let outlooks = try #require(advice["outlooks"] as? [[String: Any]])
            #expect(outlooks.contains { $0["amount"] as? Double == 150 && ($0["tags"] as? [String])?.contains("asked") == true })
            #expect((advice["inputs"] as? [String: Any])?["bid_count"] as? Int == bidders[OpportunityID(job)]?.count)

            // Not recorded when asked not to.
            let unrecorded = try await client.call(
                .post, "/api/v1/bids/suggest", key: fixture.read, json: #"{"person_id":"\#(cleaner)","opportunity_id":"\#(job)","record":false}"#)
            #expect(unrecorded.status == .ok && unrecorded.object["suggestion_id"] == nil)

            // Before any bid: no fate yet.
            var page = try await client.call(.get, "/api/v1/bids/suggestions?person_id=\(cleaner)", key: fixture.read)
            var items = try #require(page.object["items"] as? [[String: Any]])
            #expect(items.count == 1 && items[0]["id"] as? String == id)
            #expect(((items[0]["curve"] as? [[String: Any]])?.count ?? 0) >= 20)
            #expect((items[0]["fate"] as? [String: Any])?["bid_amount"] == nil)

            // The cleaner bids the best amount and is hired, after the suggestion.
            let now = Int(Date().timeIntervalSince1970)
            for (type, value) in [("bid", "\(amount)"), ("hire", "null")] {
                let posted = try await client.call(
                    .post, "/api/v1/events", key: fixture.write,
                    json: #"{"event_id":"e-\#(type)-\#(id)","person_id":"\#(cleaner)","opportunity_id":"\#(job)","type":"\#(type)","value":\#(value),"timestamp":\#(now + 1)}"#)
                #expect(posted.status == .created || posted.status == .ok, "\(posted.object)")
            }
            page = try await client.call(.get, "/api/v1/bids/suggestions?person_id=\(cleaner)", key: fixture.read)
            items = try #require(page.object["items"] as? [[String: Any]])
            let fate = try #require(items.first?["fate"] as? [String: Any])
            #expect(fate["bid_amount"] as? Double == amount)
            #expect(fate["won"] as? Bool == true)
            #expect(fate["predicted_hire_probability"] as? Double == best["hire_probability"] as? Double)

            let calibration = try await client.call(.get, "/api/v1/bids/calibration?person_id=\(cleaner)", key: fixture.read)
            let summary = try #require(calibration.object["calibration"] as? [String: Any])
            #expect(summary["suggestions"] as? Int == 1 && summary["followed"] as? Int == 1 && summary["decided"] as? Int == 1 && summary["won"] as? Int == 1)
            #expect(calibration.object["truncated"] as? Bool == false)
        }
    }

    @Test("Bad bid requests name the field")
    func refusals() async throws {
        let fixture = try await ServiceFixture.make(small: true)
        try await fixture.test { client in
            func field(_ body: String) async throws -> (HTTPResponse.Status, String?) {
                let reply = try await client.call(.post, "/api/v1/bids/suggest", key: fixture.read, json: body)
                return (reply.status, reply.object["field"] as? String)
            }
            let job = fixture.openJob
            #expect(try await field(#"{"opportunity_id":"\#(job)"}"#) == (.badRequest, "person_id"))
            #expect(try await field(#"{"person_id":"nobody","opportunity_id":"\#(job)"}"#).1 == "person_id")
            let worker = fixture.marketplace.people.first { $0.role == .worker }!.id.rawValue
            #expect(try await field(#"{"person_id":"\#(worker)","opportunity_id":"\#(job)","amounts":["cheap"]}"#) == (.badRequest, "amounts[0]"))
            #expect(try await field(#"{"person_id":"\#(worker)","opportunity_id":"\#(job)","amounts":[-3]}"#) == (.unprocessableContent, "amounts[0]"))
            #expect(try await field(#"{"person_id":"\#(worker)","opportunity_id":"\#(job)","colour":1}"#) == (.badRequest, "colour"))
            let unknownFilter = try await client.call(.get, "/api/v1/bids/suggestions?colour=red", key: fixture.read)
            #expect(unknownFilter.status == .badRequest)
        }
    }
}
