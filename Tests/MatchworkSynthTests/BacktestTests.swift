@testable import MatchworkCore
import MatchworkSynth
import Testing

@Suite("Backtest on synthetic marketplaces")
struct BacktestTests {
    @Test("On the missions marketplace, rule-based and similarity beat the popularity baseline for clinicians")
    func missionsQualityFloor() async throws {
        let m = try MissionsMarketplace(seed: 42, size: .standard).generate()
        let report = try await Backtest.run(
            people: m.people, opportunities: m.opportunities, interactions: m.interactions, scenario: .missions,
            modes: [.ruleBased, .similarity, .popularity])
        #expect(report.outcomeType == "hire")
        #expect(report.testOutcomes > 50)
        func row(_ direction: String, _ mode: String) throws -> Backtest.Row {
            try #require(report.rows.first { $0.direction == direction && $0.mode == mode })
        }
        let popularity = try row("opportunities_for_people", "popularity")
        #expect(try row("opportunities_for_people", "rule_based").hitRateAt3 > popularity.hitRateAt3 + 0.2)
        // The README's table, pinned: the same seed gives the same figures, so a change that
        // moves them is seen here and the README refreshed with it.
        #expect(report.testOutcomes == 135)
        for (direction, mode, subjects, hits, ndcg) in [
            ("opportunities_for_people", "rule_based", 109, 67, 0.5566), ("opportunities_for_people", "similarity", 109, 52, 0.4811),
            ("opportunities_for_people", "popularity", 109, 14, 0.2024), ("people_for_opportunities", "rule_based", 105, 44, 0.4059),
            ("rank_applicants", "rule_based", 105, 101, 0.8988),
        ] {
            let r = try row(direction, mode)
            #expect(r.subjects == subjects, "\(direction) \(mode)")
            #expect(r.hitRateAt3 == Double(hits) / Double(subjects), "\(direction) \(mode): \(r.hitRateAt3 * Double(subjects)) hits")
            #expect(abs(r.ndcgAt10 - ndcg) < 0.00005, "\(direction) \(mode): NDCG@10 \(r.ndcgAt10)")
        }
        #expect(try row("opportunities_for_people", "similarity").ndcgAt10 > popularity.ndcgAt10)
        #expect(try row("people_for_opportunities", "rule_based").ndcgAt10 > (try row("people_for_opportunities", "popularity")).ndcgAt10)
    }

