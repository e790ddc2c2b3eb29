import MatchworkCore
import Testing

@testable import MatchworkCore

@Suite("Rating models")
struct RatingModelTests {
    /// Ratings of 300 users × 120 items from a planted rank-2 structure plus biases and noise,
    /// 1-5 stars; 30% of the pairs are rated. Returns a table with an 80/20 random split.
    static func planted(seed: UInt64 = 5) -> (table: RatingTable, train: [Int], test: [Int]) {
        var generator = SeededGenerator(seed: seed)
        let userTaste = (0..<300).map { _ in (generator.normal(), generator.normal()) }
        let itemTaste = (0..<120).map { _ in (generator.normal(), generator.normal()) }
        let itemBias = (0..<120).map { _ in generator.normal(sd: 0.5) }
        var builder = RatingTable.Builder()
        var line = 2
        for u in 0..<300 {
            for i in 0..<120 where generator.chance(0.3) {
                let r = 3 + itemBias[i] + 0.8 * (userTaste[u].0 * itemTaste[i].0 + userTaste[u].1 * itemTaste[i].1) + generator.normal(sd: 0.3)
                try! builder.append(user: "u\(u)", item: "i\(i)", rating: Float(min(5, max(1, r))), timestamp: 0, line: line)
                line += 1
            }
        }
        let table = builder.table
        let (train, test) = RatingSplit.split(table, method: .random)
        return (table, train, test)
    }

    static func rmse(_ model: some RatingModel, _ table: RatingTable, _ test: [Int]) -> Double {
        RatingEvaluation.evaluate(model, test: table.subset(test), range: 1...5).rmse
    }

    @Test("Biased MF learns the planted factors: far below the baselines' error")
    func mfLearnsFactors() throws {
        let (table, train, test) = Self.planted()
        let matrix = InteractionMatrix(table, rows: train)
        var c = BiasedMFModel.Configuration()
        c.factors = 8
        c.iterations = 60
        c.learningRate = 0.01
        c.regularization = 0.05
        let mf = try BiasedMFModel(matrix, configuration: c)
        let baseline = try BaselineModel(matrix)
        let knn = try KNNBaselineModel(matrix)
        let (mfError, baselineError, knnError) = (Self.rmse(mf, table, test), Self.rmse(baseline, table, test), Self.rmse(knn, table, test))
        #expect(mfError < 0.75 * baselineError, "mf \(mfError), baseline \(baselineError)")
        #expect(knnError < baselineError, "knn \(knnError), baseline \(baselineError)")
        // The same seed gives the same model; another seed a different one.
        let again = try BiasedMFModel(matrix, configuration: c)
        #expect(again.userFactors == mf.userFactors && again.itemBiases == mf.itemBiases)
        c.seed = 7
        #expect(try BiasedMFModel(matrix, configuration: c).userFactors != mf.userFactors)
    }

    @Test("Unknown users and items fall back to the known biases, and say so", arguments: ["baseline", "mf", "knn-baseline"])
    func fallbacks(model: String) throws {
        let (table, train, _) = Self.planted()
        let matrix = InteractionMatrix(table, rows: train)
        let fitted = try ModelCatalog.fitRating(model, train: matrix, parameters: try Parameters([]))
        let baseline = try BaselineModel(matrix)
        let known = fitted.predict(user: 3, item: 4)
        #expect(known.basis == .model)
        let newUser = fitted.predict(user: 300, item: 4)
        let newItem = fitted.predict(user: 3, item: 120)
        let neither = fitted.predict(user: 300, item: 120)
        #expect(newUser.basis == .unknownUser && newItem.basis == .unknownItem && neither.basis == .unknownUserAndItem)
        let mean = model == "mf" ? (fitted as! BiasedMFModel).mean : baseline.mean
        #expect(abs(neither.value - mean) < 1e-6)
        if model == "mf" {
            let mf = fitted as! BiasedMFModel
            #expect(abs(newUser.value - (mf.mean + mf.itemBiases[4])) < 1e-6)
            #expect(abs(newItem.value - (mf.mean + mf.userBiases[3])) < 1e-6)
        } else {
            #expect(abs(newUser.value - (baseline.mean + baseline.itemBiases[4])) < 1e-6)
            #expect(abs(newItem.value - (baseline.mean + baseline.userBiases[3])) < 1e-6)
        }
    }

