import MatchworkCore
import Testing

@Suite("Neural trainer")
struct NeuralTrainerTests {
    /// Lists of 5 pairs with one positive; `signal` decides whether the positive is the pair
    /// with the largest first feature (learnable) or random (noise only).
    static func examples(lists: Int, signal: Bool, seed: UInt64) -> TrainingExamples {
        var generator = SeededGenerator(seed: seed)
        var person: [Int32] = [], opportunity: [Int32] = [], categorical: [Int32] = [], continuous: [Float] = [], targets: [Float] = [], groups: [Int32] = []
        for g in 0..<lists {
            let features = (0..<5).map { _ in (0..<3).map { _ in Float(generator.normal()) } }
            let positive = signal ? features.indices.max { features[$0][0] < features[$1][0] }! : generator.int(0...4)
            for (k, row) in features.enumerated() {
                person.append(Int32(generator.int(0...19)))
                opportunity.append(Int32(generator.int(0...9)))
                categorical.append(Int32(generator.int(0...2)))
                continuous += row
                targets.append(k == positive ? 1 : 0)
                groups.append(Int32(g))
            }
        }
        return TrainingExamples(inputs: NeuralBatch(person: person, opportunity: opportunity, categorical: categorical, continuous: continuous), targets: targets, groups: groups)
    }

    static func model(seed: UInt64 = 1) throws -> NeuralHybridModel {
        var configuration = NeuralHybridModel.Configuration()
        configuration.embeddingWidth = 8
        configuration.collaborativeHidden = [8]
        configuration.contentHidden = [16]
        configuration.seed = seed
        return try NeuralHybridModel(schema: .init(people: 20, opportunities: 10, categories: [3], continuous: 3), configuration: configuration)
    }

    @Test("Learns a ranking signal, keeps the best epoch, and stops early once validation stops improving")
    func earlyStopping() throws {
        var model = try Self.model()
        var configuration = TrainerConfiguration()
        configuration.epochs = 200
        configuration.patience = 5
        let examples = Self.examples(lists: 300, signal: true, seed: 3)
        var epochs: [EpochReport] = []
        let report = try NeuralTrainer.train(&model, on: examples, objective: .ranking, configuration: configuration) { epochs.append($0) }
        #expect(report.stoppedEarly)
        #expect(report.epochs < 200)
        #expect(report.epochs == report.bestEpoch + 5)
        #expect(epochs.count == report.epochs)
        #expect(epochs.last?.secondsLeft ?? -1 >= 0)
        // The model kept is the best epoch's: its validation loss is the lowest seen.
        #expect(report.validation.loss == report.lossHistory.min())
        #expect(abs(report.validation.loss - report.lossHistory[report.bestEpoch - 1]) < 1e-12)
        // The signal is learned: the positive is first in most held-out lists.
        #expect((report.validation.hitRateAt3 ?? 0) > 0.95)
        #expect((report.validation.ndcgAt10 ?? 0) > 0.85)
    }

    @Test("On labels without signal, the learning rate is cut on plateaus and training stops early")
    func plateau() throws {
        var model = try Self.model()
        var configuration = TrainerConfiguration()
        configuration.epochs = 200
        let report = try NeuralTrainer.train(&model, on: Self.examples(lists: 200, signal: false, seed: 4), objective: .ranking, configuration: configuration)
        #expect(report.stoppedEarly)
        #expect(report.finalLearningRate < configuration.learningRate)
    }

    @Test("The same seed gives the same model; another seed another")
    func reproducible() throws {
        let examples = Self.examples(lists: 100, signal: true, seed: 5)
        var configuration = TrainerConfiguration()
        configuration.epochs = 6
        func trained(_ seed: UInt64) throws -> NeuralHybridModel {
            var model = try Self.model(seed: seed)
            var c = configuration
            c.seed = seed
            _ = try NeuralTrainer.train(&model, on: examples, objective: .ranking, configuration: c)
            return model
        }
        let a = try trained(7), b = try trained(7), c = try trained(8)
        #expect(a == b)
        #expect(a.content.parameters != c.content.parameters)
    }

