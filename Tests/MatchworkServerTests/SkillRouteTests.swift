import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import MatchworkServer

/// `/skill-gaps/analyze`, `/skill-gaps/predict` and `/learning-paths/generate` (issue 24).
@Suite("Skill gap and learning path routes")
struct SkillRouteTests {
    @Test("a learner's gaps, structured and worded; a cohort's; the same answer again until a write changes the learner")
    func analyze() async throws {
        let fixture = try await ServiceFixture.make(learning: true)
        try await fixture.test { client in
            let answer = try await client.call(.post, "/api/v1/skill-gaps/analyze", key: fixture.read, json: #"{"person_id":"learner-3"}"#)
            #expect(answer.status == .ok, "\(answer.text)")
            let target = try #require(answer.object["target"] as? [String: Any])
            #expect(target["kind"] as? String == "occupation" && target["chosen_by"] as? String == "stated target occupation")
            let gaps = try #require(answer.object["gaps"] as? [[String: Any]])
            #expect(!gaps.isEmpty)
            let first = try #require(gaps.first)
            for key in ["skill", "held", "asked", "importance", "gap", "weight", "reason", "open_postings", "demand"] { #expect(first[key] != nil, "\(key)") }
            let weights = gaps.compactMap { $0["weight"] as? Double }
            #expect(weights == weights.sorted(by: >))
            #expect((first["reason"] as? String)?.contains(" ask ") == true)
            #expect(answer.object["readiness"] is [String: Any] && answer.object["nearest_targets"] is [[String: Any]])

            // A stated skill raised by a write: the next answer sees it (read-your-writes).
            let skill = try #require(first["skill"] as? String), asked = try #require(first["asked"] as? Double)
            let patch = try await client.call(.patch, "/api/v1/people/learner-3", key: fixture.write, json: #"{"skills":{"\#(skill)":\#(min(7, asked + 0.5))}}"#)
            #expect(patch.status == .ok, "\(patch.text)")
            let after = try await client.call(.post, "/api/v1/skill-gaps/analyze", key: fixture.read, json: #"{"person_id":"learner-3"}"#)
            let skillsAfter = (after.object["gaps"] as? [[String: Any]])?.compactMap { $0["skill"] as? String } ?? []
            #expect(after.status == .ok && !skillsAfter.contains(skill), "\(skill) still a gap: \(after.text)")

            let cohort = try await client.call(.post, "/api/v1/skill-gaps/analyze", key: fixture.read, json: #"{"cohort":"all","limit":5}"#)
            #expect(cohort.status == .ok, "\(cohort.text)")
            #expect((cohort.object["skills"] as? [[String: Any]])?.count ?? 0 <= 5)
            #expect((cohort.object["learners"] as? Int ?? 0) >= 40)
        }
    }

    @Test("a path re-plans after a completion: the course passed leaves the path and its skills count as held")
    func replansAfterPass() async throws {
        let fixture = try await ServiceFixture.make(learning: true)
        try await fixture.test { client in
            let before = try await client.call(.post, "/api/v1/learning-paths/generate", key: fixture.read, json: #"{"person_id":"learner-3"}"#)
            let steps = try #require(before.object["steps"] as? [[String: Any]])
            let first = try #require(steps.first), course = try #require(first["course"] as? String)
            let closed = try #require(first["closes"] as? [[String: Any]]).compactMap { $0["skill"] as? String }
            #expect(!closed.isEmpty)
            // At the marketplace's reference time: one event far past it would not move the clock.
            let at = try #require(before.object["at"] as? String)
            let event = #"{"event_id":"replan-1","person_id":"learner-3","opportunity_id":"\#(course)","type":"pass","timestamp":"\#(at)"}"#
            let posted = try await client.call(.post, "/api/v1/events", key: fixture.write, json: event)
            #expect(posted.status == .created, "\(posted.text)")
            let after = try await client.call(.post, "/api/v1/learning-paths/generate", key: fixture.read, json: #"{"person_id":"learner-3"}"#)
            #expect(after.status == .ok, "\(after.text)")
            let courses = (after.object["steps"] as? [[String: Any]] ?? []).compactMap { $0["course"] as? String }
            #expect(!courses.contains(course), "\(course) still planned: \(courses)")
            let gaps = try await client.call(.post, "/api/v1/skill-gaps/analyze", key: fixture.read, json: #"{"person_id":"learner-3"}"#)
            let open = (gaps.object["gaps"] as? [[String: Any]] ?? []).compactMap { $0["skill"] as? String }
            #expect(Set(open).isDisjoint(with: closed), "gaps \(open) still include what \(course) closed: \(closed)")
        }
    }

    @Test("path_first leads a learner's course list with the next course of their path, the same one the path route plans first")
    func pathFirstRecommendations() async throws {
        let fixture = try await ServiceFixture.make(learning: true)
        try await fixture.test { client in
            let path = try await client.call(.post, "/api/v1/learning-paths/generate", key: fixture.read, json: #"{"person_id":"learner-3","node_budget":20000}"#)
            let next = try #require((path.object["steps"] as? [[String: Any]])?.first?["course"] as? String)
            let list = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: #"{"person_id":"learner-3","path_first":true,"count":5}"#)
            #expect(list.status == .ok, "\(list.text)")
            let items = try #require(list.object["items"] as? [[String: Any]])
            #expect(items.first?["id"] as? String == next)
            let reason = try #require((items.first?["reasons"] as? [String])?.first)
            #expect(reason.hasPrefix("Step 1 of ") && reason.contains("of your learning path to "), "\(reason)")
            let plain = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: #"{"person_id":"learner-3","count":5}"#)
            #expect(((plain.object["items"] as? [[String: Any]]) ?? []).allSatisfy { (($0["reasons"] as? [String]) ?? []).allSatisfy { !$0.hasPrefix("Step ") } })
            let wrong = try await client.call(.post, "/api/v1/recommendations/generate", key: fixture.read, json: #"{"opportunity_id":"course-1","path_first":true}"#)
            #expect(wrong.status == .unprocessableContent && wrong.text.contains("path_first ranks a learner's courses"), "\(wrong.text)")
        }
    }

    @Test("a path whose every step's prerequisites hold; the predicted impact of following it, with its notice")
    func pathAndPredict() async throws {
        let fixture = try await ServiceFixture.make(learning: true)
        try await fixture.test { client in
            let path = try await client.call(.post, "/api/v1/learning-paths/generate", key: fixture.read, json: #"{"person_id":"learner-3","objective":"expected_time"}"#)
            #expect(path.status == .ok, "\(path.text)")
            let steps = try #require(path.object["steps"] as? [[String: Any]])
            #expect(!steps.isEmpty)
            #expect((path.object["optimality"] as? [String: Any])?["status"] is String)
            let courses = steps.compactMap { $0["course"] as? String }
            #expect(Set(courses).count == courses.count)
            for (n, step) in steps.enumerated() {
                for pre in step["prerequisites"] as? [[String: Any]] ?? [] {
                    if let from = pre["step"] as? Int { #expect(from <= n) }
                }
            }
            let impact = try await client.call(.post, "/api/v1/skill-gaps/predict", key: fixture.read, json: #"{"person_id":"learner-3","path":true}"#)
            #expect(impact.status == .ok, "\(impact.text)")
            let before = try #require(impact.object["before"] as? [String: Any]), after = try #require(impact.object["after"] as? [String: Any])
            #expect((after["gaps"] as? Int ?? 99) <= (before["gaps"] as? Int ?? 0))
            #expect((impact.object["hire_probability_change"] as? Double ?? -1) >= 0)
            #expect((impact.object["notice"] as? String)?.contains("not guarantees") == true)
            // A skill named as people write it is the marketplace's skill of that spelling.
            let raised = try await client.call(.post, "/api/v1/skill-gaps/predict", key: fixture.read, json: #"{"person_id":"learner-3","skills":{"Reading Comprehension":6},"courses":["course-3"]}"#)
            #expect(raised.status == .ok, "\(raised.text)")
            #expect((raised.object["changes"] as? [String])?.count == 2)
            #expect((raised.object["changes"] as? [String])?.first == "Reading comprehension raised to 6", "\(raised.object["changes"] ?? "")")
            let changed = ((raised.object["skills_changed"] as? [[String: Any]]) ?? []).compactMap { $0["skill"] as? String }
            #expect(changed.contains("reading_comprehension"), "\(raised.text)")
        }
    }

    @Test("refusals name the field: exactly one of person_id and cohort, unknown learners and targets, bad levels and objectives, no key")
    func refusals() async throws {
        let fixture = try await ServiceFixture.make(learning: true)
        try await fixture.test { client in
            let cases: [(String, String, HTTPResponse.Status, String)] = [
                ("skill-gaps/analyze", #"{}"#, .unprocessableContent, "person_id"),
                ("skill-gaps/analyze", #"{"person_id":"learner-3","cohort":"all"}"#, .unprocessableContent, "person_id"),
                ("skill-gaps/analyze", #"{"person_id":"nobody"}"#, .notFound, "person_id"),
                ("skill-gaps/analyze", #"{"person_id":"learner-3","target_occupation":"99-9999.00"}"#, .notFound, "target"),
                ("skill-gaps/analyze", #"{"person_id":"learner-3","target_occupation":"x","target_postings":["posting-1"]}"#, .unprocessableContent, "target_postings"),
                ("skill-gaps/analyze", #"{"cohort":"occupation"}"#, .unprocessableContent, "cohort"),
                ("skill-gaps/analyze", #"{"cohort":"all","target_occupation":"15-1252.00"}"#, .unprocessableContent, "target_occupation"),
                ("skill-gaps/analyze", #"{"person_id":"learner-3","limit":101}"#, .unprocessableContent, "limit"),
                ("skill-gaps/analyze", #"{"person_id":"learner-3","top":3}"#, .badRequest, "top"),
                ("skill-gaps/predict", #"{"person_id":"learner-3"}"#, .unprocessableContent, "skills"),
                ("skill-gaps/predict", #"{"person_id":"learner-3","skills":{"programming":8}}"#, .unprocessableContent, "skills.programming"),
                ("skill-gaps/predict", #"{"person_id":"learner-3","skills":{"programming":"4"}}"#, .badRequest, "skills.programming"),
                ("skill-gaps/predict", #"{"person_id":"learner-3","courses":["posting-1"]}"#, .unprocessableContent, "courses"),
                ("skill-gaps/predict", #"{"person_id":"learner-3","skills":{"juggling":3}}"#, .unprocessableContent, "skills"),
                ("skill-gaps/predict", #"{"person_id":"learner-3","courses":["course-999"]}"#, .notFound, "opportunity_id"),
                ("skill-gaps/predict", #"{"skills":{"programming":4}}"#, .badRequest, "person_id"),
                ("learning-paths/generate", #"{"person_id":"learner-3","objective":"fastest"}"#, .unprocessableContent, "objective"),
                ("learning-paths/generate", #"{"person_id":"learner-3","max_hours":0}"#, .unprocessableContent, "max_hours"),
                ("learning-paths/generate", #"{"person_id":"learner-3","node_budget":0}"#, .unprocessableContent, "node_budget"),
            ]
            for (route, body, status, field) in cases {
                let answer = try await client.call(.post, "/api/v1/\(route)", key: fixture.read, json: body)
                #expect(answer.status == status && answer.object["field"] as? String == field, "\(route) \(body): \(answer.text)")
            }
            #expect(try await client.call(.post, "/api/v1/learning-paths/generate", key: nil, json: #"{"person_id":"learner-3"}"#).status == .unauthorized)
        }
    }
}