    @Test("Ranking a cleaning job's bidders beats chance")
    func cleaningApplicants() async throws {
        let m = try CleaningMarketplace(seed: 42, size: .standard).generate()
        let report = try await Backtest.run(
            people: m.people, opportunities: m.opportunities, interactions: m.interactions, scenario: .cleaning, modes: [.ruleBased],
            choiceProbabilities: m.groundTruth.choiceProbabilities)
        let row = try #require(report.rows.first { $0.direction == "rank_applicants" })
        // About 5.5 bids per job: choosing 3 at random finds the winner about half the time.
        #expect(row.hitRateAt3 > 0.62)
        // The README's figures, pinned (seed 42): 80.6% top-3 accuracy on 196 jobs.
        #expect(report.testOutcomes == 196)
        #expect(row.subjects == 196 && row.hitRateAt3 == 158.0 / 196.0, "\(row.hitRateAt3 * 196) hits")
        #expect(abs(row.ndcgAt10 - 0.7112) < 0.00005, "NDCG@10 \(row.ndcgAt10)")
        let forPeople = try #require(report.rows.first { $0.direction == "opportunities_for_people" && $0.mode == "rule_based" })
        #expect(forPeople.subjects == 96 && forPeople.hitRateAt3 == 25.0 / 96.0, "\(forPeople.hitRateAt3 * 96) hits")
        #expect(forPeople.answeredBy == ["rule_based": 96])
        // The baselines: the cheapest bid first (75.0%), and the generator's own choice
        // probabilities (97.4%), which no mode beats in expectation and none does here.
        let lowest = try #require(report.rows.first { $0.mode == Backtest.lowestBid })
        #expect(lowest.direction == "rank_applicants" && lowest.subjects == 196 && lowest.hitRateAt3 == 147.0 / 196.0, "\(lowest.hitRateAt3 * 196) hits")
        let ceiling = try #require(report.rows.first { $0.mode == Backtest.ceiling })
        #expect(ceiling.subjects == 196 && ceiling.hitRateAt3 == 191.0 / 196.0, "\(ceiling.hitRateAt3 * 196) hits")
        #expect(report.rows.filter { $0.direction == "rank_applicants" }.allSatisfy { $0.hitRateAt3 <= ceiling.hitRateAt3 })
        // The probabilities are a distribution over each decided job's bidders, every winner among them.
        let choices = m.groundTruth.choiceProbabilities
        #expect(choices.count == m.interactions.count { $0.type == .hire })
        for (job, bidders) in choices.prefix(200) { #expect(abs(bidders.values.reduce(0, +) - 1) < 1e-9, "\(job.rawValue)") }
        for hire in m.interactions where hire.type == .hire { #expect(choices[hire.opportunity]?[hire.person] != nil, "\(hire.opportunity.rawValue)") }
    }

    @Test("A window's engine sees only what happened before its cut: no test outcome, no later event")
    func noLeakage() throws {
        let m = try CleaningMarketplace(seed: 42, size: .small).generate()
        let outcomes = m.interactions.filter { $0.type == .hire }.sorted { $0.timestamp < $1.timestamp }
        let data = Backtest.Data(people: m.people, opportunities: m.opportunities, interactions: m.interactions, outcomes: outcomes, scenario: .cleaning, maxSubjects: 2000)
        let cut = outcomes[outcomes.count * 4 / 5].timestamp, horizonEnd = cut.adding(seconds: 14 * 86_400)
        let window = try data.window(cut: cut, horizonEnd: horizonEnd, configuration: EngineConfiguration(), cache: FeatureCache())
        #expect(window.pairs > 10)
        let snapshot = window.engine.snapshot
        #expect(snapshot.now == cut)
        let tested = Set(window.personSubjects.flatMap { person, jobs in jobs.map { "\(person.rawValue)|\($0)" } })
        var events = 0
        for p in snapshot.people.indices {
            for e in snapshot.events(ofPerson: DenseIndex(p)) {
                events += 1
                #expect(e.time < cut.secondsSinceEpoch, "an event at \(e.time) after the cut \(cut)")
                #expect(!tested.contains("\(snapshot.people[p].id.rawValue)|\(snapshot.opportunities[Int(e.other)].id.rawValue)"), "a test pair's event is in the training history")
            }
        }
        #expect(events > 1000)
        // The applicants' engine adds only the test jobs' views, applications and bids, before the window ends.
        let applicants = window.applicantEngine.snapshot
        for p in applicants.people.indices {
            for e in applicants.events(ofPerson: DenseIndex(p)) where e.time >= cut.secondsSinceEpoch {
                #expect([.view, .apply, .bid].contains(e.type) && e.time < horizonEnd.secondsSinceEpoch, "\(e.type) at \(e.time)")
            }
        }
    }

    @Test("NDCG follows the protocol's definition")
    func ndcgDefinition() {
        #expect(RankingMetrics.ndcg(["a", "b", "c"], relevant: ["a"], k: 10) == 1)
        let second = RankingMetrics.ndcg(["x", "a"], relevant: ["a", "b"], k: 10)
        let expected = (1 / Double.log2(3)) / (1 + 1 / Double.log2(3))
        #expect(abs(second - expected) < 1e-12)
        #expect(RankingMetrics.ndcg(["x"], relevant: [], k: 10) == 0)
        #expect(RankingMetrics.hitRate(["x", "y", "a"], relevant: ["a"], k: 3) == 1)
        #expect(RankingMetrics.hitRate(["x", "y", "z", "a"], relevant: ["a"], k: 3) == 0)
    }
}
