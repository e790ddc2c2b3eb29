import Foundation
import MatchworkCore
import Testing

@Suite("Collaborative models")
struct CollaborativeModelTests {
    /// 400 users in 8 blocks; each interacts with 12 of its block's 25 items. Per user, the last
    /// 3 items are held out.
    static func planted(users: Int = 400) -> (train: InteractionMatrix, test: InteractionMatrix) {
        var generator = SeededGenerator(seed: 11)
        var train: [(user: Int32, item: Int32, value: Float)] = [], test = train
        for u in 0..<users {
            let block = u % 8
            let items = generator.shuffled(Array(0..<25)).prefix(12).map { Int32(block * 25 + $0) }
            for (k, item) in items.enumerated() {
                if k < 9 { train.append((Int32(u), item, 1)) } else { test.append((Int32(u), item, 1)) }
            }
        }
        return (InteractionMatrix(users: users, items: 200, entries: train), InteractionMatrix(users: users, items: 200, entries: test))
    }

    /// Lists of the whole catalogue for a few users hold every item but the user's train items
    /// and the filtered ones.
    static func expectNeverSeenOrFiltered(_ model: some TopNModel, train: InteractionMatrix) {
        let filtered: Set<Int32> = [0, 1, 2, 50, 75, 199]
        for u in [0, 7, 123] {
            let list = model.recommend(user: u, count: 500, train: train, excluding: filtered)
            let seen = Set(train.row(u).map { train.rowItems[$0] })
            #expect(list.count == model.itemCount - seen.union(filtered).count)
            #expect(list.allSatisfy { !seen.contains($0.item) && !filtered.contains($0.item) })
        }
    }

    @Test("ALS recovers a planted block structure, far above popularity")
    func alsRecoversBlocks() throws {
        let (train, test) = Self.planted()
        var configuration = ALSModel.Configuration()
        configuration.factors = 16
        configuration.regularization = 0.05
        let als = try ALSModel(train, configuration: configuration)
        let metrics = TopNEvaluation.evaluate(als, train: train, test: test)
        let popularity = TopNEvaluation.evaluate(PopularityModel(train), train: train, test: test)
        #expect(metrics.usersEvaluated == 400)
        #expect(metrics.hitRate > 0.9)
        #expect(metrics.ndcg > 2 * popularity.ndcg)
        // A user's recommendations stay in their block.
        var scores = [Float](repeating: 0, count: 200)
        scores.withUnsafeMutableBufferPointer { als.scores(user: 3, into: $0) }
        let best = scores.indices.max { scores[$0] < scores[$1] }!
        #expect(best / 25 == 3)
    }

    @Test("Every ranking model recovers the blocks, is deterministic, and handles K above the catalogue", arguments: ["item-knn", "user-knn", "rp3beta", "ease", "als", "bpr"])
    func contract(model: String) throws {
        let (train, test) = Self.planted()
        let parameters = try Parameters(model == "als" ? ["factors=16", "regularization=0.05"] : model == "bpr" ? ["factors=16", "learning_rate=0.05", "iterations=60"] : model == "ease" ? ["regularization=10"] : [])
        let fitted = try ModelCatalog.fitRanking(model, train: train, parameters: parameters, threads: 2)
        let again = try ModelCatalog.fitRanking(model, train: train, parameters: parameters, threads: 2)
        let metrics = TopNEvaluation.evaluate(fitted, train: train, test: test)
        #expect(metrics.hitRate > 0.9, "\(model): \(metrics)")
        #expect(TopNEvaluation.evaluate(again, train: train, test: test).named == metrics.named)
        // K larger than the catalogue: every unseen item is listed, no seen one.
        let all = TopNEvaluation.evaluate(fitted, train: train, test: test, k: 500)
        #expect(all.recall == 1)
        #expect(all.coverage == 1)
        // Never a seen or filtered item, even when the list asks for the whole catalogue.
        Self.expectNeverSeenOrFiltered(fitted, train: train)
    }

