import MatchworkCore
import Testing

/// Skill gaps, their weights and reasons, cohorts and learning paths on a small marketplace whose
/// every figure can be worked out by hand (issue 24).
@Suite("Skill gaps and learning paths")
struct SkillGapTests {
    static let now = Timestamp(year: 2026, month: 6, day: 15)
    static let day: Int64 = 86_400

    static func skill(_ name: String, _ level: Double, _ importance: Double? = nil) throws -> SkillLevel {
        try SkillLevel(skill: name, level: level, importance: importance)
    }

    /// Two occupations: developers (programming and writing) with two open postings and one
    /// closed, analysts (mathematics) with one open. Ana aims at developers, holds programming 2
    /// and passed a course raising writing to 4.
    static func market() throws -> SkillMarket {
        func posting(_ id: String, _ code: String, _ title: String, daysAgo: Int64, open: Bool, _ skills: [SkillLevel]) throws -> Opportunity {
            let start = now.adding(seconds: -daysAgo * day)
            return try Opportunity(
                id: OpportunityID(id), kind: .posting, title: title, required: try Facets([.occupation: [code]]),
                window: try TimeWindow(start: start, end: start.adding(seconds: 30 * day)), status: open ? .open : .closed, skills: skills)
        }
        func course(_ id: String, hours: Double, teaches: [SkillLevel], needs: [SkillLevel] = []) throws -> Opportunity {
            try Opportunity(id: OpportunityID(id), kind: .course, title: id, attributes: try Attributes(["hours": hours, "price": hours * 10]), teaches: teaches, prerequisites: needs)
        }
        let opportunities = [
            // Programming asked 4 (importance 4) and 5 (importance 2), 4 again: weighted (16 + 10 + 16) / 10 = 4.2.
            try posting("dev-1", "15-1252.00", "Software Developers", daysAgo: 5, open: true, [skill("programming", 4, 4), skill("writing", 3, 3)]),
            try posting("dev-2", "15-1252.00", "Software Developers", daysAgo: 10, open: true, [skill("programming", 5, 2)]),
            try posting("dev-3", "15-1252.00", "Software Developers", daysAgo: 200, open: false, [skill("programming", 4, 4), skill("writing", 3, 3)]),
            // Older than a year: not a requirement.
            try posting("dev-old", "15-1252.00", "Software Developers", daysAgo: 400, open: false, [skill("programming", 7, 5)]),
            try posting("ana-1", "15-2041.00", "Statisticians", daysAgo: 3, open: true, [skill("mathematics", 3, 4)]),
            try course("prog-basics", hours: 10, teaches: [skill("programming", 3)]),
            try course("prog-advanced", hours: 20, teaches: [skill("programming", 5)], needs: [skill("programming", 3)]),
            try course("prog-intensive", hours: 45, teaches: [skill("programming", 5)]),
            try course("writing-101", hours: 5, teaches: [skill("writing", 4)]),
        ]
        let ana = try Person(id: "ana", role: .learner, facets: try Facets([.occupation: ["15-1252.00"]]), skills: [skill("programming", 2), skill("mathematics", 3.5)])
        let ben = try Person(id: "ben", role: .learner, skills: [])
        let cleo = try Person(id: "cleo", role: .learner, facets: try Facets([.occupation: ["15-1252.00"]]), skills: [skill("programming", 4.5), skill("writing", 3)])
        let events = [
            try Interaction(eventID: "e1", person: "ana", opportunity: "writing-101", type: .enroll, timestamp: now.adding(seconds: -20 * day)),
            try Interaction(eventID: "e2", person: "ana", opportunity: "writing-101", type: .pass, timestamp: now.adding(seconds: -10 * day)),
            try Interaction(eventID: "e3", person: "ben", opportunity: "ana-1", type: .apply, timestamp: now.adding(seconds: -1 * day)),
        ]
        let snapshot = try MarketplaceSnapshot(people: [ana, ben, cleo], opportunities: opportunities, interactions: events, now: now)
        return SkillMarket(snapshot: snapshot, growth: ["programming": 0.14, "writing": -0.5])
    }

