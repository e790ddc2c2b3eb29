import Foundation
import MatchworkCore
import Testing

@Suite("Hyper-parameter search")
struct HyperparameterSearchTests {
    static let space = SearchSpace([
        .init("x", .real(0, 1, log: false)), .init("rate", .real(0.001, 10, log: true)), .init("n", .integer(1, 500, log: true)),
        .init("kind", .choice(["a", "b", "c"])),
    ])

    /// Best at x = 0.3, rate = 0.1, n = 50, kind b.
    static func score(_ s: [String: String]) -> Double {
        guard let x = Double(s["x"] ?? "0.5"), let rate = Double(s["rate"] ?? "1"), let n = Double(s["n"] ?? "100") else { return -100 }
        return -pow(x - 0.3, 2) - pow(log10(rate) + 1, 2) / 4 - pow(log10(n) - log10(50), 2) - (s["kind"] == "b" ? 0 : 0.2)
    }

    @Test("The same seed tries the same settings in the same order; another seed others")
    func reproducible() throws {
        func run(_ seed: UInt64) throws -> [[String: String]] {
            let search = try HyperparameterSearch(space: Self.space, fixed: ["k": "1"], startsAtDefaults: true, configuration: .init(trials: 25, seed: seed))
            return search.run(evaluate: { Self.score($0) }).trials.map(\.settings)
        }
        let first = try run(7)
        #expect(first.count == 25)
        #expect(try run(7) == first)
        #expect(try run(8) != first)
        // The defaults come first, every trial carries the fixed settings, none repeats.
        #expect(first[0] == ["k": "1"])
        #expect(first.allSatisfy { $0["k"] == "1" })
        #expect(Set(first).count == first.count)
    }

    @Test("The sampler finds better settings than the quasi-random start, and stays inside the ranges")
    func improves() throws {
        let search = try HyperparameterSearch(space: Self.space, fixed: [:], startsAtDefaults: false, configuration: .init(trials: 60, seed: 3))
        let result = search.run(evaluate: { Self.score($0) })
        let startup = result.trials.prefix(8).compactMap(\.score).max()!
        let best = try #require(result.best?.score)
        #expect(best > startup, "best \(best), start \(startup)")
        #expect(best > -0.05, "\(String(describing: result.best?.settings))")
        for trial in result.trials {
            let x = Double(trial.settings["x"]!)!, rate = Double(trial.settings["rate"]!)!, n = Int(trial.settings["n"]!)!
            #expect((0...1).contains(x) && (0.001...10).contains(rate) && (1...500).contains(n) && ["a", "b", "c"].contains(trial.settings["kind"]!))
        }
    }

    @Test("A finite space ends when every setting was tried; a failing trial is recorded and never chosen")
    func finiteAndFailures() throws {
        let space = SearchSpace([.init("kind", .choice(["a", "b", "c"]))])
        let search = try HyperparameterSearch(space: space, fixed: [:], startsAtDefaults: true, configuration: .init(trials: 50, seed: 1))
        let result = search.run(evaluate: { (s) throws(MatchworkError) -> Double in
            if s["kind"] == "c" { throw MatchworkError(.invalidConfiguration, "c cannot be fitted", field: "kind") }
            return s["kind"] == "b" ? 2 : s["kind"] == "a" ? 1 : 0
        })
        #expect(result.trials.count == 4)
        #expect(result.best?.settings == ["kind": "b"])
        #expect(result.trials.contains { $0.failure == "c cannot be fitted" && $0.score == nil })
    }

    @Test("--param narrows a range, a choice, or fixes a value; a bad range is refused naming the parameter")
    func narrowing() throws {
        let (space, fixed, _) = try SearchSpace.ranking("als")!.narrowed(["factors": "32..64", "alpha": "10", "seed": "3"])
        #expect(fixed == ["alpha": "10", "seed": "3"])
        #expect(space.dimensions.map(\.name) == ["factors", "iterations", "regularization"])
        #expect(space.dimensions[0].range == .integer(32, 64, log: true))
        for u in stride(from: 0.0, to: 1, by: 0.05) { #expect((32...64).contains(Int(space.dimensions[0].value(at: u))!)) }
        let choice = try SearchSpace.ranking("bpr")!.narrowed(["negatives": "uniform"])
        #expect(choice.fixed == ["negatives": "uniform"] && !choice.space.dimensions.contains { $0.name == "negatives" })
        #expect(throws: MatchworkError.self) { try SearchSpace.ranking("als")!.narrowed(["factors": "64..32"]) }
        do {
            _ = try SearchSpace.ranking("als")!.narrowed(["regularization": "0..1"])
            Issue.record("a log range from 0 was accepted")
        } catch { #expect(error.field == "regularization" && error.message.contains("above 0")) }
        // Every model that ranks or rates has a documented space.
        for model in ModelCatalog.rankingModels { #expect(SearchSpace.ranking(model) != nil, "\(model)") }
        for model in ModelCatalog.ratingModels { #expect(SearchSpace.rating(model) != nil, "\(model)") }
    }

    @Test("auto searches every model on the validation pair and keeps the best; each model's space fits it")
    func autoOnPlantedBlocks() throws {
        var generator = SeededGenerator(seed: 2)
        var builder = RatingTable.Builder()
        var line = 2
        for u in 0..<240 {
            let block = u % 6
            for (k, item) in generator.shuffled(Array(0..<20)).prefix(10).enumerated() {
                try builder.append(user: "u\(u)", item: "i\(block * 20 + item)", rating: 1, timestamp: Int64(1000 + k), line: line)
                line += 1
            }
        }
        let table = builder.table
        let pair = try ModelTuning.validationSplit(table, task: .ranking(k: 10))
        let models = ModelTuning.autoModels(.ranking(k: 10), items: table.itemIDs.count)
        #expect(models == ModelCatalog.rankingModels)
        let report = try ModelTuning.search(
            .ranking(k: 10), models: models, given: ["als": ["iterations": "5"]], validationTrain: pair.train, validationTest: pair.test,
            configuration: .init(trials: 22, seed: 5), ensembleOf: 3, threads: 2)
        #expect(report.trials.count == 22)
        #expect(Set(report.trials.map(\.model)) == Set(models + ["ensemble"]))
        #expect(report.trials.map(\.trial.index) == Array(0..<22))
        #expect(report.trials.filter { $0.model == "als" }.allSatisfy { $0.trial.settings["iterations"] == "5" })
        let best = report.trials.compactMap(\.figure).max()!
        #expect(report.chosen.figure == best && best > 0.4, "\(report.trials.map { ($0.model, $0.figure) })")
        #expect(report.trials.first { $0.model == "popularity" }!.figure! < best)
        #expect(report.validationSize == 240)
    }
}
