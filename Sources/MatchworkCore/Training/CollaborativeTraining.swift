/// The collaborative models `matchwork train` fits on a whole marketplace and saves to the
/// model registry (the neural hybrid is ``NeuralTraining``).
public enum CollaborativeKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Implicit ALS on net positive interest: the engine's collaborative component serves it.
    case als
    /// Bayesian personalised ranking on the same interest.
    case bpr
    /// Opportunity–opportunity cosine neighbours of the same interest.
    case itemKNN = "item-knn"
    /// Biased matrix factorisation of review ratings (0-1), by opportunity key (the client when
    /// there is one).
    case mf
}

/// A collaborative model trained on a marketplace, as the registry stores it: named tensors over
/// its people and opportunities, and the external ids behind their rows.
public struct TrainedCollaborative: Sendable, Hashable {
    public var kind: CollaborativeKind
    public var scenario: ScenarioName?
    /// Row → external id. For `mf` the opportunity rows are opportunity keys (the client's id,
    /// or the opportunity's own when it has no client).
    public var personIDs: [String]
    public var opportunityIDs: [String]
    /// The engine configuration ALS was fitted with (`als` only).
    public var collaborative: CollaborativeConfiguration?
    /// The resolved hyper-parameters.
    public var settings: [String: String]
    /// Single numbers (`mean` for `mf`).
    public var scalars: [String: Float]
    public var floats: [String: [Float]]
    public var integers: [String: [Int32]]
    /// The registry version, once saved or loaded.
    public var version: String?

    public init(
        kind: CollaborativeKind, scenario: ScenarioName?, personIDs: [String], opportunityIDs: [String], collaborative: CollaborativeConfiguration?,
        settings: [String: String], scalars: [String: Float], floats: [String: [Float]], integers: [String: [Int32]], version: String? = nil
    ) {
        self.kind = kind
        self.scenario = scenario
        self.personIDs = personIDs
        self.opportunityIDs = opportunityIDs
        self.collaborative = collaborative
        self.settings = settings
        self.scalars = scalars
        self.floats = floats
        self.integers = integers
        self.version = version
    }

    /// The tensors each kind must hold, with their lengths given the row counts; a loaded model
    /// is checked against it.
    func expectedShapes() -> [String: Int] {
        let people = personIDs.count, opportunities = opportunityIDs.count
        let factors = Int(settings["factors"] ?? "") ?? 0
        switch kind {
        case .als: return ["people": people * factors, "opportunities": opportunities * factors]
        case .bpr: return ["people": people * factors, "opportunities": opportunities * factors, "opportunity_biases": opportunities]
        case .itemKNN: return ["offsets": opportunities + 1, "neighbours": Int(integers["offsets"]?.last ?? 0), "weights": Int(integers["offsets"]?.last ?? 0)]
        case .mf:
            return ["people": people * factors, "opportunities": opportunities * factors, "person_biases": people, "opportunity_biases": opportunities]
        }
    }

    /// Why the tensors do not fit the kind, or `nil` when they do.
    public func shapeProblem() -> String? {
        for (name, count) in expectedShapes().sorted(by: { $0.key < $1.key }) {
            let have = floats[name]?.count ?? integers[name]?.count
            guard let have else { return "it lacks its \(name) tensor" }
            if have != count { return "its \(name) tensor has \(have) values where \(count) are expected" }
        }
        if kind == .als, collaborative?.factors != Int(settings["factors"] ?? "") { return "its ALS configuration does not match its factors" }
        if kind == .mf, scalars["mean"] == nil { return "it lacks its mean rating" }
        if kind == .itemKNN, let offsets = integers["offsets"] {
            let limit = Int32(opportunityIDs.count)
            if zip(offsets, offsets.dropFirst()).contains(where: { $0 > $1 }) || offsets.first != 0 { return "its neighbour offsets are not ascending from 0" }
            if integers["neighbours"]?.contains(where: { $0 < 0 || $0 >= limit }) == true { return "it names a neighbour outside its opportunities" }
        }
        return nil
    }

    /// The collaborative index this ALS model gives `snapshot`: rows the model knows keep their
    /// factors, the others are folded in from their current interest.
    public func collaborativeIndex(for snapshot: MarketplaceSnapshot) throws(MatchworkError) -> CollaborativeIndex {
        guard kind == .als, let configuration = collaborative, let people = floats["people"], let opportunities = floats["opportunities"] else {
            throw MatchworkError(.invalidValue, "model \(version ?? kind.rawValue) is \(kind.rawValue), not ALS; the collaborative component serves ALS models.", field: "model")
        }
        var trained = CollaborativeIndex(
            configuration: configuration, personIDs: personIDs.map { PersonID($0) }, opportunityIDs: opportunityIDs.map { OpportunityID($0) }, personFactors: people,
            opportunityFactors: opportunities)
        trained.modelVersion = version
        return CollaborativeIndex(updating: trained, to: snapshot)
    }
}

