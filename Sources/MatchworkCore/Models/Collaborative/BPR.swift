import Dispatch
import RealModule

/// Bayesian personalised ranking (Rendle et al. 2009): factors trained by stochastic gradient
/// ascent on `log σ(x_u·(y_i − y_j) + b_i − b_j)` for an observed pair `(u, i)` and an item `j`
/// the user did not interact with, drawn in proportion to its popularity or uniformly
/// (``NegativeSampling``). A drawn `j` the user did interact with is drawn again up to
/// ``Configuration/redraws`` times, then skipped (0, the default, skips at once, as implicit
/// does; redrawing helps small catalogues where heavy users own a large share of the items).
///
/// Each epoch draws as many triples as there are observed pairs. With several threads, users are
/// split into contiguous shards of about equal pairs, one per thread; each thread updates its
/// users' factors in place and the items' in a private overlay, and the overlays' changes are
/// added to the shared item factors after every round of ``Configuration/roundSamples``
/// samples, thread by thread in a fixed order. So the same seed and thread count give the same
/// factors, which lock-free Hogwild training (implicit's) does not.
public struct BPRModel: TopNModel {
    public struct Configuration: Sendable, Hashable, Codable {
        public var factors = 64
        public var learningRate: Float = 0.01
        public var regularization: Float = 0.01
        public var iterations = 100
        /// How negative items are drawn.
        public var negatives = NegativeSampling.popularity
        /// How often a negative the user did interact with is drawn again before the sample is
        /// skipped.
        public var redraws = 0
        public var seed: UInt64 = 42
        /// Training threads; data under ``parallelMinimumPairs`` pairs trains on one.
        public var threads = 2
        /// Samples each thread draws between two merges of the item factors.
        public var roundSamples = 4096

        /// Below this many observed pairs a second thread costs more than it saves.
        public static let parallelMinimumPairs = 16_384

        public init() {}

        public func validate() throws(MatchworkError) {
            try check(factors, "factors", 1...1024)
            try check(iterations, "iterations", 0...10_000)
            try check(threads, "threads", 1...256)
            try check(redraws, "redraws", 0...1000)
            try check(roundSamples, "round_samples", 64...1_000_000)
            try checkPositive(learningRate, "learning_rate")
            try checkNonNegative(regularization, "regularization")
        }
    }

    /// How BPR draws the item a user did not interact with.
    public enum NegativeSampling: String, Sendable, Hashable, Codable, CaseIterable {
        /// Every item equally.
        case uniform
        /// In proportion to its popularity (the item of a random observed pair), as implicit
        /// does: popular items are pushed down where a user ignored them.
        case popularity
    }

    public let configuration: Configuration
    /// Row-major `users × factors` and `items × factors`, and item biases.
    public private(set) var userFactors: [Float]
    public private(set) var itemFactors: [Float]
    public private(set) var itemBiases: [Float]
    public var itemCount: Int { itemBiases.count }

    public init(_ train: InteractionMatrix, configuration: Configuration = Configuration()) throws(MatchworkError) {
        try configuration.validate()
        self.configuration = configuration
        let f = configuration.factors, items = train.items
        var generator = SeededGenerator(seed: configuration.seed)
        var x = (0..<(train.users * f)).map { _ in Float(generator.unit() - 0.5) / Float(f) }
        // Items as rows of `f + 1`: the factors, then the bias.
        var y = [Float](repeating: 0, count: items * (f + 1))
        for i in 0..<items {
            for d in 0..<f { y[i * (f + 1) + d] = Float(generator.unit() - 0.5) / Float(f) }
        }
        let sampler = BPRSampler(train: train, configuration: configuration)
        if sampler.pairs > 0 && items > 1 && configuration.iterations > 0 {
            let workers = train.count >= Configuration.parallelMinimumPairs ? min(configuration.threads, train.users) : 1
            if workers == 1 {
                sampler.trainSequentially(users: &x, items: &y, generator: &generator)
            } else {
                sampler.trainInParallel(users: &x, items: &y, workers: workers, generator: &generator)
            }
        }
        userFactors = x
        itemFactors = [Float](repeating: 0, count: items * f)
        itemBiases = [Float](repeating: 0, count: items)
        for i in 0..<items {
            for d in 0..<f { itemFactors[i * f + d] = y[i * (f + 1) + d] }
            itemBiases[i] = y[i * (f + 1) + f]
        }
    }