    @Test("Each hyper-parameter of every ranking model changes its scores", arguments: [
        ("item-knn", ["neighbours=3", "shrink=0"]),
        ("user-knn", ["neighbours=3", "shrink=0"]),
        ("rp3beta", ["alpha=0.5", "beta=0", "neighbours=3", "normalize=1"]),
        ("ease", ["regularization=1"]),
        ("als", ["factors=4", "iterations=2", "regularization=1", "alpha=5", "cg_steps=1", "seed=7"]),
        ("bpr", ["factors=4", "iterations=3", "learning_rate=0.05", "regularization=0.1", "negatives=uniform", "redraws=5", "seed=7"]),
    ])
    func everyParameterMatters(model: String, settings: [String]) throws {
        let (train, _) = Self.planted()
        func scores(_ parameters: [String]) throws -> [Float] {
            let fitted = try ModelCatalog.fitRanking(model, train: train, parameters: try Parameters(parameters), threads: 2)
            var all: [Float] = []
            for u in stride(from: 0, to: 400, by: 37) {
                var row = [Float](repeating: 0, count: 200)
                row.withUnsafeMutableBufferPointer { fitted.scores(user: u, into: $0) }
                all += row
            }
            return all
        }
        let base = model == "bpr" ? ["iterations=5"] : []
        let reference = try scores(base)
        for setting in settings {
            #expect(try scores(base + [setting]) != reference, "\(model): \(setting) changed nothing")
        }
    }

    @Test("RP3beta's weights are the three-step walk's, checked against a dense reference on a graded matrix", arguments: [(Float(1), Float(0.6), false), (0.5, 0, true), (1.7, 1.2, false)])
    func rp3betaWeights(alpha: Float, beta: Float, normalize: Bool) throws {
        var generator = SeededGenerator(seed: 5)
        let (users, items) = (30, 12)
        var entries: [(user: Int32, item: Int32, value: Float)] = []
        for u in 0..<users { for i in 0..<items where generator.unit() < 0.35 { entries.append((Int32(u), Int32(i), Float(1 + Int(generator.unit() * 4)))) } }
        let train = InteractionMatrix(users: users, items: items, entries: entries)
        var dense = [[Double]](repeating: [Double](repeating: 0, count: items), count: users)
        for e in entries { dense[Int(e.user)][Int(e.item)] = Double(e.value) }
        // W[i][j] = Σ_u (r_ui / d_i)^α (r_uj / d_u)^α / pop(j)^β, diagonal zero, all kept.
        let du = dense.map { $0.reduce(0, +) }
        let di = (0..<items).map { i in dense.reduce(0) { $0 + $1[i] } }
        let pop = (0..<items).map { i in Double(dense.filter { $0[i] > 0 }.count) }
        var configuration = RP3betaModel.Configuration()
        (configuration.alpha, configuration.beta, configuration.normalize, configuration.neighbours) = (alpha, beta, normalize, items)
        let model = try RP3betaModel(train, configuration: configuration)
        for i in 0..<items {
            var row = [Double](repeating: 0, count: items)
            for j in 0..<items where j != i && pop[j] > 0 {
                for u in 0..<users where dense[u][i] > 0 && dense[u][j] > 0 {
                    row[j] += pow(dense[u][i] / di[i], Double(alpha)) * pow(dense[u][j] / du[u], Double(alpha))
                }
                row[j] /= pow(pop[j], Double(beta))
            }
            if normalize, row.reduce(0, +) > 0 { let total = row.reduce(0, +); row = row.map { $0 / total } }
            let got = model.similar(to: i)
            #expect(got.count == row.filter { $0 > 0 }.count)
            for (j, weight) in got { #expect(abs(Double(weight) - row[j]) <= 1e-5 * max(1, row[j]), "W[\(i)][\(j)] = \(weight), reference \(row[j])") }
            #expect(zip(got, got.dropFirst()).allSatisfy { $0.similarity >= $1.similarity })
        }
        // A user's scores are x_u · W.
        var scores = [Float](repeating: 0, count: items)
        scores.withUnsafeMutableBufferPointer { model.scores(user: 4, into: $0) }
        for j in 0..<items {
            let expected = (0..<items).reduce(0.0) { total, i in total + dense[4][i] * Double(model.similar(to: i).first { $0.index == j }?.similarity ?? 0) }
            #expect(abs(Double(scores[j]) - expected) <= 1e-4 * max(1, expected))
        }
    }

    @Test("RP3beta refuses settings out of range, naming them")
    func rp3betaSettings() throws {
        let (train, _) = Self.planted(users: 16)
        for (setting, field) in [("alpha=0", "alpha"), ("beta=-1", "beta"), ("neighbours=0", "neighbours"), ("normalize=2", "normalize")] {
            #expect { try ModelCatalog.fitRanking("rp3beta", train: train, parameters: try Parameters([setting]), threads: 1) } throws: { error in
                (error as? MatchworkError)?.field == field
            }
        }
    }

