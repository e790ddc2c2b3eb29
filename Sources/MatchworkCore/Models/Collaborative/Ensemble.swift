import Dispatch

/// `matchwork evaluate --model ensemble`: several ranking models blended. Each component's
/// scores for a user are standardised over the catalogue (mean 0, standard deviation 1) and
/// summed with non-negative weights that add up to 1.
///
/// The weights are chosen on train alone: train is split again by the protocol's temporal rule,
/// the components are fitted on the earlier part, and a local search over the weight grid
/// (steps of ``Configuration/step``, starting from the best single component) keeps the
/// weights with the best NDCG@K on the later part. The components are then refitted on all of
/// train. Given weights skip the search.
public struct EnsembleModel: TopNModel {
    public struct Configuration: Sendable, Hashable {
        /// Component model names (``ModelCatalog/rankingModels``); `nil` picks item-knn,
        /// user-knn, ease (when the catalogue is small enough for it), als and popularity.
        public var components: [String]?
        /// Fixed weights, one per component; `nil` chooses them on a validation split of train.
        public var weights: [Float]?
        /// Grid step of the weight search.
        public var step: Float = 0.1
        /// The list length the search optimises NDCG for.
        public var k = 10
        /// Validation users scored at most (a seeded sample above it).
        public var validationUsers = 2000
        /// Per validation user, each component's best this many items are the candidates
        /// blended during the search.
        public var candidates = 50
        public var seed: UInt64 = 42

        public init() {}

        public func validate() throws(MatchworkError) {
            if let components {
                guard !components.isEmpty else { throw MatchworkError(.invalidConfiguration, "components is empty; name at least one ranking model.", field: "components") }
                for name in components where name == "ensemble" || !ModelCatalog.rankingModels.contains(name) {
                    throw MatchworkError(
                        .invalidConfiguration, "component '\(name)' is not a ranking model; use some of \(ModelCatalog.rankingModels.joined(separator: ", ")).",
                        field: "components")
                }
                guard Set(components).count == components.count else {
                    throw MatchworkError(.invalidConfiguration, "components lists a model twice (\(components.joined(separator: ","))); list each once.", field: "components")
                }
            }
            if let weights {
                let count = components?.count
                if let count, weights.count != count {
                    throw MatchworkError(
                        .invalidConfiguration, "weights has \(weights.count) values for \(count) components; give one weight per component.", field: "weights")
                }
                guard weights.allSatisfy({ $0 >= 0 && $0.isFinite }), weights.reduce(0, +) > 0 else {
                    throw MatchworkError(
                        .invalidConfiguration, "weights \(weights.map { "\($0)" }.joined(separator: ",")) must be non-negative with a positive sum.", field: "weights")
                }
            }
            guard step > 0 && step <= 0.5 && (1 / step).rounded() * step == 1 || step == 1 else {
                throw MatchworkError(.invalidConfiguration, "step \(step) must divide 1 evenly and be at most 0.5 (for example 0.1, 0.2, 0.25).", field: "step")
            }
            try check(k, "k", 1...1000)
            try check(validationUsers, "validation_users", 1...1_000_000)
            try check(candidates, "candidates", 1...10_000)
        }

        /// The components for a catalogue of `items` items.
        func componentNames(items: Int) -> [String] {
            components ?? (items <= EASEModel.maximumItems ? ["item-knn", "user-knn", "ease", "als", "popularity"] : ["item-knn", "user-knn", "als", "popularity"])
        }
    }

    /// What the weight search found.
    public struct Tuning: Sendable, Hashable {
        /// A component and its NDCG@K on the validation users.
        public struct Component: Sendable, Hashable {
            public var name: String
            public var ndcg: Double
        }

        /// Validation users the weights were chosen on.
        public var users: Int
        /// NDCG@K of the chosen weights on them.
        public var ndcg: Double
        /// The best component on its own.
        public var bestSingle: Component
    }

    public let components: [String]
    public let models: [any TopNModel]
    /// One per component, summing to 1.
    public let weights: [Float]
    /// The search's result; `nil` when the weights were given.
    public let tuning: Tuning?
    public var itemCount: Int { models[0].itemCount }