    public func scores(user u: Int, into scores: UnsafeMutableBufferPointer<Float>) {
        FactorScores.score(user: u, users: userFactors, items: itemFactors, factors: configuration.factors, into: scores)
        for i in itemBiases.indices { scores[i] += itemBiases[i] }
    }
}

/// Draws BPR's triples and applies their updates.
struct BPRSampler: Sendable {
    let train: InteractionMatrix
    let f: Int
    let learningRate: Float, regularization: Float
    let iterations: Int
    let popular: Bool
    let redraws: Int
    let roundSamples: Int
    /// The user of each observed pair.
    let owner: [Int32]
    var pairs: Int { owner.count }

    init(train: InteractionMatrix, configuration: BPRModel.Configuration) {
        self.train = train
        f = configuration.factors
        learningRate = configuration.learningRate
        regularization = configuration.regularization
        iterations = configuration.iterations
        popular = configuration.negatives == .popularity
        redraws = configuration.redraws
        roundSamples = configuration.roundSamples
        var owner = [Int32](repeating: 0, count: train.count)
        for u in 0..<train.users { for p in train.row(u) { owner[p] = Int32(u) } }
        self.owner = owner
    }

    /// A triple from the pairs `range`, or nil when the negative drawn is one of the user's items.
    @inline(__always)
    func draw(in range: Range<Int>, _ generator: inout SeededGenerator) -> (user: Int, liked: Int, disliked: Int)? {
        let p = range.lowerBound + Int(generator.next() % UInt64(range.count))
        let u = Int(owner[p]), i = Int(train.rowItems[p])
        let own = train.rowItems[train.row(u)]
        for _ in 0...redraws {
            let j = popular ? Int(train.rowItems[Int(generator.next() % UInt64(pairs))]) : Int(generator.next() % UInt64(train.items))
            if j != i && !own.sortedContains(Int32(j)) { return (u, i, j) }
        }
        return nil
    }

    /// One gradient step on a triple; `liked` and `disliked` are rows of `f + 1` (bias last).
    @inline(__always)
    func step(user: UnsafeMutablePointer<Float>, liked: UnsafeMutablePointer<Float>, disliked: UnsafeMutablePointer<Float>) {
        let lr = learningRate, reg = regularization
        var score = liked[f] - disliked[f]
        for d in 0..<f { score += user[d] * (liked[d] - disliked[d]) }
        let z = 1 / (1 + Float.exp(score))
        for d in 0..<f {
            let xu = user[d], yi = liked[d], yj = disliked[d]
            user[d] += lr * (z * (yi - yj) - reg * xu)
            liked[d] += lr * (z * xu - reg * yi)
            disliked[d] += lr * (-z * xu - reg * yj)
        }
        liked[f] += lr * (z - reg * liked[f])
        disliked[f] += lr * (-z - reg * disliked[f])
    }

    func trainSequentially(users x: inout [Float], items y: inout [Float], generator: inout SeededGenerator) {
        let stride = f + 1
        x.withUnsafeMutableBufferPointer { x in
            y.withUnsafeMutableBufferPointer { y in
                for _ in 0..<iterations {
                    for _ in 0..<pairs {
                        guard let (u, i, j) = draw(in: 0..<pairs, &generator) else { continue }
                        step(user: x.baseAddress! + u * f, liked: y.baseAddress! + i * stride, disliked: y.baseAddress! + j * stride)
                    }
                }
            }
        }
    }

