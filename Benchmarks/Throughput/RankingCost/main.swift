import Foundation
import MatchworkCore
import MatchworkSynth

/// What the learned ranker costs a request: a cleaning job's bidders ranked by `ensemble` (its
/// components and the neural model's share) and by `ranked` (the same components, then the
/// LambdaMART booster over them and the list's features), on the default cleaning marketplace
/// (seed 42) with a neural model and a ranker trained on it, as `make demo` trains them.
///
/// Each request is a miss in the service's terms: scored afresh, nothing cached. Every open job
/// with two bids or more is asked `rounds` times per mode, the modes interleaved; the figures
/// are the median per request over the rounds, with and without explanations.
///
/// Usage, from Benchmarks/: swift run -c release RankingCost [rounds]
let rounds = CommandLine.arguments.dropFirst().compactMap { Int($0) }.first ?? 9

let marketplace = try CleaningMarketplace(seed: 42, size: .standard).generate()
let (people, opportunities, interactions) = (marketplace.people, marketplace.opportunities, marketplace.interactions)
let clock = ContinuousClock()
var started = clock.now
let neural = try NeuralTraining.train(people: people, opportunities: opportunities, interactions: interactions, scenario: .cleaning)
print("neural model trained in \(started.duration(to: clock.now))")
started = clock.now
let ranker = try RankerTraining.train(
    people: people, opportunities: opportunities, interactions: interactions, scenario: .cleaning, learned: neural.model)
print("ranker trained in \(started.duration(to: clock.now)); stages: " + ranker.model.stages.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) (\($0.value.parameters.objective.rawValue), \($0.value.booster.rounds) trees of depth \($0.value.parameters.maxDepth) at most)" }.joined(separator: ", "))

// As the registry loads it to serve: each booster from its bytes, predicting on one thread.
var stages: [RankingTarget: RankerModel.Stage] = [:]
for (target, stage) in ranker.model.stages {
    let booster = try Booster(serialized: try stage.booster.serialized(), columns: stage.booster.columns, threads: 1)
    stages[target] = RankerModel.Stage(booster: booster, parameters: stage.parameters, validation: stage.validation, importance: stage.importance, choiceScale: stage.choiceScale, components: stage.components)
}
let served = RankerModel(encoder: ranker.model.encoder, stages: stages, declined: ranker.model.declined, learnedColumns: ranker.model.learnedColumns)
let snapshot = try MarketplaceSnapshot(people: people, opportunities: opportunities, interactions: interactions, scenario: .cleaning)
let engine = try RecommendationEngine(snapshot: snapshot, learnedModel: neural.model).with(ranker: served)
let bidders = Dictionary(grouping: interactions.filter { $0.type == .bid }, by: \.opportunity).mapValues { Set($0.map(\.person)).count }
let jobs = opportunities.filter { $0.status == .open && (bidders[$0.id] ?? 0) >= 2 }.map(\.id)
print("\(jobs.count) open jobs with two bids or more (\(jobs.map { bidders[$0]! }.reduce(0, +)) bidders); \(rounds) rounds")

/// Microseconds per request of one pass over every job.
func pass(_ mode: RecommendationMode, explain: Bool) throws -> Double {
    let start = clock.now
    for job in jobs {
        let list = try engine.recommend(RecommendationRequest(.opportunity(job), count: 10, mode: mode, pool: .applicants, explain: explain))
        if mode == .ranked && list.answeredBy != ["ranked"] {
            FileHandle.standardError.write(Data("ranked fell back on \(job.rawValue): answered by \(list.answeredBy), \(list.fallbacks)\n".utf8))
            exit(1)
        }
    }
    let d = start.duration(to: clock.now)
    return (Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12) / Double(jobs.count)
}

func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

// The ensemble with its learned share and no final stage: the engine as it serves without a ranker.
let withoutRanker = engine.with(ranker: nil)
func ensemblePass(explain: Bool) throws -> Double {
    let start = clock.now
    for job in jobs { _ = try withoutRanker.recommend(RecommendationRequest(.opportunity(job), count: 10, mode: .ensemble, pool: .applicants, explain: explain)) }
    let d = start.duration(to: clock.now)
    return (Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12) / Double(jobs.count)
}

// RANKING_COST_PROFILE=ranked (or ranked-explained): only ranked requests without (or with)
// explanations, for a profiler.
if let profile = ProcessInfo.processInfo.environment["RANKING_COST_PROFILE"], profile.hasPrefix("ranked") {
    for _ in 0..<(rounds * 10) { _ = try pass(.ranked, explain: profile == "ranked-explained") }
    exit(0)
}

for explain in [false, true] {
    _ = try ensemblePass(explain: explain)
    _ = try pass(.ranked, explain: explain)
    var ensemble: [Double] = [], ranked: [Double] = []
    for _ in 0..<rounds {
        ensemble.append(try ensemblePass(explain: explain))
        ranked.append(try pass(.ranked, explain: explain))
    }
    let e = median(ensemble), r = median(ranked)
    print(String(format: "%@: ensemble %.1f µs, ranked %.1f µs per request (median of %d); ranked / ensemble %.2f×", explain ? "with explanations" : "scores only", e, r, rounds, r / e))
}
