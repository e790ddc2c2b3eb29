import Foundation
import HummingbirdTesting
import MatchworkCore
import MatchworkServer
import MatchworkStore
import Testing

@Suite("Recommendation, similar, tracking and model routes")
struct RecommendationRouteTests {
    /// A client's open job and a worker who has not acted on it.
    static func subjects(_ fixture: ServiceFixture) -> (job: String, worker: String) {
        (fixture.openJob, fixture.worker)
    }

    @Test("generate for a person and for an opportunity: ranked items with breakdowns, a recommendation id, then a cache hit")
    func generate() async throws {
        let fixture = try await ServiceFixture.make()
        let (job, _) = Self.subjects(fixture)
        try await fixture.test { client in
            let first = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: #"{"opportunity_id":"\#(job)","count":3,"explain":true}"#)
            #expect(first.status == .ok)
            let items = try #require(first.object["items"] as? [[String: Any]])
            #expect(!items.isEmpty && items.count <= 3)
            #expect(items.map { $0["rank"] as? Int } == Array(1...items.count).map { Optional($0) })
            #expect(items.allSatisfy { ($0["breakdown"] as? [Any])?.isEmpty == false && $0["reasons"] != nil })
            #expect((first.object["recommendation_id"] as? String)?.hasPrefix("rec-") == true)
            #expect(first.object["cached"] as? Bool == false)
            let second = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: #"{"opportunity_id":"\#(job)","count":3,"explain":true}"#)
            #expect(second.object["cached"] as? Bool == true)
            #expect((second.object["items"] as? [[String: Any]])?.map { $0["id"] as? String } == items.map { $0["id"] as? String })
            #expect(second.object["recommendation_id"] as? String != first.object["recommendation_id"] as? String)
            let person = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: #"{"person_id":"\#(fixture.worker)","mode":"rule_based"}"#)
            #expect(person.status == .ok)
            #expect(person.object["mode"] as? String == "rule_based")
        }
    }