    /// Fits the ensemble on `train`; `parameters[name]` are component `name`'s hyper-parameters.
    public init(
        _ train: RatingTable, configuration: Configuration = Configuration(), parameters: [String: Parameters] = [:], threads: Int = 2
    ) throws(MatchworkError) {
        try configuration.validate()
        let names = configuration.componentNames(items: train.itemIDs.count)
        for name in parameters.keys where !names.contains(name) {
            throw MatchworkError(
                .invalidConfiguration, "parameters are given for '\(name)', which is not a component (\(names.joined(separator: ", "))); add it to components.",
                field: name)
        }
        func fit(_ matrix: InteractionMatrix) throws(MatchworkError) -> [any TopNModel] {
            var models: [any TopNModel] = []
            let none = try Parameters([])
            for name in names {
                models.append(try ModelCatalog.fitRanking(name, train: matrix, parameters: parameters[name] ?? none, threads: threads))
            }
            return models
        }
        let full = InteractionMatrix(train, value: { _ in 1 })
        var weights: [Float]
        if let given = configuration.weights {
            weights = given
            tuning = nil
        } else {
            let split = RatingSplit.split(train, method: .temporal, seed: configuration.seed)
            let inner = InteractionMatrix(train, rows: split.train, value: { _ in 1 })
            let held = InteractionMatrix(train, rows: split.test, value: { _ in 1 })
            let samples = Self.samples(models: try fit(inner), train: inner, test: held, configuration: configuration, threads: threads)
            let search = Self.search(samples, components: names.count, configuration: configuration)
            weights = search.weights
            tuning = Tuning(users: samples.count, ndcg: search.ndcg, bestSingle: .init(name: names[search.bestSingle.index], ndcg: search.bestSingle.ndcg))
        }
        let total = weights.reduce(0, +)
        weights = weights.map { $0 / total }
        components = names
        models = try fit(full)
        self.weights = weights
    }