/// Fits the collaborative models of ``CollaborativeKind`` on a marketplace: first on a seeded
/// 80% to measure them on the rest, then on everything for the saved model.
public enum CollaborativeTraining {
    public struct Result: Sendable {
        public var model: TrainedCollaborative
        /// On the held-out share: precision@10, recall@10, NDCG@10 and hit rate@3 for the
        /// ranking kinds (`lists` is the people evaluated); MSE, MAE and R² (0-1 scale) for `mf`.
        public var validation: NeuralMetrics
        /// What it was trained on: people, opportunities, pairs (or reviews), held out.
        public var data: [String: Int]
        public var seconds: Double
    }

    /// Trains `kind` on `snapshot` (its net positive interest, or for `mf` its review ratings).
    /// ALS starts from `base` (the engine's collaborative configuration) so that the saved model
    /// is the one the engine would fit.
    public static func train(
        _ kind: CollaborativeKind, snapshot: MarketplaceSnapshot, parameters: inout Parameters, base: CollaborativeConfiguration, threads: Int = 2
    ) throws(MatchworkError) -> Result {
        let clock = ContinuousClock(), started = clock.now
        var holdout: Float = 0.2
        try parameters.float("holdout", into: &holdout)
        guard holdout > 0, holdout < 1 else {
            throw MatchworkError(.invalidConfiguration, "parameter holdout=\(holdout) must be between 0 and 1 (exclusive); 0.2 holds out a fifth.", field: "holdout")
        }
        var seed: UInt64 = 42
        let people = snapshot.people.map(\.id.rawValue), opportunities = snapshot.opportunities.map(\.id.rawValue)
        var settings: [String: String] = ["holdout": "\(holdout)"]
        var scalars: [String: Float] = [:], floats: [String: [Float]] = [:], integers: [String: [Int32]] = [:]
        var collaborative: CollaborativeConfiguration?
        var validation: NeuralMetrics
        var data: [String: Int]
        var personRows = people, opportunityRows = opportunities
        if kind == .mf {
            let c = try ModelCatalog.mfConfiguration(&parameters)
            try parameters.checkAllRead(model: kind.rawValue)
            try c.validate()
            seed = c.seed
            let table = try reviews(snapshot)
            guard table.count >= 20 else {
                throw MatchworkError(.invalidValue, "the store has \(table.count) review ratings; mf needs at least 20. Import rate events with values first.", field: "model")
            }
            let (trainRows, testRows) = RatingSplit.split(table, method: .random, seed: seed)
            let heldOut = try BiasedMFModel(InteractionMatrix(table, rows: trainRows), configuration: c)
            validation = ratingMetrics(heldOut, table: table, rows: testRows)
            let model = try BiasedMFModel(InteractionMatrix(table), configuration: c)
            personRows = table.userIDs
            opportunityRows = table.itemIDs
            floats = ["people": model.userFactors, "opportunities": model.itemFactors, "person_biases": model.userBiases, "opportunity_biases": model.itemBiases]
            scalars["mean"] = model.mean
            settings.merge([
                "factors": "\(c.factors)", "iterations": "\(c.iterations)", "learning_rate": "\(c.learningRate)", "regularization": "\(c.regularization)",
                "bias_regularization": "\(c.biasRegularization)", "decay": "\(c.decay)", "init_std": "\(c.initialDeviation)", "seed": "\(c.seed)",
            ]) { $1 }
            data = ["people": table.userIDs.count, "opportunity_keys": table.itemIDs.count, "reviews": table.count, "held_out": testRows.count]
        } else {
            let matrix = CollaborativeIndex.interest(snapshot)
            guard matrix.count >= 10 else {
                throw MatchworkError(
                    .invalidValue, "the store has \(matrix.count) pairs of positive interest; \(kind.rawValue) needs at least 10. Import applications, bids or hires first.",
                    field: "model")
            }
            var fit: (InteractionMatrix) throws(MatchworkError) -> any TopNModel
            switch kind {
            case .als:
                var c = base
                try parameters.int("factors", into: &c.factors)
                try parameters.int("iterations", into: &c.iterations)
                try parameters.float("regularization", into: &c.regularization)
                try parameters.float("alpha", into: &c.alpha)
                try parameters.seed("seed", into: &c.seed)
                try parameters.checkAllRead(model: kind.rawValue)
                try c.validate()
                collaborative = c
                seed = c.seed
                var als = c.als
                als.threads = threads
                settings.merge(["factors": "\(c.factors)", "iterations": "\(c.iterations)", "regularization": "\(c.regularization)", "alpha": "\(c.alpha)", "seed": "\(c.seed)"]) { $1 }
                fit = { (m: InteractionMatrix) throws(MatchworkError) -> any TopNModel in try ALSModel(m, configuration: als) }
            case .bpr:
                let c = try ModelCatalog.bprConfiguration(&parameters, threads: threads)
                try parameters.checkAllRead(model: kind.rawValue)
                seed = c.seed
                settings.merge([
                    "factors": "\(c.factors)", "iterations": "\(c.iterations)", "learning_rate": "\(c.learningRate)", "regularization": "\(c.regularization)", "seed": "\(c.seed)",
                    "negatives": c.negatives.rawValue, "redraws": "\(c.redraws)",
                ]) { $1 }
                fit = { (m: InteractionMatrix) throws(MatchworkError) -> any TopNModel in try BPRModel(m, configuration: c) }
            default:
                let c = try ModelCatalog.neighbourConfiguration(&parameters, threads: threads)
                try parameters.checkAllRead(model: kind.rawValue)
                settings.merge(["neighbours": "\(c.neighbours)", "shrink": "\(c.shrink)"]) { $1 }
                fit = { (m: InteractionMatrix) throws(MatchworkError) -> any TopNModel in try NeighbourModel(m, basis: .item, configuration: c) }
            }
            let (train, test) = split(matrix, share: holdout, seed: seed)
            let heldOut = try fit(train)
            let at10 = TopNEvaluation.evaluate(heldOut, train: train, test: test, k: 10, threads: threads)
            let at3 = TopNEvaluation.evaluate(heldOut, train: train, test: test, k: 3, threads: threads)
            validation = NeuralMetrics(
                loss: 0, examples: test.count, lists: at10.usersEvaluated, precisionAt10: at10.precision, recallAt10: at10.recall, ndcgAt10: at10.ndcg,
                hitRateAt3: at3.hitRate)
            let model = try fit(matrix)
            switch model {
            case let m as ALSModel: floats = ["people": m.userFactors, "opportunities": m.itemFactors]
            case let m as BPRModel: floats = ["people": m.userFactors, "opportunities": m.itemFactors, "opportunity_biases": m.itemBiases]
            case let m as NeighbourModel:
                integers = ["offsets": m.graph.offsets.map { Int32($0) }, "neighbours": m.graph.neighbours]
                floats = ["weights": m.graph.weights]
            default: break
            }
            data = ["people": people.count, "opportunities": opportunities.count, "pairs": matrix.count, "held_out": test.count]
        }
        let model = TrainedCollaborative(
            kind: kind, scenario: snapshot.preset?.name, personIDs: personRows, opportunityIDs: opportunityRows, collaborative: collaborative, settings: settings,
            scalars: scalars, floats: floats, integers: integers)
        let elapsed = clock.now - started
        return Result(model: model, validation: validation, data: data, seconds: elapsed.inSeconds)
    }