    func trainInParallel(users x: inout [Float], items y: inout [Float], workers: Int, generator: inout SeededGenerator) {
        let stride = f + 1, items = train.items
        // Contiguous user shards with about equal pairs: shard w owns pairs bounds[w]..<bounds[w + 1].
        var bounds = [0]
        for w in 1..<workers {
            let user = Int(owner[pairs * w / workers])
            bounds.append(max(bounds[w - 1], train.row(user).lowerBound))
        }
        bounds.append(pairs)
        let shards = (0..<workers).map { bounds[$0]..<bounds[$0 + 1] }
        let rounds = max(1, (shards.map(\.count).max()! + roundSamples - 1) / roundSamples)
        let generators = SharedGenerators((0..<workers).map { _ in generator.fork() })
        let overlays = (0..<workers).map { _ in ItemOverlay(items: items, stride: stride, capacity: min(items, 2 * roundSamples)) }
        x.withUnsafeMutableBufferPointer { x in
            y.withUnsafeMutableBufferPointer { y in
                let x = SharedRows(x), y = SharedRows(y)
                for _ in 0..<iterations {
                    for round in 0..<rounds {
                        // Each thread: its share of this round's samples, items in its overlay.
                        DispatchQueue.concurrentPerform(iterations: workers) { w in
                            let shard = shards[w], overlay = overlays[w]
                            let share = (shard.count + rounds - 1) / rounds
                            let count = max(0, min(share, shard.count - round * share))
                            guard !shard.isEmpty else { return }
                            for _ in 0..<count {
                                guard let (u, i, j) = draw(in: shard, &generators.buffer[w]) else { continue }
                                let liked = overlay.row(i, shared: y.buffer), disliked = overlay.row(j, shared: y.buffer)
                                step(user: x.buffer.baseAddress! + u * f, liked: liked, disliked: disliked)
                            }
                            overlay.turnIntoChanges(shared: y.buffer)
                        }
                        // The changes, added item by item in thread order (items split over threads).
                        DispatchQueue.concurrentPerform(iterations: workers) { part in
                            for overlay in overlays { overlay.add(into: y.buffer, part: part, of: workers) }
                        }
                        for overlay in overlays { overlay.clear() }
                    }
                }
            }
        }
        for overlay in overlays { overlay.deallocate() }
        generators.deallocate()
    }
}

/// One thread's copies of the item rows it touched in a round.
struct ItemOverlay: @unchecked Sendable {
    let slots: UnsafeMutableBufferPointer<Int32>
    let touched: UnsafeMutableBufferPointer<Int32>
    let rows: UnsafeMutableBufferPointer<Float>
    let count: UnsafeMutablePointer<Int>
    let stride: Int

    init(items: Int, stride: Int, capacity: Int) {
        slots = .allocate(capacity: items)
        slots.initialize(repeating: -1)
        touched = .allocate(capacity: capacity)
        rows = .allocate(capacity: capacity * stride)
        count = .allocate(capacity: 1)
        count.initialize(to: 0)
        self.stride = stride
    }

    /// The thread's copy of item `i`, taken from `shared` on first use.
    @inline(__always)
    func row(_ i: Int, shared: UnsafeMutableBufferPointer<Float>) -> UnsafeMutablePointer<Float> {
        var slot = Int(slots[i])
        if slot < 0 {
            slot = count.pointee
            count.pointee += 1
            slots[i] = Int32(slot)
            touched[slot] = Int32(i)
            (rows.baseAddress! + slot * stride).update(from: shared.baseAddress! + i * stride, count: stride)
        }
        return rows.baseAddress! + slot * stride
    }

    /// Replaces each copied row by its change against `shared` (unchanged during the round).
    func turnIntoChanges(shared: UnsafeMutableBufferPointer<Float>) {
        for slot in 0..<count.pointee {
            let i = Int(touched[slot])
            for d in 0..<stride { rows[slot * stride + d] -= shared[i * stride + d] }
        }
    }

    /// Adds the changes of the items `i` with `i % parts == part` into `shared`.
    func add(into shared: UnsafeMutableBufferPointer<Float>, part: Int, of parts: Int) {
        for slot in 0..<count.pointee where Int(touched[slot]) % parts == part {
            let i = Int(touched[slot])
            for d in 0..<stride { shared[i * stride + d] += rows[slot * stride + d] }
        }
    }

    func clear() {
        for slot in 0..<count.pointee { slots[Int(touched[slot])] = -1 }
        count.pointee = 0
    }

    func deallocate() {
        slots.deallocate()
        touched.deallocate()
        rows.deallocate()
        count.deallocate()
    }
}

/// One random stream per training thread, each used by its thread only.
struct SharedGenerators: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<SeededGenerator>
    init(_ generators: [SeededGenerator]) {
        buffer = .allocate(capacity: generators.count)
        _ = buffer.initialize(from: generators)
    }
    func deallocate() { buffer.deallocate() }
}