    public func scores(user u: Int, into scores: UnsafeMutableBufferPointer<Float>) {
        scores.update(repeating: 0)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: itemCount) { buffer in
            for (k, model) in models.enumerated() where weights[k] > 0 {
                model.scores(user: u, into: buffer)
                Self.standardise(buffer)
                VectorKernels.axpy(weights[k], UnsafeBufferPointer(buffer), scores)
            }
        }
    }

    /// Scales `values` to mean 0 and standard deviation 1 (all 0 when they are all equal);
    /// a value that is not finite counts as the lowest finite one.
    static func standardise(_ values: UnsafeMutableBufferPointer<Float>) {
        var low = Float.greatestFiniteMagnitude
        for v in values where v.isFinite { low = min(low, v) }
        if low == .greatestFiniteMagnitude { low = 0 }
        var sum = 0.0, squares = 0.0
        for i in values.indices {
            if !values[i].isFinite { values[i] = low }
            sum += Double(values[i])
            squares += Double(values[i]) * Double(values[i])
        }
        let n = Double(values.count)
        let mean = sum / n, variance = max(0, squares / n - mean * mean)
        guard variance > 1e-18 else {
            values.update(repeating: 0)
            return
        }
        let scale = Float(1 / variance.squareRoot()), shift = Float(mean)
        for i in values.indices { values[i] = (values[i] - shift) * scale }
    }

    /// One validation user: the candidates, each component's standardised scores of them
    /// (component-major), which candidates are relevant, and how many relevant items exist.
    struct Sample: Sendable {
        var values: [Float]
        var relevant: [Bool]
        /// The DCG of a perfect list of K (over every relevant item, candidate or not).
        var ideal: Double
        var count: Int { relevant.count }
    }

    /// The weights (summing to 1) that blend `models`, fitted on `train`, best by NDCG@K on
    /// `test`: the local grid search the ensemble runs on its own split, run on a given pair
    /// (a validation pair of a tuning search).
    public static func chooseWeights(
        models: [any TopNModel], train: InteractionMatrix, test: InteractionMatrix, configuration: Configuration = Configuration(), threads: Int = 2
    ) -> [Float] {
        let found = search(samples(models: models, train: train, test: test, configuration: configuration, threads: threads), components: models.count, configuration: configuration)
        let total = found.weights.reduce(0, +)
        return total > 0 ? found.weights.map { $0 / total } : found.weights
    }

    static func samples(models: [any TopNModel], train: InteractionMatrix, test: InteractionMatrix, configuration: Configuration, threads: Int) -> [Sample] {
        var eligible = (0..<min(train.users, test.users)).filter { !train.row($0).isEmpty && !test.row($0).isEmpty }
        if eligible.count > configuration.validationUsers {
            var generator = SeededGenerator(seed: configuration.seed)
            eligible = Array(generator.shuffled(eligible).prefix(configuration.validationUsers)).sorted()
        }
        let users = eligible
        let items = models[0].itemCount, c = models.count
        let workers = max(1, min(threads, users.count))
        let slots = SampleSlots(workers: workers)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            // Component k's scores of every item at k × items.
            var scores = [Float](repeating: 0, count: c * items)
            var mine: [Sample] = []
            var index = w
            while index < users.count {
                let u = users[index]
                var candidates = Set<Int32>()
                for k in 0..<c {
                    scores.withUnsafeMutableBufferPointer { all in
                        let buffer = UnsafeMutableBufferPointer(rebasing: all[(k * items)..<((k + 1) * items)])
                        models[k].scores(user: u, into: buffer)
                        standardise(buffer)
                        for p in train.row(u) { buffer[Int(train.rowItems[p])] = -.infinity }
                        var top = TopK(configuration.candidates)
                        for i in buffer.indices where buffer[i] > -.infinity { top.offer(buffer[i], Int32(i)) }
                        candidates.formUnion(top.sorted())
                    }
                }
                let list = candidates.sorted()
                let relevant = Set(test.row(u).map { test.rowItems[$0] })
                var values = [Float](repeating: 0, count: c * list.count)
                for k in 0..<c { for (j, i) in list.enumerated() { values[k * list.count + j] = scores[k * items + Int(i)] } }
                var ideal = 0.0
                for rank in 0..<min(relevant.count, configuration.k) { ideal += 1 / RankingMetrics.log2(Double(rank + 2)) }
                mine.append(Sample(values: values, relevant: list.map { relevant.contains($0) }, ideal: ideal))
                index += workers
            }
            slots.store(mine, at: w)
        }
        return slots.all()
    }

    /// NDCG@K of `weights` over `samples`.
    static func ndcg(_ weights: [Float], _ samples: [Sample], k: Int) -> Double {
        var total = 0.0
        var blended: [Float] = []
        for sample in samples {
            let n = sample.count
            blended.removeAll(keepingCapacity: true)
            blended.append(contentsOf: repeatElement(0, count: n))
            for (c, w) in weights.enumerated() where w > 0 {
                for j in 0..<n { blended[j] += w * sample.values[c * n + j] }
            }
            var top = TopK(k)
            for j in 0..<n { top.offer(blended[j], Int32(j)) }
            var dcg = 0.0
            for (rank, j) in top.sorted().enumerated() where sample.relevant[Int(j)] { dcg += 1 / RankingMetrics.log2(Double(rank + 2)) }
            total += sample.ideal > 0 ? dcg / sample.ideal : 0
        }
        return samples.isEmpty ? 0 : total / Double(samples.count)
    }

    /// Local search on the weight grid: from the best single component, move one step of
    /// weight from one component to another while that raises NDCG.
    static func search(_ samples: [Sample], components c: Int, configuration: Configuration) -> (weights: [Float], ndcg: Double, bestSingle: (index: Int, ndcg: Double)) {
        let units = Int((1 / configuration.step).rounded())
        func weights(_ grid: [Int]) -> [Float] { grid.map { Float($0) / Float(units) } }
        var single = (index: 0, ndcg: -1.0)
        for k in 0..<c {
            var grid = [Int](repeating: 0, count: c)
            grid[k] = units
            let value = ndcg(weights(grid), samples, k: configuration.k)
            if value > single.ndcg { single = (k, value) }
        }
        var grid = [Int](repeating: 0, count: c)
        grid[single.index] = units
        var best = single.ndcg
        var moves = 0
        while moves < 10 * units * c {
            var improvement: (grid: [Int], ndcg: Double)?
            for from in 0..<c where grid[from] > 0 {
                for to in 0..<c where to != from {
                    var next = grid
                    next[from] -= 1
                    next[to] += 1
                    let value = ndcg(weights(next), samples, k: configuration.k)
                    if value > (improvement?.ndcg ?? best) + 1e-9 { improvement = (next, value) }
                }
            }
            guard let found = improvement else { break }
            grid = found.grid
            best = found.ndcg
            moves += 1
        }
        return (weights(grid), best, single)
    }
}

/// Each worker's samples (users `w`, `w + workers`, …), stored once by that worker.
private final class SampleSlots: @unchecked Sendable {
    // Each slot is written by exactly one worker, and read after all have finished.
    private var slots: [[EnsembleModel.Sample]]
    init(workers: Int) { slots = Array(repeating: [], count: workers) }
    func store(_ samples: [EnsembleModel.Sample], at worker: Int) { slots[worker] = samples }
    /// In user order.
    func all() -> [EnsembleModel.Sample] {
        var result: [EnsembleModel.Sample] = []
        let total = slots.reduce(0) { $0 + $1.count }
        for index in 0..<total { result.append(slots[index % slots.count][index / slots.count]) }
        return result
    }
}