    @Test("Requirements: importance-weighted levels and shares from the last year's postings")
    func requirements() throws {
        let market = try Self.market()
        let analysis = try market.analyze(person: "ana")
        #expect(analysis.target.code == "15-1252.00")
        #expect(analysis.target.chosenBy == "stated target occupation")
        #expect(analysis.target.postings == 3)
        #expect(analysis.target.openPostings == 2)
        let programming = try #require(analysis.gaps.first { $0.skill == "programming" })
        #expect(abs(programming.asked - 4.2) < 1e-12)
        #expect(abs(programming.importance - 10.0 / 3) < 1e-12)
        #expect(programming.held == 2)
        #expect(abs(programming.gap - 2.2) < 1e-12)
        #expect(programming.heldFrom == "stated")
    }

    @Test("Gap weight = gap × importance × demand; demand = (1 + growth)(open + 1)/(mean open + 1)")
    func weights() throws {
        let market = try Self.market()
        // Open postings ask programming twice, writing once, mathematics once: mean 4/3.
        let demand = try #require(market.demand["programming"])
        #expect(demand.openPostings == 2)
        #expect(abs(demand.index - 1.14 * 3 / (4.0 / 3 + 1)) < 1e-12)
        let gap = try #require(try market.analyze(person: "ana").gaps.first)
        #expect(abs(gap.weight - 2.2 * (10.0 / 3) * demand.index) < 1e-9)
        #expect(gap.reason == "Programming: you have 2, postings for Software Developers ask 4.2 (importance 3.33 of 5); 2 open postings ask for it, demand up 14% over the next 12 months")
    }

    @Test("A course passed raises the level held; met requirements and readiness are listed")
    func passedCourses() throws {
        let analysis = try Self.market().analyze(person: "ana")
        // Writing 4 (from writing-101) meets the 3 asked.
        #expect(analysis.met.map(\.skill) == ["writing"])
        #expect(analysis.met.first?.held == 4)
        #expect(analysis.gaps.map(\.skill) == ["programming"])
        // Ready for the statistician posting (mathematics 3.5 ≥ 3) only.
        #expect(analysis.readiness.readyFor == 1)
        #expect(analysis.readiness.examples == ["ana-1"])
        #expect(analysis.nearestTargets.first?.code == "15-2041.00")
        #expect(analysis.nearestTargets.first?.shortfall == 0)
    }

    @Test("Without a stated target the postings applied to choose it; with neither, a clear error")
    func targets() throws {
        let market = try Self.market()
        let ben = try market.analyze(person: "ben")
        #expect(ben.target.code == "15-2041.00")
        #expect(ben.target.chosenBy == "from the postings you applied to, saved or viewed")
        #expect(ben.gaps.map(\.skill) == ["mathematics"])
        let error = try #require(throws: MatchworkError.self) { try market.analyze(person: "ana", target: .occupation("99-9999.00")) }
        #expect(error.message.hasPrefix("target occupation '99-9999.00' has no postings in the year before 2026-06-15;"))
        let unknown = try #require(throws: MatchworkError.self) { try market.analyze(person: "nobody") }
        #expect(unknown.field == "person_id")
    }

    @Test("Cohort: gaps summed over learners, supply against demand per skill")
    func cohort() throws {
        let market = try Self.market()
        let all = market.cohort(.all)
        #expect(all.learners == 3)
        #expect(all.analyzed == 3)
        let programming = try #require(all.skills.first { $0.skill == "programming" })
        // Ana short 2.2, Cleo short 0 (4.5 ≥ 4.2): one learner.
        #expect(programming.learnersWithGap == 1)
        #expect(programming.demand == 2)
        // Open postings ask programming at (16 + 10) / 6; Cleo holds 4.5 above it.
        #expect(programming.supply == 1)
        #expect(programming.courses == 2)
        let developers = market.cohort(try CohortFilter.parse("occupation=15-1252.00"))
        #expect(developers.learners == 2)
        #expect(throws: MatchworkError.self) { try CohortFilter.parse("occupation") }
    }

    @Test("Path: prerequisites first, cheapest total, each step explained")
    func path() throws {
        let market = try Self.market()
        let path = try market.path(person: "ana")
        // prog-basics (10 h) then prog-advanced (20 h) beat prog-intensive (45 h).
        #expect(path.steps.map(\.course) == ["prog-basics", "prog-advanced"])
        #expect(path.totalHours == 30)
        #expect(path.optimality.status == "optimal")
        #expect(path.steps[1].prerequisites.first?.metBy == "after prog-basics (step 1)")
        #expect(path.steps[1].closes.map(\.skill) == ["programming"])
        #expect(path.steps[0].raises.map(\.skill) == ["programming"])
        #expect(path.unclosed.isEmpty)
        // Ready for both developer postings after it.
        #expect(path.readyAfter == path.readyBefore + 2)
        // Price: the same courses (price is 10 × hours).
        #expect(try market.path(person: "ana", settings: PathSettings(objective: .price)).totalPrice == 300)
        // Under 25 hours no plan closes programming: it is left for later.
        let short = try market.path(person: "ana", settings: PathSettings(maxHours: 25))
        #expect(short.steps.isEmpty)
        #expect(short.unclosed.map(\.skill) == ["programming"])
    }

