import MatchworkCore
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
        #expect(try row("opportunities_for_people", "similarity").ndcgAt10 > popularity.ndcgAt10)
        #expect(try row("people_for_opportunities", "rule_based").ndcgAt10 > (try row("people_for_opportunities", "popularity")).ndcgAt10)
    }

    @Test("Ranking a cleaning job's bidders beats chance")
    func cleaningApplicants() async throws {
        let m = try CleaningMarketplace(seed: 42, size: .standard).generate()
        let report = try await Backtest.run(
            people: m.people, opportunities: m.opportunities, interactions: m.interactions, scenario: .cleaning, modes: [.ruleBased])
        let row = try #require(report.rows.first { $0.direction == "rank_applicants" })
        // About 5.5 bids per job: choosing 3 at random finds the winner about half the time.
        #expect(row.hitRateAt3 > 0.62)
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
