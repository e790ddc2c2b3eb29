import MatchworkCore
import Testing

/// Course prerequisites are a hard filter, or a reason in warn mode (issue 21, item 21).
@Suite("Course prerequisites")
struct PrerequisiteTests {
    static let t0 = Timestamp(year: 2025, month: 6, day: 2)

    static func engine() throws -> RecommendationEngine {
        let learner = try Person(
            id: "ana", role: .learner, skills: [try SkillLevel(skill: "speaking", level: 2.5), try SkillLevel(skill: "writing", level: 4)])
        let others = try (1...3).map { try Person(id: PersonID("other-\($0)"), role: .learner, skills: [try SkillLevel(skill: "speaking", level: 4)]) }
        func course(_ id: String, teaches: [(String, Double)], needs: [(String, Double)]) throws -> Opportunity {
            try Opportunity(
                id: OpportunityID(id), kind: .course, title: id, attributes: try Attributes(["hours": 10]),
                teaches: try teaches.map { try SkillLevel(skill: $0.0, level: $0.1) }, prerequisites: try needs.map { try SkillLevel(skill: $0.0, level: $0.1) })
        }
        let courses = [
            try course("public-speaking", teaches: [("speaking", 5)], needs: [("speaking", 3.3)]),
            try course("essays", teaches: [("writing", 5)], needs: [("writing", 3)]),
            try course("seminar", teaches: [("critical_thinking", 4)], needs: [("active_learning", 2)]),
            try course("learning-to-learn", teaches: [("active_learning", 3)], needs: []),
            try course("debate", teaches: [("persuasion", 4)], needs: [("speaking", 3.3), ("judgment", 2.7)]),
        ]
        var events = [try Interaction(eventID: "p1", person: "ana", opportunity: "learning-to-learn", type: .enroll, timestamp: t0)]
        events.append(try Interaction(eventID: "p2", person: "ana", opportunity: "learning-to-learn", type: .pass, timestamp: t0.adding(seconds: 86_400)))
        for (n, other) in others.enumerated() {
            for c in courses { events.append(try Interaction(eventID: "o\(n)-\(c.id)", person: other.id, opportunity: c.id, type: .view, timestamp: t0.adding(seconds: Int64(n) * 60))) }
        }
        let snapshot = try MarketplaceSnapshot(people: [learner] + others, opportunities: courses, interactions: events)
        return try RecommendationEngine(snapshot: snapshot)
    }

    @Test("Strict: courses whose prerequisites the learner lacks are left out and counted; a course passed raises the level")
    func strict() throws {
        let list = try Self.engine().recommend(RecommendationRequest(.person("ana"), count: 10, mode: .ruleBased))
        let ids = Set(list.items.map(\.id))
        #expect(ids == ["essays", "seminar"], "\(ids)")
        #expect(list.filtered["prerequisites"] == 2)
    }

    @Test("Warn: they stay, each unmet prerequisite said first")
    func warn() throws {
        let list = try Self.engine().recommend(
            RecommendationRequest(.person("ana"), count: 10, filters: RecommendationFilters(prerequisites: .warn), mode: .ruleBased))
        let byID = Dictionary(uniqueKeysWithValues: list.items.map { ($0.id, $0) })
        #expect(Set(byID.keys) == ["essays", "seminar", "public-speaking", "debate"])
        #expect(byID["public-speaking"]?.reasons.first == "Needs speaking 3.3; you have 2.5")
        #expect(Array(byID["debate"]?.reasons.prefix(2) ?? []) == ["Needs judgment 2.7; you have 0", "Needs speaking 3.3; you have 2.5"], "in the order of the skills")
        #expect(byID["essays"]?.reasons.contains { $0.hasPrefix("Needs") } == false)
        #expect(list.filtered["prerequisites"] == nil)
    }

    @Test("A policy that is not strict or warn is named")
    func badPolicy() {
        let error = #expect(throws: MatchworkError.self) { try PrerequisitePolicy.parse("loose", field: "--prerequisites") }
        #expect(error?.message == "--prerequisites 'loose' is not a policy; use strict (leave out courses whose prerequisites are not met) or warn (keep them, with why).")
    }
}
