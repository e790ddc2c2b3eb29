import MatchworkCore
import MatchworkSynth
import Testing

/// The experiment simulator (issue 26) on the default cleaning marketplace: an arm known to
/// rank the bidders better wins, and an A/A test is significant in about 5% of runs (the
/// sequential test in fewer).
@Suite("Experiment simulation")
struct ExperimentSimulationTests {
    /// The simulation prepared once for the suite's tests.
    actor Prepared {
        static let shared = Prepared()
        private var simulation: ExperimentSimulation?

        func get() async throws -> ExperimentSimulation {
            if let simulation { return simulation }
            let m = try CleaningMarketplace(seed: 42, size: .standard).generate()
            var reliability: [PersonID: Double] = [:]
            for (id, latent) in m.groundTruth.personLatent { if let r = latent["reliability"] { reliability[PersonID(id)] = r } }
            let arms = [ExperimentArm(name: "hood", mode: .neighbourhood), ExperimentArm(name: "rule", mode: .ruleBased), ExperimentArm(name: "rule2", mode: .ruleBased)]
            let prepared = try await ExperimentSimulation.prepare(
                people: m.people, opportunities: m.opportunities, interactions: m.interactions, scenario: .cleaning, choices: m.groundTruth.choiceProbabilities,
                reliability: reliability, arms: arms)
            simulation = prepared
            return prepared
        }
    }

    static func experiment(_ name: String, _ arms: [String]) throws -> Experiment {
        try Experiment(
            name: name, target: .applicants, arms: arms.map { ExperimentArm(name: $0, mode: $0 == "hood" ? .neighbourhood : .ruleBased) },
            shares: Dictionary(uniqueKeysWithValues: arms.map { ($0, 1 / Double(arms.count)) }), start: Timestamp(secondsSinceEpoch: 0), createdAt: Timestamp(secondsSinceEpoch: 0))
    }

    @Test("rule-based ranking of the bidders beats neighbourhood ranking: more hires, and the sequential test says so")
    func betterArmWins() async throws {
        let simulation = try await Prepared.shared.get()
        #expect(simulation.subjects >= 500, "\(simulation.subjects) jobs")
        let (report, observations) = try simulation.run(try Self.experiment("better", ["hood", "rule"]), seed: 1)
        #expect(observations.lists.count == simulation.subjects)
        let treatment = try #require(report.treatments.first)
        let hire = try #require(treatment.metrics.first { $0.metric == "hire" }?.comparison)
        #expect(hire.difference > 0.05 && hire.significant, "hire rate \(hire.treatment) against \(hire.control)")
        #expect(treatment.sequential.decision == "treatment better")
        #expect(!report.sampleRatio.mismatch)
        // Completions follow hires at the hired cleaners' reliability.
        let rule = try #require(report.arms.first { $0.name == "rule" })
        #expect(rule.subjectRates["completion"]! < rule.subjectRates["hire"]! && rule.subjectRates["completion"]! > 0.8 * rule.subjectRates["hire"]!)
    }

    @Test("A/A: two arms ranking alike differ significantly in about 5% of 300 runs, the sequential test in at most 5%")
    func aaRate() async throws {
        let simulation = try await Prepared.shared.get()
        var fixed = 0, sequential = 0
        let runs = 300
        for k in 0..<runs {
            let (report, _) = try simulation.run(try Self.experiment("aa-\(k)", ["rule", "rule2"]), seed: UInt64(k) + 100)
            let t = try #require(report.treatments.first)
            if t.metrics.first(where: { $0.metric == "hire" })!.comparison.pValue < 0.05 { fixed += 1 }
            if t.sequential.pValue < 0.05 { sequential += 1 }
        }
        let (f, s) = (Double(fixed) / Double(runs), Double(sequential) / Double(runs))
        // Binomial(300, 0.05) lies in 0.023...0.083 with probability 0.99.
        #expect((0.023...0.083).contains(f), "fixed-horizon A/A rate \(f)")
        #expect(s <= 0.05, "sequential A/A rate \(s)")
    }
}
