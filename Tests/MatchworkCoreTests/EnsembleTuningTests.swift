@testable import MatchworkCore
import Testing

@Suite("Ensemble tuning")
struct EnsembleTuningTests {
    /// Alice's eligible missions with component scores replaced: popularity alone ranks the
    /// relevant mission first, every other component ranks it last.
    func plantedSample() throws -> (ComponentSample, relevant: Int) {
        let engine = try RecommendationEngine(snapshot: try MissionsFixture().snapshot())
        var sample = try #require(try engine.componentSample(RecommendationRequest(.person("alice"), count: 10), relevant: ["ok"]))
        let count = sample.query.candidates.count
        try #require(count >= 2)
        let relevant = try #require(sample.relevant.first)
        for k in sample.values.indices {
            let isPopularity = EnsembleWeights.components[k] == .popularity
            sample.values[k] = (0..<count).map { i in
                i == relevant ? (isPopularity ? 1 : 0) : (isPopularity ? 0 : 1 - Double(i) / Double(count * 4))
            }
        }
        return (sample, relevant)
    }

    @Test("Tuning finds the weights that rank the planted outcome first")
    func recoversPlantedWeights() throws {
        let (sample, _) = try plantedSample()
        let samples = Array(repeating: sample, count: 3)
        let rules = EnsembleTuning.evaluate(EnsembleWeights(ruleBased: 1, similarity: 0, neighbourhood: 0, popularity: 0), on: samples)
        #expect(rules.hitRate == 0 || rules.ndcg < 1)
        let tuned = EnsembleTuning.tune(samples)
        #expect(tuned.ndcgAt10 == 1 && tuned.hitRateAt3 == 1)
        #expect(tuned.weights.popularity > 0.5)
        #expect(tuned.samples == 3)
        // The reported metric is what evaluation gives for the chosen weights.
        let again = EnsembleTuning.evaluate(tuned.weights, on: samples)
        #expect(again.ndcg == tuned.ndcgAt10 && again.hitRate == tuned.hitRateAt3)
    }

    @Test("A component that cannot score is left out and the others renormalised")
    func missingComponentIsLeftOut() throws {
        var (sample, _) = try plantedSample()
        let popularity = try #require(EnsembleWeights.components.firstIndex(of: .popularity))
        sample.values[popularity] = nil
        // Without popularity, nothing ranks the planted outcome first, whatever the weights.
        let tuned = EnsembleTuning.tune([sample])
        #expect(tuned.hitRateAt3 < 1 || tuned.ndcgAt10 < 1)
        // Popularity's weight is left out and the rest renormalised: mostly popularity with a
        // little rule-based scores as rule-based alone.
        let mixed = EnsembleWeights(ruleBased: 0.1, similarity: 0, neighbourhood: 0, popularity: 0.9)
        let ruleOnly = EnsembleWeights(ruleBased: 1, similarity: 0, neighbourhood: 0, popularity: 0)
        let without = EnsembleTuning.evaluate(mixed, on: [sample]), alone = EnsembleTuning.evaluate(ruleOnly, on: [sample])
        #expect(without.ndcg == alone.ndcg && without.hitRate == alone.hitRate)
        // Where popularity can score, the same weights rank differently (so the check above can fail).
        let (full, _) = try plantedSample()
        let withPopularity = EnsembleTuning.evaluate(mixed, on: [full]), ruleOnFull = EnsembleTuning.evaluate(ruleOnly, on: [full])
        #expect(withPopularity.ndcg != ruleOnFull.ndcg || withPopularity.hitRate != ruleOnFull.hitRate)
    }

    @Test("With the trained model's values in the samples, its learned share is tuned too, and the setting round-trips")
    func tunesTheLearnedShare() throws {
        var (sample, relevant) = try plantedSample()
        let count = sample.query.candidates.count
        let popularity = try #require(EnsembleWeights.components.firstIndex(of: .popularity))
        sample.values[popularity] = nil
        // Only the neural values rank the planted outcome first: the share must grow.
        sample.neural = (0..<count).map { $0 == relevant ? 1 : 0 }
        let tuned = EnsembleTuning.tune([sample, sample], share: 0.4)
        let share = try #require(tuned.weights.learnedShare)
        #expect(share > 0.4)
        #expect(tuned.ndcgAt10 == 1 && tuned.hitRateAt3 == 1)
        #expect(EnsembleTuning.evaluate(tuned.weights, on: [sample], share: share).ndcg == 1)
        #expect(EnsembleTuning.evaluate(tuned.weights, on: [sample], share: 0).ndcg < 1)
        // The setting names the share, and parses back to the same weights.
        #expect(tuned.weights.setting.contains("neural=\(share)"))
        #expect(try EnsembleWeights.parse(tuned.weights.setting) == tuned.weights)
        do {
            _ = try EnsembleWeights.parse("rule_based=1,neural=1.5", field: "--ensemble-weights")
            Issue.record("a learned share of 1.5 was accepted")
        } catch {
            #expect(error.message == "learned share 1.5 must be between 0 and 1 (0 leaves the trained model out of the ensemble).")
        }
    }
}