    // MARK: The planner against exhaustive search

    /// Every subset's cheapest valid order, by brute force.
    static func bruteForce(_ problem: PathPlanner.Problem) -> Double {
        var best = Double.infinity
        let reach = PathPlanner.reachable(problem)
        for mask in 0..<(1 << problem.courses.count) {
            let set = problem.courses.indices.filter { mask & (1 << $0) != 0 }
            let cost = set.reduce(0) { $0 + problem.courses[$1].cost }
            guard cost < best, let order = PathPlanner.order(set, in: problem) else { continue }
            var levels = problem.start
            for c in order { for t in problem.courses[c].teaches { levels[t.skill] = max(levels[t.skill], t.level) } }
            if (0..<problem.skills).allSatisfy({ levels[$0] >= problem.goal[$0] || reach[$0] < problem.goal[$0] }) { best = cost }
        }
        return best
    }

    static func randomProblem(_ rng: inout SeededGenerator, skills: Int, courses: Int) -> PathPlanner.Problem {
        let start = (0..<skills).map { _ in rng.chance(0.5) ? 0 : Double(rng.int(0...3)) }
        let goal = start.map { s in rng.chance(0.6) ? min(7, s + Double(rng.int(1...4))) : 0 }
        let list = (0..<courses).map { _ -> PathPlanner.Course in
            let level = Double(rng.int(1...7))
            let taught = rng.sampleWithoutReplacement([Double](repeating: 1, count: skills), count: rng.int(1...min(3, skills)))
            let needs = level >= 4 && rng.chance(0.7) ? [(skill: taught[0], level: level - 2)] : []
            return PathPlanner.Course(teaches: taught.map { ($0, level) }, prerequisites: needs, cost: Double(rng.int(5...60)))
        }
        return PathPlanner.Problem(start: start, goal: goal, courses: list)
    }

