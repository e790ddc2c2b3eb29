import RealModule

/// A budgeted search of a ``SearchSpace`` for the setting with the best validation score.
///
/// - The first trial is the model's defaults (the fixed settings alone) when nothing is
///   narrowed, so the search never ends below them on validation.
/// - Then ``Configuration/startup`` quasi-random trials: a Halton sequence, one prime per
///   dimension, rotated by a seeded shift (Cranley-Patterson), which covers the cube more
///   evenly than independent draws.
/// - Then a TPE-style sampler (Bergstra et al. 2011): the trials so far are split into the best
///   ``Configuration/gamma`` share and the rest, a Parzen density of each is kept per dimension
///   (Gaussian kernels in the unit cube, with a uniform prior), and of
///   ``Configuration/candidates`` points drawn around good trials the one with the largest
///   ratio of the two densities is tried next.
/// - A setting already tried is not tried again; the search ends when the budget (trials or
///   time, whichever comes first) is spent or every setting of a finite space has been tried.
///
/// Everything but the time budget is reproducible: the same seed tries the same settings in
/// the same order, and with a trial budget the same result comes out.
public struct HyperparameterSearch: Sendable {
    public struct Configuration: Sendable, Hashable {
        /// At most this many trials.
        public var trials = 30
        /// Stop starting trials after this long (`nil`: no time limit).
        public var seconds: Double?
        public var seed: UInt64 = 42
        /// Quasi-random trials before the sampler models the results.
        public var startup = 8
        public var gamma = 0.25
        public var candidates = 32

        public init(trials: Int = 30, seconds: Double? = nil, seed: UInt64 = 42) {
            self.trials = trials
            self.seconds = seconds
            self.seed = seed
        }

        public func validate() throws(MatchworkError) {
            try check(trials, "trials", 1...100_000)
            if let seconds, !(seconds > 0 && seconds.isFinite) {
                throw MatchworkError(.invalidConfiguration, "a time budget of \(seconds) s must be above 0.", field: "budget")
            }
        }
    }

    /// One setting tried: its validation score (higher is better), or why it failed.
    public struct Trial: Sendable, Hashable {
        public var index: Int
        public var settings: [String: String]
        public var score: Double?
        public var failure: String?
        public var seconds: Double
    }

    public let space: SearchSpace
    public let fixed: [String: String]
    public let configuration: Configuration
    /// Whether the first trial is the defaults (nothing narrowed).
    public let startsAtDefaults: Bool

    public init(space: SearchSpace, fixed: [String: String], startsAtDefaults: Bool, configuration: Configuration) throws(MatchworkError) {
        try configuration.validate()
        self.space = space
        self.fixed = fixed
        self.startsAtDefaults = startsAtDefaults
        self.configuration = configuration
    }

    /// Runs trials until the budget is spent; `evaluate` fits the setting on the validation
    /// train part and scores it on the validation test part. `progress` hears of each trial and
    /// the best so far.
    public func run(
        evaluate: ([String: String]) throws(MatchworkError) -> Double, progress: (Trial, Trial?) -> Void = { _, _ in }
    ) -> (trials: [Trial], best: Trial?) {
        let clock = ContinuousClock()
        let started = clock.now
        var generator = SeededGenerator(seed: configuration.seed)
        let shift = space.dimensions.map { _ in generator.unit() }
        var trials: [Trial] = [], points: [[Double]] = [], tried = Set<[String: String]>()
        var best: Trial?
        var halton = 0
        let capacity = space.capacity
        func elapsed() -> Double { Self.seconds(started.duration(to: clock.now)) }
        while trials.count < configuration.trials, capacity.map({ tried.count < $0 + (startsAtDefaults ? 1 : 0) }) ?? true {
            if let limit = configuration.seconds, !trials.isEmpty, elapsed() >= limit { break }
            // The next setting: the defaults, a quasi-random point, or the sampler's choice.
            var point: [Double]? = nil
            var settings: [String: String]
            if trials.isEmpty && startsAtDefaults {
                settings = [:]
            } else {
                if points.count >= configuration.startup, let proposed = propose(points: points, trials: trials, tried: tried, generator: &generator) {
                    point = proposed
                } else {
                    for _ in 0..<1000 {
                        halton += 1
                        let candidate = space.dimensions.indices.map { d in (Self.halton(halton, base: Self.primes[d % Self.primes.count]) + shift[d]).truncatingRemainder(dividingBy: 1) }
                        if !tried.contains(space.setting(at: candidate)) {
                            point = candidate
                            break
                        }
                    }
                }
                guard let point else { break }
                settings = space.setting(at: point)
            }
            tried.insert(settings)
            let full = settings.merging(fixed) { a, _ in a }
            let began = clock.now
            var trial = Trial(index: trials.count, settings: full, score: nil, failure: nil, seconds: 0)
            do { trial.score = try evaluate(full) } catch { trial.failure = error.message }
            if let score = trial.score, !score.isFinite { (trial.score, trial.failure) = (nil, "the score was not a number") }
            trial.seconds = Self.seconds(began.duration(to: clock.now))
            if let score = trial.score, score > (best?.score ?? -.infinity) { best = trial }
            trials.append(trial)
            if let point { points.append(point) } else if startsAtDefaults && trials.count == 1 { points.append(defaultsPoint) }
            progress(trial, best)
        }
        return (trials, best)
    }

