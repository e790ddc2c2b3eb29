import Foundation
import Hummingbird
import HummingbirdTesting
import MatchworkCore
import MatchworkStore
import Testing

/// `/experiments` (issue 26): admin keys create, roll out and stop; requests without a mode are
/// ranked by their subject's arm and recorded with it; the report counts what was served.
@Suite("Experiment routes")
struct ExperimentRouteTests {
    @Test("An experiment assigns unnamed-mode requests to sticky arms, records them, reports them, rolls out and stops")
    func lifecycle() async throws {
        let fixture = try await ServiceFixture.make(small: true)
        try await fixture.test { client in
            let body = #"{"name":"jobs-ab","target":"opportunities","arms":[{"name":"rule","mode":"rule_based"},{"name":"pop","mode":"popularity"}],"description":"rules against popularity"}"#
            #expect(try await client.call(.post, "/api/v1/experiments", key: fixture.read, json: body).status == .forbidden)
            let created = try await client.call(.post, "/api/v1/experiments", key: fixture.admin, json: body)
            #expect(created.status == .created, "\(created.object)")
            #expect(created.object["control"] as? String == "rule")
            // One running experiment per kind of list.
            let again = try await client.call(.post, "/api/v1/experiments", key: fixture.admin, json: body.replacingOccurrences(of: "jobs-ab", with: "jobs-cd"))
            #expect(again.status == .conflict && again.object["field"] as? String == "target")
            let bad = try await client.call(.post, "/api/v1/experiments", key: fixture.admin, json: #"{"name":"x","target":"applicants","arms":[{"name":"a","mode":"rule_based"},{"name":"b","mode":"popularity"}],"shares":{"a":0.8,"b":0.8}}"#)
            #expect(bad.status == .unprocessableContent && bad.object["field"] as? String == "shares")

            let jobs = fixture.marketplace.people.filter { $0.role == .worker }.prefix(16).map(\.id.rawValue)
            var arms: [String: String] = [:], lists: [String: String] = [:]
            for job in jobs {
                let reply = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: #"{"person_id":"\#(job)"}"#)
                guard reply.status == .ok else { Issue.record("\(reply.status) \(reply.object)"); continue }
                #expect(reply.object["experiment"] as? String == "jobs-ab")
                let arm = try #require(reply.object["arm"] as? String)
                #expect(reply.object["mode"] as? String == (arm == "rule" ? "rule_based" : "popularity"))
                arms[job] = arm
                if !((reply.object["items"] as? [Any]) ?? []).isEmpty { lists[job] = reply.object["recommendation_id"] as? String }
            }
            #expect(arms.count >= 6)
            #expect(Set(arms.values) == ["rule", "pop"], "both arms serve: \(arms)")
            // The same subject gets the same arm; a request naming a mode stays outside.
            for (job, arm) in arms.prefix(4) {
                let reply = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: #"{"person_id":"\#(job)"}"#)
                #expect(reply.object["arm"] as? String == arm)
                let named = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: #"{"person_id":"\#(job)","mode":"rule_based"}"#)
                #expect(named.object["experiment"] == nil && named.object["arm"] == nil)
            }
            // The served list keeps its arm.
            let (firstJob, listID) = try #require(lists.first, "some list shows jobs")
            let firstArm = try #require(arms[firstJob])
            let detail = try await client.call(.get, "/api/v1/recommendations/\(listID)", key: fixture.read)
            #expect(((detail.object["list"] as? [String: Any])?["arm"] as? String) == firstArm)

            // A hire on one list shows in the report.
            let items = try #require((detail.object["list"] as? [String: Any])?["items"] as? [[String: Any]])
            let item = try #require(items.first?["id"] as? String, "the list shows jobs")
            do {
                let outcome = try await client.call(.post, "/api/v1/recommendations/\(listID)/outcome", key: fixture.write, json: #"{"item_id":"\#(item)","outcome":"hired","value":100}"#)
                #expect(outcome.status == .created)
            }
            // Served lists are written in the background: wait until the report has every subject and the hire.
            var report = try await client.call(.get, "/api/v1/experiments/jobs-ab/report", key: fixture.read)
            for _ in 0..<200 {
                let counted = ((report.object["arms"] as? [[String: Any]]) ?? []).reduce(0) { $0 + ($1["subjects"] as? Int ?? 0) }
                let hires = ((report.object["arms"] as? [[String: Any]]) ?? []).reduce(0) { $0 + ($1["filled"] as? Int ?? 0) }
                if counted == arms.count && hires == 1 { break }
                try await Task.sleep(for: .milliseconds(25))
                report = try await client.call(.get, "/api/v1/experiments/jobs-ab/report", key: fixture.read)
            }
            #expect(report.status == .ok)
            let reportArms = try #require(report.object["arms"] as? [[String: Any]])
            let subjects = Dictionary(uniqueKeysWithValues: reportArms.map { ($0["name"] as! String, $0["subjects"] as! Int) })
            #expect(subjects["rule"] == arms.values.count { $0 == "rule" } && subjects["pop"] == arms.values.count { $0 == "pop" })
            let hired = reportArms.first { $0["name"] as? String == firstArm }
            #expect(((hired?["subject_rates"] as? [String: Double])?["hire"] ?? 0) > 0, "\(report.object)")
            // The hire was the list's first item: that arm ranked its one hired list perfectly.
            #expect(hired?["hired_lists"] as? Int == 1 && hired?["ndcg_at10"] as? Double == 1 && hired?["hit_rate_at3"] as? Double == 1, "\(hired ?? [:])")
            let other = reportArms.first { $0["name"] as? String != firstArm }
            #expect(other?["hired_lists"] as? Int == 0 && other?["ndcg_at10"] == nil)
            #expect(((report.object["treatments"] as? [[String: Any]])?.first?["sequential"] as? [String: Any])?["decision"] as? String == "keep running")

            // Rolling out: all of pop's subjects stay in pop, and with pop at 100% everyone moves there.
            let rolled = try await client.call(.patch, "/api/v1/experiments/jobs-ab", key: fixture.admin, json: #"{"shares":{"rule":0,"pop":1}}"#)
            #expect(rolled.status == .ok && (rolled.object["rollout"] as? [Any])?.count == 2)
            for job in arms.keys {
                let reply = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: #"{"person_id":"\#(job)"}"#)
                #expect(reply.object["arm"] as? String == "pop")
            }
            // Stopped: no more assignment; the report stays.
            let stopped = try await client.call(.post, "/api/v1/experiments/jobs-ab/stop", key: fixture.admin)
            #expect(stopped.object["status"] as? String == "stopped")
            let after = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: #"{"person_id":"\#(firstJob)"}"#)
            #expect(after.object["experiment"] == nil)
            #expect(try await client.call(.get, "/api/v1/experiments/jobs-ab/report", key: fixture.read).status == .ok)
            let listed = try await client.call(.get, "/api/v1/experiments", key: fixture.read)
            #expect((listed.object["experiments"] as? [[String: Any]])?.map { $0["name"] as? String } == ["jobs-ab"])
            #expect(try await client.call(.get, "/api/v1/experiments/nope", key: fixture.read).status == .notFound)
            #expect(try await client.call(.get, "/api/v1/experiments/Bad%20Name", key: fixture.read).status == .unprocessableContent)
        }
    }

    @Test("An arm can pin a registry version: its lists are ranked by that version; a version that does not load, another kind, or a ranker on an unranked arm is refused")
    func pinnedVersions() async throws {
        let fixture = try await ServiceFixture.make(small: true)
        // A neural version in the registry (trained briefly), which the serving engine does not load.
        var configuration = NeuralTraining.Configuration()
        configuration.windows = 3
        configuration.trainer.epochs = 3
        let m = fixture.marketplace
        let run = try RegistryTraining.trainNeural(
            people: m.people, opportunities: m.opportunities, interactions: m.interactions, scenario: .cleaning, configuration: configuration,
            engineConfiguration: EngineConfiguration())
        let registry = ModelRegistry(directory: fixture.directory + "/models")
        let version = try RegistryTraining.saveNeural(run, registry: registry).version
        try await fixture.test { client in
            let refused: [(String, String)] = [
                (#"{"name":"p","target":"opportunities","arms":[{"name":"a","mode":"neural","models":{"neural":"neural-999999"}},{"name":"b","mode":"rule_based"}]}"#, "arms[0].models.neural"),
                (#"{"name":"p","target":"opportunities","arms":[{"name":"a","mode":"neural","models":{"als":"als-000001"}},{"name":"b","mode":"rule_based"}]}"#, "arms[0].models.als"),
                (#"{"name":"p","target":"opportunities","arms":[{"name":"a","mode":"ensemble","models":{"ranker":"ranker-000001"}},{"name":"b","mode":"rule_based"}]}"#, "arms[0].models.ranker"),
                (#"{"name":"p","target":"opportunities","arms":[{"name":"a","mode":"rule_based","models":{"neural":"neural-1"}},{"name":"b","mode":"rule_based"}]}"#, "arms[0].models.neural"),
            ]
            for (body, field) in refused {
                let answer = try await client.call(.post, "/api/v1/experiments", key: fixture.admin, json: body)
                #expect(answer.status == .unprocessableContent && answer.object["field"] as? String == field, "\(body): \(answer.text)")
            }
            let body = #"{"name":"pinned","target":"opportunities","arms":[{"name":"plain","mode":"rule_based"},{"name":"pinned","mode":"neural","models":{"neural":"\#(version)"}}],"shares":{"plain":0,"pinned":1}}"#
            let created = try await client.call(.post, "/api/v1/experiments", key: fixture.admin, json: body)
            #expect(created.status == .created, "\(created.text)")
            #expect(((created.object["arms"] as? [[String: Any]])?.last?["models"] as? [String: String])?["neural"] == version)
            var served = 0
            for worker in m.people.filter({ $0.role == .worker }).prefix(6) {
                let reply = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: #"{"person_id":"\#(worker.id)"}"#)
                guard reply.status == .ok, !((reply.object["items"] as? [Any]) ?? []).isEmpty else { continue }
                #expect(reply.object["arm"] as? String == "pinned")
                #expect(reply.object["answered_by"] as? [String] == ["neural"], "\(reply.object["fallbacks"] ?? "")")
                #expect((reply.object["model_version"] as? String)?.contains(version) == true, "\(reply.object["model_version"] ?? "none")")
                served += 1
            }
            #expect(served >= 3)
            // Outside the experiment (a request naming its mode) the serving engine has no neural model.
            let worker = try #require(m.people.first { $0.role == .worker })
            let outside = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: #"{"person_id":"\#(worker.id)","mode":"neural"}"#)
            #expect(outside.object["experiment"] == nil && outside.object["answered_by"] as? [String] != ["neural"], "\(outside.text)")
        }
    }

    @Test("A hire recorded on a bidder without a value takes the amount of the worker's bid on the job")
    func hiresLinkToTheBid() async throws {
        let fixture = try await ServiceFixture.make(small: true)
        try await fixture.test { client in
            let m = fixture.marketplace
            let bids = m.interactions.filter { $0.type == .bid }
            let open = Set(m.opportunities.filter { $0.status == .open }.map(\.id))
            var done = false
            for job in Set(bids.map(\.opportunity)).intersection(open).sorted(by: { $0.rawValue < $1.rawValue }) where !done {
                let reply = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: #"{"opportunity_id":"\#(job)","pool":"applicants"}"#)
                guard reply.status == .ok, let items = reply.object["items"] as? [[String: Any]], let first = items.first?["id"] as? String,
                    let listID = reply.object["recommendation_id"] as? String
                else { continue }
                let amount = try #require(bids.last { $0.opportunity == job && $0.person.rawValue == first }?.value)
                let hired = try await client.call(.post, "/api/v1/recommendations/\(listID)/outcome", key: fixture.write, json: #"{"item_id":"\#(first)","outcome":"hired"}"#)
                #expect(hired.status == .created)
                #expect((hired.object["outcome"] as? [String: Any])?["value"] as? Double == amount)
                // A value given is kept as given.
                let completed = try await client.call(.post, "/api/v1/recommendations/\(listID)/outcome", key: fixture.write, json: #"{"item_id":"\#(first)","outcome":"completed","value":12.5}"#)
                #expect((completed.object["outcome"] as? [String: Any])?["value"] as? Double == 12.5)
                done = true
            }
            #expect(done, "an open job with bidders answered")
        }
    }
}