    @Test("Item neighbours stay in the item's block, user neighbours in the user's")
    func similarItems() throws {
        let (train, _) = Self.planted()
        let items = try NeighbourModel(train, basis: .item).similar(to: 30)
        #expect(!items.isEmpty && items.allSatisfy { $0.index / 25 == 1 })
        #expect(zip(items, items.dropFirst()).allSatisfy { $0.similarity >= $1.similarity })
        // Users are in block u % 8.
        let users = try NeighbourModel(train, basis: .user).similar(to: 13)
        #expect(!users.isEmpty && users.allSatisfy { $0.index % 8 == 13 % 8 })
    }

    @Test("ALS is deterministic for a seed, and its hyper-parameters change the result")
    func alsSeedAndParameters() throws {
        let (train, _) = Self.planted()
        var configuration = ALSModel.Configuration()
        configuration.factors = 8
        configuration.iterations = 3
        let a = try ALSModel(train, configuration: configuration), b = try ALSModel(train, configuration: configuration)
        #expect(a.userFactors == b.userFactors && a.itemFactors == b.itemFactors)
        for change in [{ (c: inout ALSModel.Configuration) in c.seed = 7 }, { $0.regularization = 1 }, { $0.alpha = 5 }, { $0.iterations = 4 }, { $0.conjugateGradientSteps = 1 }] {
            var other = configuration
            change(&other)
            #expect(try ALSModel(train, configuration: other).itemFactors != a.itemFactors)
        }
        var bad = configuration
        bad.factors = 0
        #expect(throws: MatchworkError.self) { _ = try ALSModel(train, configuration: bad) }
    }

    @Test("ALS fold-in: a user left out of training gets factors that rank their block first, without retraining")
    func alsFoldIn() throws {
        let (train, _) = Self.planted()
        var configuration = ALSModel.Configuration()
        configuration.factors = 16
        configuration.regularization = 0.05
        configuration.iterations = 20
        configuration.conjugateGradientSteps = 16
        let als = try ALSModel(train, configuration: configuration)
        let gram = als.gram(for: .user)
        // For a trained user, the exact solve lands next to the trained factors.
        let entries = train.row(3).map { (train.rowItems[$0], train.rowValues[$0]) }
        let folded = als.foldIn(entries, side: .user, gram: gram)
        let trained = Array(als.userFactors[(3 * 16)..<(4 * 16)])
        let distance = zip(folded, trained).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
        let norm = trained.reduce(0) { $0 + $1 * $1 }.squareRoot()
        #expect(distance < 0.05 * norm, "\(distance) vs \(norm)")
        // A new user with three items of block 5: their other block-5 items come first.
        let fresh = als.foldIn([(125, 1), (131, 1), (140, 1)], side: .user, gram: gram)
        var scores = [Float](repeating: 0, count: 200)
        als.itemFactors.withUnsafeBufferPointer { y in
            fresh.withUnsafeBufferPointer { x in scores.withUnsafeMutableBufferPointer { LinearAlgebra.gemv(y, x, into: $0, m: 200, n: 16) } }
        }
        let top = scores.indices.filter { ![125, 131, 140].contains($0) }.sorted { scores[$0] > scores[$1] }.prefix(10)
        #expect(top.allSatisfy { $0 / 25 == 5 }, "\(top)")
        // An item folded in from its users scores those users highest.
        let itemFolded = als.foldIn(train.column(30).map { (train.columnUsers[$0], train.columnValues[$0]) }, side: .item, gram: als.gram(for: .item))
        var userScores = [Float](repeating: 0, count: 400)
        als.userFactors.withUnsafeBufferPointer { x in
            itemFolded.withUnsafeBufferPointer { y in userScores.withUnsafeMutableBufferPointer { LinearAlgebra.gemv(x, y, into: $0, m: 400, n: 16) } }
        }
        // Item 30 is in block 1 (users 1, 9, 17…): the users who took it, then others of that
        // block, come first.
        let ranked = userScores.indices.sorted { userScores[$0] > userScores[$1] }
        let takers = Set(train.column(30).map { Int(train.columnUsers[$0]) })
        #expect(takers.count >= 10)
        #expect(ranked.prefix(30).allSatisfy { $0 % 8 == 1 }, "\(ranked.prefix(30))")
        #expect(takers.allSatisfy { ranked.prefix(40).contains($0) }, "\(takers.map { ranked.firstIndex(of: $0)! }.sorted())")
        // Nothing known: zero factors.
        #expect(als.foldIn([(999, 1)], side: .user, gram: gram).allSatisfy { $0 == 0 })
    }

