import Foundation
import Testing

@testable import MatchworkCore

/// The XGBoost facade (issue 25): train, predict, SHAP contributions, save and load, ranking
/// with query groups, early stopping, and refusals.
@Suite("Gradient-boosted trees")
struct BoostingTests {
    /// `rows` rows of `columns` uniform features; the label is 1 when `x0 + 0.5 x1 > 0.75`, with
    /// 5% of labels flipped.
    static func classification(rows: Int, columns: Int = 4, seed: UInt64) throws -> BoostingData {
        var rng = SeededGenerator(seed: seed)
        var values: [Float] = [], labels: [Float] = []
        for _ in 0..<rows {
            let x = (0..<columns).map { _ in Float.random(in: 0..<1, using: &rng) }
            values += x
            var y: Float = x[0] + 0.5 * x[1] > 0.75 ? 1 : 0
            if Float.random(in: 0..<1, using: &rng) < 0.05 { y = 1 - y }
            labels.append(y)
        }
        return try BoostingData(rows: rows, columns: columns, values: values, labels: labels)
    }

    /// Queries of 10 documents with 3 features; the grade (0-3) rises with the first feature.
    static func ranking(queries: Int, seed: UInt64) throws -> BoostingData {
        var rng = SeededGenerator(seed: seed)
        var values: [Float] = [], labels: [Float] = []
        for _ in 0..<queries {
            for _ in 0..<10 {
                let x = (0..<3).map { _ in Float.random(in: 0..<1, using: &rng) }
                values += x
                labels.append(Float(max(0, min(3, Int(4 * x[0] + Float.random(in: -0.3..<0.3, using: &rng))))))
            }
        }
        return try BoostingData(rows: queries * 10, columns: 3, values: values, labels: labels, groups: Array(repeating: 10, count: queries))
    }

    @Test("binary:logistic learns a threshold rule: held-out AUC above 0.9, probabilities in (0, 1)")
    func classifies() throws {
        var parameters = BoostingParameters(objective: .binaryLogistic)
        parameters.rounds = 50
        parameters.maxDepth = 3
        let booster = try Booster.train(try Self.classification(rows: 2_000, seed: 1), parameters: parameters)
        let test = try Self.classification(rows: 1_000, seed: 2)
        let p = try booster.predict(test)
        #expect(p.count == 1_000 && p.allSatisfy { $0 > 0 && $0 < 1 })
        let quality = ClassifierQuality(probabilities: p.map(Double.init), outcomes: test.labels.map { $0 == 1 })
        #expect(quality.auc > 0.9, "AUC \(quality.auc)")
    }

    @Test("SHAP contributions and the bias sum to the margin of every row")
    func contributionsSumToMargin() throws {
        var parameters = BoostingParameters(objective: .binaryLogistic)
        parameters.rounds = 30
        let booster = try Booster.train(try Self.classification(rows: 1_000, seed: 3), parameters: parameters)
        let test = try Self.classification(rows: 200, seed: 4)
        let margins = try booster.predict(test, margin: true)
        let contributions = try booster.contributions(test)
        #expect(contributions.count == 200 * 5)
        for r in 0..<200 {
            let sum = contributions[(r * 5)..<(r * 5 + 5)].reduce(0, +)
            #expect(abs(sum - margins[r]) < 1e-4, "row \(r): \(sum) against \(margins[r])")
        }
        // The features the label does not depend on contribute little.
        let mean = { (c: Int) in (0..<200).map { abs(contributions[$0 * 5 + c]) }.reduce(0, +) / 200 }
        #expect(mean(0) > 4 * mean(2) && mean(0) > 4 * mean(3))
    }

    @Test("saved bytes load into a booster with the same predictions; the same seed trains the same model")
    func roundTripAndDeterminism() throws {
        var parameters = BoostingParameters(objective: .rankNDCG)
        parameters.rounds = 20
        parameters.subsample = 0.8
        let train = try Self.ranking(queries: 100, seed: 5)
        let booster = try Booster.train(train, parameters: parameters)
        let bytes = try booster.serialized()
        #expect(bytes.count > 1_000 && bytes.first == UInt8(ascii: "{"))
        let loaded = try Booster(serialized: bytes, columns: 3)
        #expect(loaded.rounds == 20)
        let test = try Self.ranking(queries: 20, seed: 6)
        #expect(try loaded.predict(test) == booster.predict(test))
        let again = try Booster.train(train, parameters: parameters)
        #expect(try again.serialized() == bytes)
        #expect(throws: MatchworkError.self) { try Booster(serialized: Array("not a model".utf8), columns: 3) }
        #expect(throws: MatchworkError.self) { try Booster(serialized: bytes, columns: 4) }
    }