    /// The defaults have no point of their own; for the sampler they stand at the centre.
    var defaultsPoint: [Double] { space.dimensions.map { _ in 0.5 } }

    /// The sampler's next point, or `nil` when every candidate was tried before.
    func propose(points: [[Double]], trials: [Trial], tried: Set<[String: String]>, generator: inout SeededGenerator) -> [Double]? {
        let dimensions = space.dimensions.count
        guard dimensions > 0 else { return nil }
        // Failed trials rank below every scored one.
        let order = trials.indices.sorted { (trials[$0].score ?? -.infinity, $1) > (trials[$1].score ?? -.infinity, $0) }
        let goodCount = max(1, Int((configuration.gamma * Double(order.count)).rounded(.up)))
        let good = order.prefix(goodCount).map { points[$0] }, bad = order.dropFirst(goodCount).map { points[$0] }
        let goodWidth = Self.bandwidth(count: good.count), badWidth = Self.bandwidth(count: max(1, bad.count))
        var ranked: [(ratio: Double, point: [Double])] = []
        for _ in 0..<configuration.candidates {
            let centre = good[Int(generator.next() % UInt64(good.count))]
            let candidate = (0..<dimensions).map { d in Self.reflect(centre[d] + goodWidth * generator.normal()) }
            var ratio = 0.0
            for d in 0..<dimensions {
                ratio += Double.log(Self.density(candidate[d], good.map { $0[d] }, width: goodWidth))
                ratio -= Double.log(Self.density(candidate[d], bad.map { $0[d] }, width: badWidth))
            }
            ranked.append((ratio, candidate))
        }
        ranked.sort { $0.ratio > $1.ratio }
        return ranked.first { !tried.contains(space.setting(at: $0.point)) }?.point
    }

    /// Kernel width in the unit cube: narrower as the trials grow (Scott's rule in one dimension).
    static func bandwidth(count: Int) -> Double { min(0.5, max(0.05, 0.5 * Double.pow(Double(count), -0.2) / 2)) }

    /// A Parzen density on [0, 1): the kernels of `values` and one uniform prior, equally weighted.
    static func density(_ x: Double, _ values: [Double], width: Double) -> Double {
        var total = 1.0
        for v in values {
            let z = (x - v) / width
            total += Double.exp(-0.5 * z * z) / (width * 2.506_628_274_631)
        }
        return total / Double(values.count + 1)
    }

    static func reflect(_ x: Double) -> Double {
        var x = x.truncatingRemainder(dividingBy: 2)
        if x < 0 { x += 2 }
        return x < 1 ? x : max(0, 2 - x - 1e-12)
    }

    static let primes = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37]

    /// The `index`-th element of the van der Corput sequence in `base`.
    static func halton(_ index: Int, base: Int) -> Double {
        var result = 0.0, fraction = 1.0 / Double(base), i = index
        while i > 0 {
            result += fraction * Double(i % base)
            i /= base
            fraction /= Double(base)
        }
        return result
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}

extension SearchSpace {
    /// The number of distinct settings when the space is finite (no real range), else `nil`.
    public var capacity: Int? {
        var total = 1
        for dimension in dimensions {
            switch dimension.range {
            case .real: return nil
            case .integer(let low, let high, _): total = total.multipliedReportingOverflow(by: high - low + 1).partialValue
            case .choice(let values): total *= values.count
            }
            if total > 1_000_000 { return nil }
        }
        return total
    }
}