    @Test("BPR is deterministic for a seed, and each hyper-parameter changes the result")
    func bprSeedAndParameters() throws {
        let (train, _) = Self.planted()
        var configuration = BPRModel.Configuration()
        configuration.factors = 8
        configuration.iterations = 3
        let a = try BPRModel(train, configuration: configuration)
        #expect(try BPRModel(train, configuration: configuration).itemFactors == a.itemFactors)
        for change in [{ (c: inout BPRModel.Configuration) in c.seed = 7 }, { $0.learningRate = 0.05 }, { $0.regularization = 0.1 }, { $0.iterations = 4 }, { $0.negatives = .uniform }] {
            var other = configuration
            change(&other)
            #expect(try BPRModel(train, configuration: other).itemFactors != a.itemFactors)
        }
        do {
            var parameters = try Parameters(["negatives=hard"])
            var negatives = BPRModel.NegativeSampling.popularity
            try parameters.choice("negatives", into: &negatives)
            Issue.record("an unknown sampling was accepted")
        } catch {
            #expect(error.message == "parameter negatives='hard' is not one of uniform, popularity.")
        }
    }

    @Test("BPR on two threads: the same seed gives the same factors, and it learns as well as one thread")
    func bprParallel() throws {
        let (train, test) = Self.planted(users: 2000)
        #expect(train.count >= BPRModel.Configuration.parallelMinimumPairs)
        var configuration = BPRModel.Configuration()
        configuration.factors = 16
        configuration.learningRate = 0.05
        configuration.iterations = 20
        configuration.roundSamples = 1000
        configuration.threads = 2
        let parallel = try BPRModel(train, configuration: configuration)
        #expect(try BPRModel(train, configuration: configuration).itemFactors == parallel.itemFactors)
        configuration.threads = 1
        let sequential = try BPRModel(train, configuration: configuration)
        // The two paths draw different streams, so their factors differ; their quality does not.
        #expect(sequential.itemFactors != parallel.itemFactors)
        let a = TopNEvaluation.evaluate(parallel, train: train, test: test), b = TopNEvaluation.evaluate(sequential, train: train, test: test)
        #expect(a.hitRate > 0.9 && b.hitRate > 0.9, "\(a) \(b)")
        #expect(abs(a.ndcg - b.ndcg) < 0.05 * b.ndcg, "\(a.ndcg) vs \(b.ndcg)")
        // Each round merges every thread's item changes: another round size gives other factors.
        configuration.threads = 2
        configuration.roundSamples = 300
        #expect(try BPRModel(train, configuration: configuration).itemFactors != parallel.itemFactors)
    }

    /// The planted blocks as protocol tables (timestamps in row order): train, and test read
    /// into train's indices as `evaluate` reads them.
    static func plantedTables() throws -> (train: RatingTable, test: InteractionMatrix) {
        let (train, test) = planted()
        func rows(_ matrix: InteractionMatrix, into builder: inout RatingTable.Builder) throws {
            for u in 0..<matrix.users {
                for p in matrix.row(u) {
                    let line = builder.table.count + 2
                    try builder.append(user: "u\(u)", item: "i\(matrix.rowItems[p])", rating: 1, timestamp: Int64(line), line: line)
                }
            }
        }
        var trainBuilder = RatingTable.Builder()
        try rows(train, into: &trainBuilder)
        var testBuilder = RatingTable.Builder(indexedLike: trainBuilder.table)
        try rows(test, into: &testBuilder)
        return (trainBuilder.table, InteractionMatrix(testBuilder.table, value: { _ in 1 }))
    }