    /// Each person's positive interest split at random (seeded): `share` of it, at least one
    /// pair, held out from people with two or more.
    static func split(_ matrix: InteractionMatrix, share: Float, seed: UInt64) -> (train: InteractionMatrix, test: InteractionMatrix) {
        var generator = SeededGenerator(seed: seed)
        var train: [(user: Int32, item: Int32, value: Float)] = [], test: [(user: Int32, item: Int32, value: Float)] = []
        for u in 0..<matrix.users {
            let row = Array(matrix.row(u))
            let held = row.count >= 2 ? max(1, Int(Float(row.count) * share)) : 0
            let order = generator.shuffled(row)
            for (k, p) in order.enumerated() {
                let entry = (Int32(u), matrix.rowItems[p], matrix.rowValues[p])
                if k < held { test.append(entry) } else { train.append(entry) }
            }
        }
        return (InteractionMatrix(users: matrix.users, items: matrix.items, entries: train), InteractionMatrix(users: matrix.users, items: matrix.items, entries: test))
    }

    /// The review ratings of `snapshot` on a 0-1 scale (value / 10), person × opportunity key;
    /// the latest rating of a pair counts.
    static func reviews(_ snapshot: MarketplaceSnapshot) throws(MatchworkError) -> RatingTable {
        var latest: [PairKey: (value: Float, time: Int64)] = [:]
        for p in snapshot.people.indices {
            for event in snapshot.personEvents[snapshot.personOffsets[p]..<snapshot.personOffsets[p + 1]] where event.type == .rate && event.value.isFinite {
                let key = PairKey(person: snapshot.people[p].id.rawValue, opportunity: snapshot.opportunityKey(event.other))
                if let seen = latest[key], seen.time > event.time { continue }
                latest[key] = (min(1, max(0, event.value / 10)), event.time)
            }
        }
        var builder = RatingTable.Builder()
        for (line, (key, rating)) in latest.sorted(by: { ($0.key.person, $0.key.opportunity) < ($1.key.person, $1.key.opportunity) }).enumerated() {
            try builder.append(user: key.person, item: key.opportunity, rating: rating.value, timestamp: rating.time, line: line + 1)
        }
        return builder.table
    }

    struct PairKey: Hashable {
        var person: String
        var opportunity: String
    }

    static func ratingMetrics(_ model: BiasedMFModel, table: RatingTable, rows: [Int]) -> NeuralMetrics {
        let n = Double(max(rows.count, 1))
        let mean = rows.reduce(0.0) { $0 + Double(table.ratings[$1]) } / n
        var se = 0.0, ae = 0.0, total = 0.0
        for r in rows {
            let y = Double(table.ratings[r])
            let e = Double(model.predict(user: Int(table.users[r]), item: Int(table.items[r])).value) - y
            se += e * e
            ae += abs(e)
            total += (y - mean) * (y - mean)
        }
        return NeuralMetrics(loss: se / n, examples: rows.count, mse: se / n, mae: ae / n, r2: total > 0 ? 1 - se / total : 0)
    }
}