    @Test("Each hyper-parameter of the rating models changes the predictions", arguments: [
        ("baseline", ["iterations=2", "user_regularization=1", "item_regularization=1"]),
        ("mf", ["factors=4", "iterations=5", "learning_rate=0.02", "regularization=0.5", "bias_regularization=0.5", "decay=0.5", "init_std=0.3", "seed=9"]),
        ("knn-baseline", ["k=2", "min_k=30", "shrinkage=0", "based=user", "baseline_iterations=1", "user_regularization=1", "item_regularization=1"]),
    ])
    func everyParameterMatters(model: String, settings: [String]) throws {
        let (table, train, test) = Self.planted()
        let matrix = InteractionMatrix(table, rows: train)
        func predictions(_ parameters: [String]) throws -> [Float] {
            let fitted = try ModelCatalog.fitRating(model, train: matrix, parameters: try Parameters(parameters))
            return test.prefix(400).map { fitted.predict(user: Int(table.users[$0]), item: Int(table.items[$0])).value }
        }
        let reference = try predictions([])
        for setting in settings {
            #expect(try predictions([setting]) != reference, "\(model): \(setting) changed nothing")
        }
    }

    @Test("KNNBaseline's dense similarity table agrees with the per-pair merge")
    func denseAgreesWithMerge() throws {
        let (table, train, _) = Self.planted()
        for based in KNNBaselineModel.Basis.allCases {
            var c = KNNBaselineModel.Configuration()
            c.based = based
            let knn = try KNNBaselineModel(InteractionMatrix(table, rows: train), configuration: c)
            let n = based == .item ? 120 : 300
            for a in stride(from: 0, to: n, by: 7) {
                for b in stride(from: 1, to: n, by: 5) where a != b {
                    #expect(abs(knn.similarity(a, b) - knn.mergedSimilarity(a, b)) < 1e-4, "\(based) \(a) \(b)")
                }
            }
        }
    }

    @Test("Rating metrics follow PROTOCOL.md, clipping to the train range")
    func metricsDefinition() throws {
        var builder = RatingTable.Builder()
        try builder.append(user: "a", item: "x", rating: 5, timestamp: 0, line: 2)
        try builder.append(user: "b", item: "x", rating: 1, timestamp: 0, line: 3)
        let train = builder.table
        let baseline = try BaselineModel(InteractionMatrix(train), configuration: { var c = BaselineModel.Configuration(); c.iterations = 0; return c }())
        // Every prediction is the mean, 3; test ratings 5 and 2.
        var testBuilder = RatingTable.Builder(indexedLike: train)
        try testBuilder.append(user: "a", item: "y", rating: 5, timestamp: 0, line: 2)
        try testBuilder.append(user: "c", item: "x", rating: 2, timestamp: 0, line: 3)
        let metrics = RatingEvaluation.evaluate(baseline, test: testBuilder.table, range: 1...5)
        #expect(abs(metrics.rmse - (5.0 / 2).squareRoot()) < 1e-9)
        #expect(abs(metrics.mae - 1.5) < 1e-9)
        // SS_tot = 2 × 1.5² = 4.5, SS_res = 5.
        #expect(abs(metrics.r2 - (1 - 5 / 4.5)) < 1e-9)
        #expect(metrics.bases == [.unknownItem: 1, .unknownUser: 1])
        // Clipping: the range is applied to each prediction.
        #expect(abs(RatingEvaluation.evaluate(baseline, test: testBuilder.table, range: 3.5...5).rmse - 1.5) < 1e-9)
    }
}