    @Test("The bid head learns amounts from features: ordered suggestions, about 80% of held-out bids inside [min, max], far below constant amounts' loss")
    func bidHead() throws {
        // amount = 100 + 30 × feature 0 + noise (sd 10); 36 features, the bid's own (26...32)
        // set to the amount to show they are not read.
        var generator = SeededGenerator(seed: 4)
        var examples = BidTraining.Examples(width: 36)
        for i in 0..<2000 {
            var row = (0..<36).map { _ in Float(generator.normal()) }
            let amount = 100 + 30 * row[0] + 10 * Float(generator.normal())
            for j in PairFeatureEncoder.bidFeatures { row[j] = amount }
            examples.continuous += row
            examples.amounts.append(amount)
            examples.won.append(i % 5 == 0)
            examples.groups.append(Int32(i / 5))
        }
        var configuration = TrainerConfiguration()
        configuration.epochs = 60
        configuration.learningRate = 0.005
        let (model, report) = try BidTraining.train(examples, configuration: configuration)
        let coverage = try #require(report.validation.coverage)
        // Calibrated (cross-fitted on halves of the held-out jobs): close to the nominal 80%.
        #expect(coverage > 0.75 && coverage < 0.85, "coverage \(coverage)")
        #expect(model.margin.isFinite && Double(model.margin) == report.margin)
        // On the rows it is chosen from, the conformal margin holds at least the nominal share.
        let rows = Array(0..<500)
        var calibrated = model
        calibrated.margin = BidTraining.conformalMargin(model, continuous: examples.continuous, width: 36, amounts: examples.amounts, rows: rows)
        let held = calibrated.suggest(continuous: Array(examples.continuous[0..<(500 * 36)]), batch: 500)
        let inside = zip(held, rows).filter { $0.contains(Double(examples.amounts[$1])) }.count
        #expect(inside >= 400 && inside <= 410, "\(inside) of 500 inside")
        #expect(try #require(report.validation.pinball) < 0.5 * report.constantPinball)
        // The winning bids (every fifth) are drawn like the others: about as many fall inside.
        let winning = try #require(report.validation.winningInside)
        #expect(abs(winning - coverage) < 0.15, "winning bids inside \(winning), all bids \(coverage)")
        let suggestions = model.suggest(continuous: examples.continuous, batch: examples.count)
        #expect(suggestions.allSatisfy { $0.minimum <= $0.optimal && $0.optimal <= $0.maximum })
        // Its optimal amount follows the feature: about 100 ± 30.
        var high = [Float](repeating: 0, count: 36), low = high
        high[0] = 1
        low[0] = -1
        let pair = model.suggest(continuous: high + low, batch: 2)
        #expect(abs(pair[0].optimal - 130) < 8 && abs(pair[1].optimal - 70) < 8, "\(pair)")

        var few = examples
        few.amounts = Array(few.amounts.prefix(10))
        few.groups = Array(few.groups.prefix(10))
        do {
            _ = try BidTraining.train(few, configuration: configuration)
            Issue.record("10 bids were accepted")
        } catch {
            #expect(error.message == "there are 10 bids on 2 opportunities; the bid head needs at least 20 bids on 5.")
        }
    }

    @Test("Ratings are learned on their own scale, and bad settings are refused by name")
    func ratingsAndSettings() throws {
        // target = 0.7 + 0.1 × first feature, clipped to 0...1.
        var generator = SeededGenerator(seed: 9)
        var continuous: [Float] = [], targets: [Float] = []
        for _ in 0..<600 {
            let row = (0..<3).map { _ in Float(generator.normal()) }
            continuous += row
            targets.append(min(1, max(0, 0.7 + 0.1 * row[0])))
        }
        let n = targets.count
        let examples = TrainingExamples(
            inputs: NeuralBatch(person: [Int32](repeating: -1, count: n), opportunity: [Int32](repeating: -1, count: n), categorical: [Int32](repeating: 0, count: n), continuous: continuous),
            targets: targets, groups: (0..<n).map { Int32($0) })
        var model = try Self.model()
        let report = try NeuralTrainer.train(&model, on: examples, objective: .rating)
        #expect((report.validation.r2 ?? 0) > 0.9)
        #expect((report.validation.mae ?? 1) < 0.03)

        var bad = TrainerConfiguration()
        bad.plateauFactor = 1
        do {
            _ = try NeuralTrainer.train(&model, on: examples, objective: .rating, configuration: bad)
            Issue.record("a plateau factor of 1 was accepted")
        } catch {
            #expect(error.message == "plateau_factor 1.0 must be strictly between 0 and 1.")
        }
    }
}