    @Test("Branch and bound finds the optimum of random small problems; greedy plans are valid and never below it", arguments: 0..<8)
    func optimum(seed: UInt64) {
        var rng = SeededGenerator(seed: 1000 + seed)
        for _ in 0..<40 {
            let problem = Self.randomProblem(&rng, skills: rng.int(2...5), courses: rng.int(3...12))
            let exact = PathPlanner.solve(problem)
            let optimum = Self.bruteForce(problem)
            #expect(exact.proven)
            #expect(abs(exact.cost - optimum) < 1e-9, "branch and bound \(exact.cost), exhaustive \(optimum)")
            #expect(PathPlanner.isValid(exact.order, in: problem))
            #expect(Set(exact.order).count == exact.order.count)
            let greedy = PathPlanner.greedy(problem)
            #expect(greedy.cost >= optimum - 1e-9)
            if greedy.cost.isFinite { #expect(PathPlanner.isValid(greedy.order, in: problem)) }
        }
    }

    @Test("A budget too small to prove the optimum returns a valid plan with a lower bound below it")
    func budget() {
        var rng = SeededGenerator(seed: 7)
        let problem = Self.randomProblem(&rng, skills: 8, courses: 40)
        let full = PathPlanner.solve(problem)
        let cut = PathPlanner.solve(problem, nodeBudget: 3)
        #expect(!cut.proven)
        #expect(cut.lowerBound <= full.cost + 1e-9)
        #expect(cut.cost >= full.cost - 1e-9)
        #expect(PathPlanner.isValid(cut.order, in: problem))
    }

    @Test("A course whose prerequisite only a later course gives is never first")
    func prerequisiteCycle() {
        // Course 0 teaches a to 5 needing b ≥ 2; course 1 teaches b to 2 needing a ≥ 5; course 2
        // teaches b to 2 needing nothing. The goal a ≥ 5 needs course 0, whose prerequisite only
        // course 2 can give first.
        let problem = PathPlanner.Problem(
            start: [0, 0], goal: [5, 0],
            courses: [
                .init(teaches: [(0, 5)], prerequisites: [(1, 2)], cost: 10),
                .init(teaches: [(1, 2)], prerequisites: [(0, 5)], cost: 1),
                .init(teaches: [(1, 2)], prerequisites: [], cost: 8),
            ])
        let solution = PathPlanner.solve(problem)
        #expect(solution.order == [2, 0])
        #expect(solution.cost == 18)
        #expect(solution.proven)
    }

    @Test("Pass history: course rates leave a training result out, earlier results come from earlier runs and unrecorded attempts")
    func passHistoryExamples() throws {
        typealias R = PassHistory.Result
        let history = PassHistory(results: [
            R(learner: "a", course: "X", term: "2013B", outcome: .pass, earlierAttempts: 0, hours: 200),
            R(learner: "b", course: "X", term: "2013B", outcome: .fail, earlierAttempts: 0, hours: 200),
            R(learner: "c", course: "X", term: "2013B", outcome: .withdrawn, earlierAttempts: 0, hours: 200),
            R(learner: "a", course: "Y", term: "2014J", outcome: .pass, earlierAttempts: 0, hours: 250),
            R(learner: "b", course: "X", term: "2014J", outcome: .fail, earlierAttempts: 2, hours: 260),
        ])
        let (train, test) = history.examples(testTerms: ["2014J"], withdrawn: .exclude)
        #expect(train.map(\.row) == [0, 1] && test.map(\.row) == [3, 4])
        // Training: one pass of two results, overall 0.5; a's own pass left out: (0 + 1) / (1 + 2).
        #expect(abs(train[0].features[0] - 1.0 / 3) < 1e-12)
        #expect(abs(train[1].features[0] - 2.0 / 3) < 1e-12)
        // Test: X's full training rate (1 + 1) / (2 + 2); Y has none, so the overall 0.5.
        #expect(abs(test[1].features[0] - 0.5) < 1e-12 && abs(test[0].features[0] - 0.5) < 1e-12)
        // a passed X in 2013B: learner rate (1 + 1) / (1 + 2), √2 results.
        #expect(abs(test[0].features[4] - 2.0 / 3) < 1e-12 && abs(test[0].features[5] - 2.0.squareRoot()) < 1e-12)
        // b failed X in 2013B and states 2 earlier attempts: the recorded one is among them.
        #expect(abs(test[1].features[4] - 1.0 / 4) < 1e-12 && abs(test[1].features[5] - 3.0.squareRoot()) < 1e-12)
        #expect(test[1].features[6] == 26 && test[1].features[1...3] == [0, 1, 0])
        // A withdrawal counted as a failure is a result.
        let (trainFail, _) = history.examples(testTerms: ["2014J"], withdrawn: .fail)
        #expect(trainFail.map(\.row) == [0, 1, 2])
        #expect(throws: MatchworkError.self) { try history.evaluate(testTerms: ["2015B"], withdrawn: .exclude) }
        #expect(throws: MatchworkError.self) { try history.evaluate(testTerms: ["2014J"], withdrawn: .exclude) }
    }

    @Test("The pass model learns an education indicator and leaves it out when no learner states one")
    func passModelEducation() throws {
        var rng = SeededGenerator(seed: 3)
        var examples: [PassProbabilityModel.Example] = []
        for i in 0..<2_000 {
            let degree = i % 2 == 0
            let p = degree ? 0.85 : 0.55
            examples.append(.init(features: [0.7, 2, 1, 0, 0.7, 1, 3], passed: Double.random(in: 0..<1, using: &rng) < p, time: Int64(i), person: 0, course: 0, education: degree ? "degree" : "none"))
        }
        let model = try #require(PassProbabilityModel.fit(examples))
        #expect(model.education == ["degree", "none"])
        #expect(model.features.suffix(2) == ["education=degree", "education=none"])
        let base = [0.7, 2, 1, 0, 0.7, 1, 3]
        #expect(abs(model.probability(base, education: "degree") - 0.85) < 0.04)
        #expect(abs(model.probability(base, education: "none") - 0.55) < 0.04)
        let plain = try #require(PassProbabilityModel.fit(examples.map { var e = $0; e.education = nil; return e }))
        #expect(plain.education.isEmpty && plain.regression.weights.count == PassProbabilityModel.featureNames.count + 1)
    }
}