    @Test("rank:ndcg orders each query by grade; early stopping keeps the best round")
    func ranksWithEarlyStopping() throws {
        var parameters = BoostingParameters(objective: .rankNDCG)
        parameters.rounds = 400
        parameters.learningRate = 0.3
        parameters.earlyStoppingRounds = 10
        let booster = try Booster.train(try Self.ranking(queries: 200, seed: 7), validation: try Self.ranking(queries: 50, seed: 8), parameters: parameters)
        #expect(booster.rounds < 400 && booster.validationHistory.count < 400)
        #expect(booster.validationHistory.count == booster.rounds + 10)
        let best = try #require(booster.validationHistory.max())
        #expect(booster.validationHistory[booster.rounds - 1] == best)
        let test = try Self.ranking(queries: 50, seed: 9)
        let scores = try booster.predict(test)
        var ndcg = 0.0
        for q in 0..<50 {
            let rows = Array((q * 10)..<(q * 10 + 10))
            let order = rows.sorted { scores[$0] > scores[$1] }
            func dcg(_ list: [Int]) -> Double {
                list.enumerated().reduce(0) { $0 + (Double.pow(2, Double(test.labels[$1.element])) - 1) / Double.log2(Double($1.offset) + 2) }
            }
            ndcg += dcg(order) / max(1e-9, dcg(rows.sorted { test.labels[$0] > test.labels[$1] }))
        }
        #expect(ndcg / 50 > 0.9, "NDCG \(ndcg / 50)")
        let gain = try booster.featureGain()
        #expect((gain[0] ?? 0) > (gain[1] ?? 0) + (gain[2] ?? 0))
    }

    @Test("bad shapes, labels, groups and settings are refused with the field named")
    func refusals() throws {
        func field(_ body: () throws -> Void) -> String? {
            do { try body() } catch let error as MatchworkError { return error.field } catch { return "other" }
            return nil
        }
        #expect(field { _ = try BoostingData(rows: 2, columns: 2, values: [1, 2, 3], labels: [0, 1]) } == "values")
        #expect(field { _ = try BoostingData(rows: 2, columns: 1, values: [1, 2], labels: [0]) } == "labels")
        #expect(field { _ = try BoostingData(rows: 2, columns: 1, values: [1, 2], labels: [0, .nan]) } == "labels[1]")
        #expect(field { _ = try BoostingData(rows: 2, columns: 1, values: [1, .infinity], labels: [0, 1]) } == "values")
        #expect(field { _ = try BoostingData(rows: 3, columns: 1, values: [1, 2, 3], labels: [0, 1, 0], groups: [2, 2]) } == "groups")
        #expect(field { _ = try BoostingData(rows: 2, columns: 1, values: [1, 2], labels: [0, 1], groups: [2, 0]) } == "groups[1]")
        let data = try Self.classification(rows: 50, seed: 10)
        var parameters = BoostingParameters(objective: .rankNDCG)
        #expect(field { _ = try Booster.train(data, parameters: parameters) } == "groups")
        parameters = BoostingParameters(objective: .binaryLogistic)
        parameters.earlyStoppingRounds = 5
        #expect(field { _ = try Booster.train(data, parameters: parameters) } == "early_stopping_rounds")
        parameters = BoostingParameters(objective: .binaryLogistic)
        parameters.learningRate = 0
        #expect(field { _ = try Booster.train(data, parameters: parameters) } == "learning_rate")
        let booster = try Booster.train(data, parameters: BoostingParameters(objective: .binaryLogistic))
        #expect(field { _ = try booster.predict(try BoostingData(rows: 1, columns: 3, values: [0, 0, 0], labels: [0])) } == "columns")
    }