    @Test("a write about the subject makes its cached list unreachable")
    func cacheInvalidation() async throws {
        let fixture = try await ServiceFixture.make()
        let (job, worker) = Self.subjects(fixture)
        try await fixture.test { client in
            let body = #"{"opportunity_id":"\#(job)","count":5}"#
            _ = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: body)
            #expect(try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: body).object["cached"] as? Bool == true)
            let event = #"{"event_id":"apply-1","person_id":"\#(worker)","opportunity_id":"\#(job)","type":"apply","timestamp":"\#(Timestamp.now.iso8601)"}"#
            #expect(try await client.call(.post, "/api/v1/events", key: fixture.write, json: event).status == .created)
            let after = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: body)
            #expect(after.object["cached"] as? Bool == false)
        }
    }

    @Test(
        "reads about a subject written concurrently all finish: a read waiting for the next engine build starts it rather than rejoining the last one",
        // A guard against a hang, not a speed check: the whole suite runs in parallel on 2 cores.
        .timeLimit(.minutes(10)))
    func readsDuringWrites() async throws {
        let fixture = try await ServiceFixture.make()
        let (job, worker) = Self.subjects(fixture)
        try await fixture.test { client in
            for round in 0..<6 {
                try await withThrowingTaskGroup(of: Int.self) { group in
                    group.addTask {
                        let event = #"{"event_id":"view-\#(round)","person_id":"\#(worker)","opportunity_id":"\#(job)","type":"view","timestamp":"\#(Timestamp.now.iso8601)"}"#
                        return try await client.call(.post, "/api/v1/events", key: fixture.write, json: event).status.code
                    }
                    for _ in 0..<4 {
                        group.addTask {
                            try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: #"{"opportunity_id":"\#(job)","count":3}"#).status.code
                        }
                    }
                    for try await status in group { #expect(status == 200 || status == 201) }
                }
            }
        }
    }

    @Test(
        "invalid requests name the field and say what to do, in exact words",
        arguments: [
            (#"{"count":3}"#, 400, "person_id", "person_id is missing; give person_id (opportunities for a person) or opportunity_id (people for an opportunity)."),
            (#"{"person_id":"a","opportunity_id":"b"}"#, 422, "opportunity_id", "Give person_id or opportunity_id, not both."),
            (#"{"person_id":"nobody"}"#, 404, "person_id", "person 'nobody' is not in the marketplace; check the id, or import the person first."),
            (#"{"person_id":"cleaner-1","count":0}"#, 422, "count", "count 0 must be between 1 and 1000."),
            (#"{"person_id":"cleaner-1","count":2.5}"#, 400, "count", "count is a number, but it must be an integer."),
            (#"{"person_id":"cleaner-1","mode":"magic"}"#, 422, "mode", "mode 'magic' is not a recommendation mode; use one of rule_based, similarity, neighbourhood, collaborative, popularity, neural, ensemble, ranked."),
            (#"{"person_id":"cleaner-1","explain":"yes"}"#, 400, "explain", "explain is a string, but it must be true or false."),
            (#"{"person_id":"cleaner-1","filters":{"max_distance":-4}}"#, 422, "filters.max_distance", "max distance -4.0 km must be a positive number of kilometres, at most 20040."),
            (#"{"person_id":"cleaner-1","filters":{"radius":4}}"#, 400, "filters.radius", "filters.radius is not a known field; the fields are exclude, facets, max_distance, max_price, min_price, prerequisites, starts_after, starts_before."),
            (#"{"person_id":"cleaner-1","filters":{"min_price":50,"max_price":10}}"#, 422, "filters.min_price", "filters.min_price 50.0 is above filters.max_price 10.0; swap them."),
            (#"{"person_id":"cleaner-1","filters":{"max_price":2e12}}"#, 422, "filters.max_price", "filters.max_price 2000000000000.0 must be between 0 and 1000000000000 (10¹²)."),
            (#"{"person_id":"cleaner-1","pool":"applicants"}"#, 422, "pool", "pool applicants ranks an opportunity's applicants; use it with opportunity_id."),
            (#"{"person_id":"cleaner-1","filters":{"facets":{"service":null}}}"#, 422, "filters.facets.service", "filters.facets.service lists no values; give at least one or drop the filter."),
        ])
    func invalid(body: String, status: Int, field: String, message: String) async throws {
        let fixture = try await ServiceFixture.make()
        try await fixture.test { client in
            let response = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: body)
            #expect(Int(response.status.code) == status)
            #expect(response.object["field"] as? String == field)
            #expect(response.object["message"] as? String == message)
        }
    }

    @Test("batch answers each subject, with an error entry for an unknown one")
    func batch() async throws {
        let fixture = try await ServiceFixture.make()
        let (job, worker) = Self.subjects(fixture)
        try await fixture.test { client in
            let response = try await client.call(
                .post, "/api/v1/recommendations/batch", key: fixture.read,
                json: #"{"requests":[{"opportunity_id":"\#(job)","count":2},{"person_id":"\#(worker)"},{"person_id":"ghost"}]}"#)
            #expect(response.status == .ok)
            let results = try #require(response.object["results"] as? [[String: Any]])
            #expect(results.map { $0["status"] as? Int } == [200, 200, 404])
            #expect(((results[2]["error"] as? [String: Any])?["field"] as? String) == "requests[2].person_id")
            let tooMany = try await client.call(
                .post, "/api/v1/recommendations/batch", key: fixture.read,
                json: "{\"requests\":[" + Array(repeating: #"{"person_id":"\#(worker)"}"#, count: 101).joined(separator: ",") + "]}")
            #expect(tooMany.status == .unprocessableContent)
        }
    }

    @Test("similar opportunities and people")
    func similar() async throws {
        let fixture = try await ServiceFixture.make()
        let job = fixture.marketplace.opportunities[0].id.rawValue
        try await fixture.test { client in
            let jobs = try await client.call(.get, "/api/v1/opportunities/\(job)/similar?count=3&include_closed=true", key: fixture.read)
            #expect(jobs.status == .ok)
            // Three other jobs, each with its similarity and what it rests on.
            let items = try #require(jobs.object["items"] as? [[String: Any]])
            #expect(items.count == 3 && !items.contains { $0["id"] as? String == job })
            #expect(items.allSatisfy { ($0["similarity"] as? Double).map { $0 > 0 } ?? false && $0["basis"] != nil }, "\(items)")
            let people = try await client.call(.get, "/api/v1/people/\(fixture.worker)/similar", key: fixture.read)
            #expect(people.status == .ok)
            let similarPeople = try #require(people.object["items"] as? [[String: Any]])
            #expect(!similarPeople.isEmpty && !similarPeople.contains { $0["id"] as? String == fixture.worker })
            #expect(try await client.call(.get, "/api/v1/opportunities/ghost/similar", key: fixture.read).status == .notFound)
            #expect(try await client.call(.get, "/api/v1/opportunities/\(job)/similar?count=x", key: fixture.read).status == .badRequest)
        }
    }

    @Test("every served list is recorded; outcomes and feedback are stored with their events and read back")
    func tracking() async throws {
        let fixture = try await ServiceFixture.make()
        let (job, _) = Self.subjects(fixture)
        let before = try await fixture.store.counts().interactions
        try await fixture.test { client in
            let list = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: #"{"opportunity_id":"\#(job)","count":3}"#)
            let id = try #require(list.object["recommendation_id"] as? String)
            let item = try #require((list.object["items"] as? [[String: Any]])?.first?["id"] as? String)
            let outcome = try await client.call(.post, "/api/v1/recommendations/\(id)/outcome", key: fixture.write, json: #"{"item_id":"\#(item)","outcome":"viewed"}"#)
            #expect(outcome.status == .created)
            let repeated = try await client.call(.post, "/api/v1/recommendations/\(id)/outcome", key: fixture.write, json: #"{"item_id":"\#(item)","outcome":"viewed"}"#)
            #expect(repeated.status == .ok && repeated.object["recorded"] as? Bool == false)
            let notListed = try await client.call(.post, "/api/v1/recommendations/\(id)/outcome", key: fixture.write, json: #"{"item_id":"someone-else","outcome":"hired"}"#)
            #expect(notListed.status == .unprocessableContent && notListed.object["field"] as? String == "item_id")
            let badOutcome = try await client.call(.post, "/api/v1/recommendations/\(id)/outcome", key: fixture.write, json: #"{"item_id":"\#(item)","outcome":"liked"}"#)
            #expect(badOutcome.status == .unprocessableContent && badOutcome.object["field"] as? String == "outcome")
            // Schema-valid, refused by the event's rule: a bid needs its amount (422, not 400).
            let bidWithoutAmount = try await client.call(.post, "/api/v1/recommendations/\(id)/outcome", key: fixture.write, json: #"{"item_id":"\#(item)","outcome":"bid_placed"}"#)
            #expect(bidWithoutAmount.status == .unprocessableContent && bidWithoutAmount.object["field"] as? String == "value", "\(bidWithoutAmount.text)")
            #expect(try await client.call(.post, "/api/v1/recommendations/rec-none/outcome", key: fixture.write, json: #"{"item_id":"x","outcome":"viewed"}"#).status == .notFound)
            let feedback = try await client.call(
                .post, "/api/v1/feedback", key: fixture.write,
                json: #"{"person_id":"\#(item)","opportunity_id":"\#(job)","reason":"too_far","comment":"45 minutes away","recommendation_id":"\#(id)"}"#)
            #expect(feedback.status == .created)
            let badReason = try await client.call(.post, "/api/v1/feedback", key: fixture.write, json: #"{"person_id":"\#(item)","opportunity_id":"\#(job)","reason":"meh"}"#)
            #expect(badReason.status == .unprocessableContent && badReason.object["field"] as? String == "reason")
            let detail = try await client.call(.get, "/api/v1/recommendations/\(id)", key: fixture.read)
            #expect(detail.status == .ok)
            #expect((detail.object["outcomes"] as? [[String: Any]])?.first?["outcome"] as? String == "viewed")
            #expect((detail.object["feedback"] as? [[String: Any]])?.first?["reason"] as? String == "too_far")
            let served = try #require(detail.object["list"] as? [String: Any])
            #expect((served["items"] as? [[String: Any]])?.count == (list.object["items"] as? [Any])?.count)
            let lists = try await client.call(.get, "/api/v1/recommendations?opportunity_id=\(job)", key: fixture.read)
            #expect((lists.object["items"] as? [[String: Any]])?.contains { $0["id"] as? String == id } == true)
            #expect((try await client.call(.get, "/api/v1/outcomes?recommendation_id=\(id)", key: fixture.read).object["items"] as? [Any])?.count == 1)
            #expect((try await client.call(.get, "/api/v1/feedback?recommendation_id=\(id)", key: fixture.read).object["items"] as? [Any])?.count == 1)
        }
        // The outcome and the feedback are also events the models learn from.
        #expect(try await fixture.store.counts().interactions == before + 2)
    }

    @Test("retrain runs in the background, one at a time, and the new models serve when it succeeds")
    func retrain() async throws {
        let fixture = try await ServiceFixture.make()
        try await fixture.test { client in
            // The neural model first: its training takes far longer than the next request.
            let start = try await client.call(.post, "/api/v1/models/retrain", key: fixture.admin, json: #"{"models":["neural","als"]}"#)
            #expect(start.status == .accepted)
            let busy = try await client.call(.post, "/api/v1/models/retrain", key: fixture.admin, json: #"{"models":["als"]}"#)
            #expect(busy.status == .conflict)
            #expect(busy.object["code"] as? String == "retrain_running")
            #expect(busy.headers[.retryAfter] == "30")
            let status = try await Self.finishedRetrain(client, key: fixture.read)
            let retrain = try #require(status["retrain"] as? [String: Any])
            #expect(retrain["state"] as? String == "succeeded")
            let version = try #require((retrain["versions"] as? [String])?.last)
            #expect((status["serving"] as? [String: String])?["als"] == version)
            let models = try #require(status["models"] as? [[String: Any]])
            #expect(models.contains { $0["version"] as? String == version && $0["serving"] as? Bool == true && $0["metrics"] != nil })
            let bad = try await client.call(.post, "/api/v1/models/retrain", key: fixture.admin, json: #"{"models":["svd"]}"#)
            #expect(bad.status == .unprocessableContent && bad.object["field"] as? String == "models[0]")
            let list = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: #"{"opportunity_id":"\#(fixture.openJob)","mode":"collaborative"}"#)
            #expect((list.object["answered_by"] as? [String])?.contains("collaborative") == true)
            #expect((list.object["model_version"] as? String)?.contains(version) == true)
        }
    }

    @Test("retrain trains the learned ranker; it then ranks a job's bidders (mode ranked, and the ensemble's final stage) with its version and points that sum to the score")
    func retrainRanker() async throws {
        let fixture = try await ServiceFixture.make(small: true)
        try await fixture.test { client in
            let before = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: #"{"opportunity_id":"\#(fixture.openJob)","mode":"ranked","pool":"applicants"}"#)
            #expect(before.status == .ok)
            #expect((before.object["answered_by"] as? [String])?.contains("ranked") == false)
            let start = try await client.call(.post, "/api/v1/models/retrain", key: fixture.admin, json: #"{"models":["ranker"]}"#)
            #expect(start.status == .accepted)
            let status = try await Self.finishedRetrain(client, key: fixture.read)
            let retrain = try #require(status["retrain"] as? [String: Any])
            #expect(retrain["state"] as? String == "succeeded", "\(retrain)")
            let version = try #require((retrain["versions"] as? [String])?.last)
            #expect(version.hasPrefix("ranker-"))
            #expect((status["serving"] as? [String: String])?["ranker"] == version)
            // An open job with bids from several cleaners.
            let bids = Dictionary(grouping: fixture.marketplace.interactions.filter { $0.type == .bid }, by: \.opportunity).mapValues { Set($0.map(\.person)).count }
            let job = try #require(fixture.marketplace.opportunities.first { $0.status == .open && (bids[$0.id] ?? 0) >= 2 }).id.rawValue
            for mode in ["ranked", "ensemble"] {
                let list = try await client.call(
                    .post, "/api/v1/recommendations/generate", key: fixture.read, json: #"{"opportunity_id":"\#(job)","mode":"\#(mode)","pool":"applicants","explain":true}"#)
                #expect(list.status == .ok)
                #expect(list.object["answered_by"] as? [String] == ["ranked"], "\(mode): \(list.object["fallbacks"] ?? "")")
                #expect((list.object["model_version"] as? String)?.contains(version) == true)
                let items = try #require(list.object["items"] as? [[String: Any]])
                #expect(!items.isEmpty)
                for item in items {
                    let score = try #require(item["score"] as? Double)
                    let points = ((item["breakdown"] as? [[String: Any]]) ?? []).compactMap { $0["points"] as? Double }.reduce(0, +)
                    #expect(abs(points - score) < 0.05, "\(mode): points \(points), score \(score)")
                }
            }
        }
    }

    /// The models' status once the retrain has finished; fails the test after 120 s.
    static func finishedRetrain(_ client: some TestClientProtocol, key: String) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            let status = try await client.call(.get, "/api/v1/models/status", key: key).object
            if let retrain = status["retrain"] as? [String: Any], retrain["state"] as? String != "running" { return status }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the retrain did not finish within 120 s")
        throw CancellationError()
    }

    @Test("A failed retrain is logged at error with its reason, and the serving models stay")
    func failedRetrainIsLogged() async throws {
        let logs = CapturedLogs()
        // Without reviews, mf cannot be trained.
        let fixture = try await ServiceFixture.make(logger: logs.logger(), keeping: { $0.type != .rate })
        try await fixture.test { client in
            let start = try await client.call(.post, "/api/v1/models/retrain", key: fixture.admin, json: #"{"models":["mf"]}"#)
            #expect(start.status == .accepted)
            let status = try await Self.finishedRetrain(client, key: fixture.read)
            let retrain = try #require(status["retrain"] as? [String: Any])
            #expect(retrain["state"] as? String == "failed")
            let reason = try #require(retrain["error"] as? String)
            #expect(reason.contains("mf needs at least"), "\(reason)")
            let failed = logs.lines.filter { $0.message.hasPrefix("Retrain failed") }
            #expect(failed.count == 1)
            #expect(failed.first?.level == .error)
            #expect(failed.first?.metadata["reason"] == reason)
            #expect(failed.first?.metadata["models"] == "mf")
        }
    }
}