    @Test("The ensemble passes the contract: blocks, determinism, K above the catalogue, no seen or filtered item, every parameter matters")
    func ensembleContract() throws {
        let (table, shifted) = try Self.plantedTables()
        let train = InteractionMatrix(table, value: { _ in 1 })
        func fit(_ settings: [String]) throws -> EnsembleModel {
            try ModelCatalog.fitEnsemble(train: table, parameters: try Parameters(settings), k: 10, threads: 2)
        }
        let settings = ["components=item-knn,als,popularity", "als.factors=16", "als.regularization=0.05"]
        let ensemble = try fit(settings)
        let tuning = try #require(ensemble.tuning)
        #expect(abs(ensemble.weights.reduce(0, +) - 1) < 1e-5)
        #expect(tuning.ndcg >= tuning.bestSingle.ndcg)
        #expect(ensemble.components == ["item-knn", "als", "popularity"])
        let metrics = TopNEvaluation.evaluate(ensemble, train: train, test: shifted)
        #expect(metrics.hitRate > 0.9, "\(metrics)")
        #expect(try fit(settings).weights == ensemble.weights)
        #expect(TopNEvaluation.evaluate(try fit(settings), train: train, test: shifted).named == metrics.named)
        let all = TopNEvaluation.evaluate(ensemble, train: train, test: shifted, k: 500)
        #expect(all.recall == 1)
        Self.expectNeverSeenOrFiltered(ensemble, train: train)
        // Given weights are used as given (normalised); a component's parameters reach it.
        let fixed = try fit(settings + ["weights=1,1,2"])
        #expect(fixed.tuning == nil)
        #expect(fixed.weights == [0.25, 0.25, 0.5])
        func scores(_ model: EnsembleModel) -> [Float] {
            var row = [Float](repeating: 0, count: 200)
            row.withUnsafeMutableBufferPointer { model.scores(user: 5, into: $0) }
            return row
        }
        for change in ["weights=1,2,1", "als.factors=8", "item-knn.neighbours=3", "components=item-knn,als", "step=0.5", "validation_users=20", "candidates=3", "seed=3"] {
            let base = change.hasPrefix("components") || change.hasPrefix("step") || change.hasPrefix("validation") || change.hasPrefix("candidates") || change.hasPrefix("seed")
                ? settings : settings + ["weights=1,1,2"]
            var changed = base.filter { !$0.hasPrefix(change.split(separator: "=")[0] + "=") }
            changed.append(change)
            let other = try fit(changed)
            let differs = scores(other) != scores(change.hasPrefix("weights") || change.contains(".") ? fixed : ensemble) || other.weights != ensemble.weights
            // Search settings may land on the same weights; they must at least be read and valid.
            if !base.contains("weights=1,1,2") && ["step=0.5", "validation_users=20", "candidates=3", "seed=3"].contains(change) { continue }
            #expect(differs, "\(change) changed nothing")
        }
    }

    @Test("The ensemble's settings are checked, naming the bad value")
    func ensembleErrors() throws {
        let (table, _) = try Self.plantedTables()
        let cases: [([String], String)] = [
            (["components=item-knn,magic"], "component 'magic' is not a ranking model; use some of popularity, item-knn, user-knn, rp3beta, ease, als, bpr."),
            (["components=als,als"], "components lists a model twice (als,als); list each once."),
            (["components=item-knn,als", "weights=1"], "weights has 1 values for 2 components; give one weight per component."),
            (["components=item-knn,als", "weights=0,0"], "weights 0.0,0.0 must be non-negative with a positive sum."),
            (["weights=a,b"], "parameter weights='a,b' is not a comma-separated list of numbers."),
            (["step=0.3"], "step 0.3 must divide 1 evenly and be at most 0.5 (for example 0.1, 0.2, 0.25)."),
            (["components=item-knn", "als.factors=8"], "parameters are given for 'als', which is not a component (item-knn); add it to components."),
            (["components=item-knn", "item-knn.magic=1"], "unknown parameter 'magic' for model item-knn; its parameters are neighbours, shrink."),
            (["colour=red"], "unknown parameter 'colour' for model ensemble; its parameters are candidates, components, seed, step, validation_users, weights."),
        ]
        for (settings, message) in cases {
            do {
                _ = try ModelCatalog.fitEnsemble(train: table, parameters: try Parameters(settings), k: 10, threads: 2)
                Issue.record("\(settings) was accepted")
            } catch {
                #expect(error.message == message)
            }
        }
    }

    @Test("Evaluation follows the protocol: train items removed, metrics on a hand-made case")
    func evaluationDefinitions() {
        // One user; train item 0; test items 1 and 3. Scores rank 0 > 1 > 2 > 3.
        struct Fixed: TopNModel {
            var itemCount: Int { 4 }
            func scores(user u: Int, into scores: UnsafeMutableBufferPointer<Float>) { for i in 0..<4 { scores[i] = Float(4 - i) } }
        }
        let train = InteractionMatrix(users: 1, items: 4, entries: [(0, 0, 1)])
        let test = InteractionMatrix(users: 1, items: 4, entries: [(0, 1, 1), (0, 3, 1)])
        let m = TopNEvaluation.evaluate(Fixed(), train: train, test: test, k: 2)
        // List [1, 2]: one hit at rank 1.
        #expect(m.precision == 0.5 && m.recall == 0.5 && m.hitRate == 1)
        let idcg = 1 + 1 / log2(3.0)
        #expect(abs(m.ndcg - 1 / idcg) < 1e-12)
        #expect(m.map == 0.5)
        #expect(m.coverage == 2)  // two items recommended, one item in train
    }
}