    /// `data` with a tenth of its values missing (`NaN`), so default directions are exercised.
    static func withMissing(_ data: BoostingData, seed: UInt64) throws -> BoostingData {
        var rng = SeededGenerator(seed: seed)
        let values = data.values.map { Float.random(in: 0..<1, using: &rng) < 0.1 ? .nan : $0 }
        return try BoostingData(rows: data.rows, columns: data.columns, values: values, labels: data.labels, groups: data.groups)
    }

    @Test("the Swift evaluator gives the library's margins to 1e-6 and its SHAP contributions to 1e-5, for every objective, with missing values",
          arguments: BoostingParameters.Objective.allCases)
    func swiftTreesMatchTheLibrary(objective: BoostingParameters.Objective) throws {
        var parameters = BoostingParameters(objective: objective)
        parameters.rounds = 40
        parameters.maxDepth = 5
        parameters.subsample = 0.8
        let train = try Self.withMissing(objective.isRanking ? Self.ranking(queries: 150, seed: 11) : Self.classification(rows: 1_500, seed: 11), seed: 12)
        let booster = try Booster.train(train, parameters: parameters)
        let trees = try #require(booster.trees)
        #expect(trees.trees == 40)
        let test = try Self.withMissing(objective.isRanking ? Self.ranking(queries: 30, seed: 13) : Self.classification(rows: 300, seed: 13), seed: 14)
        let library = try booster.predict(test, margin: true)
        let swift = trees.margins(test.values)
        #expect(swift.count == library.count)
        let worst = zip(swift, library).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= 1e-6, "largest difference \(worst)")
        // Not every prediction the same: the trees split.
        #expect(Set(swift).count > 10)

        let width = test.columns + 1
        let libraryShap = try booster.contributions(test)
        let swiftShap = trees.contributions(test.values)
        #expect(swiftShap.count == libraryShap.count)
        let worstShap = zip(swiftShap, libraryShap).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worstShap <= 1e-5, "largest SHAP difference \(worstShap)")
        // The tables served every tree, and agree with the recursion they replace.
        #expect(trees.paths.fast.allSatisfy { $0 })
        let reference = trees.referenceContributions(test.values)
        let worstReference = zip(swiftShap, reference).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worstReference <= 1e-5, "largest difference from the recursion \(worstReference)")
        // Trees whose paths have more distinct features than a limit keep the recursion, beside
        // the others' tables; some limit splits the trees both ways.
        var mixes = 0
        for limit in 0...5 {
            let limited = trees.limitingTables(to: limit)
            if limited.paths.fast.contains(true) && limited.paths.fast.contains(false) { mixes += 1 }
            let worst = zip(limited.contributions(test.values), reference).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst <= 1e-5, "tables up to \(limit) features: largest difference \(worst)")
        }
        #expect(mixes > 0)
        for r in 0..<test.rows {
            let sum = swiftShap[(r * width)..<((r + 1) * width)].reduce(0, +)
            #expect(abs(sum - swift[r]) < 1e-4, "row \(r): contributions sum to \(sum), margin \(swift[r])")
        }
        // The loaded booster reads the same trees.
        let loaded = try Booster(serialized: try booster.serialized(), columns: test.columns)
        #expect(loaded.trees == trees)
        #expect(try loaded.margins(test.values) == swift)
    }

    @Test("a model the Swift evaluator cannot read is refused with the reason (where the JSON breaks, which part is unsupported)")
    func swiftTreesRefuse() throws {
        func message(_ bytes: String) -> String? {
            do { _ = try TreeEnsemble(xgboostJSON: Array(bytes.utf8), columns: 3) } catch { return error.message }
            return nil
        }
        #expect(message("{\"learner\": ")?.contains("unexpected end at byte") == true)
        #expect(message(#"{"learner": {"gradient_booster": {"name": "dart", "model": {}}}}"#)?.contains("'dart', not a gbtree") == true)
        let booster = try Booster.train(try Self.classification(rows: 200, seed: 15), parameters: BoostingParameters(objective: .binaryLogistic))
        let json = String(decoding: try booster.serialized(), as: UTF8.self)
        #expect(message(json.replacingFirst("\"split_indices\": [", with: "\"split_indices\": [7")) != nil)
        #expect(message(json.replacingFirst("binary:logistic", with: "multi:softprob"))?.contains("'multi:softprob'") == true)
    }
}

extension String {
    fileprivate func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
