import RealModule

/// P(hired | applied) from how a learner's skills meet a posting's asks, learned from the
/// marketplace's applications and their outcomes.
///
/// Logistic regression `P = σ(w · x)` on standardised features of a (skills, posting) pair
/// (``features(_:asked:)``): the importance-weighted mean shortfall in levels, the share of asks
/// met, the largest shortfall, the importance-weighted mean surplus and the number of asks /10.
/// Fitted by Newton's method (IRLS) with an L2 penalty λ‖w‖² on the non-intercept weights.
/// An application's outcome is a hire of the same person on the same posting; applications in the
/// last ``outcomeDelay`` before the reference time have no outcome yet and are left out.
/// The model learns associations in the marketplace's history, not causes.
public struct HireProbabilityModel: Sendable, Hashable, Codable {
    public static let featureNames = ["shortfall", "share_met", "largest_shortfall", "surplus", "asks"]
    /// How long an application waits for its outcome: 21 days.
    public static let outcomeDelay: Int64 = 21 * 86_400

    /// Weights over `[1, standardised features]`.
    public var weights: [Double]
    public var means: [Double]
    public var scales: [Double]
    /// Applications it was fitted on, and the share hired.
    public var applications: Int
    public var hireRate: Double

    /// The raw features of skills against a posting's asks.
    public static func features(_ skills: LearnerSkills, asked: [SkillLevel]) -> [Double] {
        var short = 0.0, surplus = 0.0, weight = 0.0, met = 0, largest = 0.0
        for s in asked {
            let importance = s.importance ?? SkillMarket.defaultImportance
            let held = skills.level(s.skill)
            short += importance * max(0, s.level - held)
            surplus += importance * min(2, max(0, held - s.level))
            weight += importance
            if held >= s.level { met += 1 }
            largest = max(largest, s.level - held)
        }
        guard weight > 0 else { return [0, 1, 0, 0, 0] }
        return [short / weight, Double(met) / Double(asked.count), largest, surplus / weight, Double(asked.count) / 10]
    }

    /// One application: the features at the time of applying, and whether it led to a hire.
    public struct Example: Sendable, Hashable {
        public var features: [Double]
        public var hired: Bool
        public var time: Int64
        public var person: DenseIndex
        public var posting: DenseIndex
    }

    /// The applications of the marketplace with an outcome, oldest first; each with the skills the
    /// applicant held then (stated, raised by the courses passed before).
    public static func examples(_ market: SkillMarket) -> [Example] {
        let snapshot = market.snapshot
        let cutoff = snapshot.now.secondsSinceEpoch - outcomeDelay
        var out: [Example] = []
        for p in snapshot.people.indices {
            let events = snapshot.events(ofPerson: DenseIndex(p))
            guard events.contains(where: { $0.type == .apply }) else { continue }
            let hired = Set(events.lazy.filter { $0.type == .hire }.map(\.other))
            var skills = LearnerSkills(stated: snapshot.people[p].skills)
            var seen = Set<DenseIndex>()
            for e in events {
                let o = snapshot.opportunities[Int(e.other)]
                if e.type == .pass { skills.pass(o.id, teaching: o.teaches, at: nil) }
                guard e.type == .apply, o.kind != .course, !o.skills.isEmpty, e.time <= cutoff, seen.insert(e.other).inserted else { continue }
                out.append(Example(features: features(skills, asked: o.skills), hired: hired.contains(e.other), time: e.time, person: DenseIndex(p), posting: e.other))
            }
        }
        return out.sorted { ($0.time, $0.person, $0.posting) < ($1.time, $1.person, $1.posting) }
    }

    /// Fits the model.
    ///
    /// - Throws: when there are fewer than 30 applications, or all or none were hired.
    public static func fit(_ examples: [Example], regularization lambda: Double = 1e-3, iterations: Int = 50) throws(MatchworkError) -> HireProbabilityModel {
        let hires = examples.filter(\.hired).count
        guard examples.count >= 30, hires > 0, hires < examples.count else {
            throw MatchworkError(
                .invalidValue,
                "the marketplace has \(examples.count) applications to postings with an outcome (\(hires) hired); the hire model needs at least 30, with hires and others, so import apply and hire events on postings that list their skills.",
                field: "interactions")
        }
        let d = featureNames.count
        var means = [Double](repeating: 0, count: d), scales = [Double](repeating: 0, count: d)
        for e in examples { for j in 0..<d { means[j] += e.features[j] } }
        for j in 0..<d { means[j] /= Double(examples.count) }
        for e in examples { for j in 0..<d { scales[j] += (e.features[j] - means[j]) * (e.features[j] - means[j]) } }
        for j in 0..<d { scales[j] = max(1e-9, (scales[j] / Double(examples.count)).squareRoot()) }
        let n = d + 1
        var w = [Double](repeating: 0, count: n)
        w[0] = Double.log(Double(hires) / Double(examples.count - hires))
        var x = [Double](repeating: 0, count: n)
        for _ in 0..<iterations {
            // Newton step: (XᵀSX + 2λI) Δ = Xᵀ(y − p) − 2λw, S = diag(p(1 − p)).
            var hessian = [Double](repeating: 0, count: n * n), gradient = [Double](repeating: 0, count: n)
            for e in examples {
                x[0] = 1
                for j in 0..<d { x[j + 1] = (e.features[j] - means[j]) / scales[j] }
                var z = 0.0
                for j in 0..<n { z += w[j] * x[j] }
                let p = 1 / (1 + Double.exp(-z))
                let r = (e.hired ? 1 : 0) - p, s = max(1e-12, p * (1 - p))
                for i in 0..<n {
                    gradient[i] += r * x[i]
                    for j in 0...i { hessian[i * n + j] += s * x[i] * x[j] }
                }
            }
            for i in 1..<n {
                gradient[i] -= 2 * lambda * Double(examples.count) * w[i]
                hessian[i * n + i] += 2 * lambda * Double(examples.count)
            }
            for i in 0..<n { for j in 0..<i { hessian[j * n + i] = hessian[i * n + j] } }
            guard let step = Self.solve(hessian, gradient, n: n) else { break }
            var change = 0.0
            for i in 0..<n { w[i] += step[i]; change = max(change, abs(step[i])) }
            if change < 1e-10 { break }
        }
        return HireProbabilityModel(weights: w, means: means, scales: scales, applications: examples.count, hireRate: Double(hires) / Double(examples.count))
    }

    /// Solves the symmetric positive definite system `a x = b` by Cholesky (a few unknowns).
    static func solve(_ a: [Double], _ b: [Double], n: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var sum = a[i * n + j]
                for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
                if i == j {
                    guard sum > 0 else { return nil }
                    l[i * n + i] = sum.squareRoot()
                } else {
                    l[i * n + j] = sum / l[j * n + j]
                }
            }
        }
        var y = b
        for i in 0..<n {
            for k in 0..<i { y[i] -= l[i * n + k] * y[k] }
            y[i] /= l[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            for k in (i + 1)..<n { y[i] -= l[k * n + i] * y[k] }
            y[i] /= l[i * n + i]
        }
        return y
    }

    /// P(hired | applied) for raw features.
    public func probability(_ features: [Double]) -> Double {
        var z = weights[0]
        for j in 0..<features.count { z += weights[j + 1] * (features[j] - means[j]) / scales[j] }
        return 1 / (1 + Double.exp(-z))
    }

    public func probability(_ skills: LearnerSkills, asked: [SkillLevel]) -> Double { probability(Self.features(skills, asked: asked)) }
}

/// How well probabilities predict outcomes.
public struct ClassifierQuality: Sendable, Hashable, Codable {
    public var examples: Int
    public var positives: Int
    /// Area under the ROC curve (ties count half).
    public var auc: Double
    public var logLoss: Double
    public var brier: Double
    /// Expected calibration error over 10 equal-width bins: `Σ_b (n_b / n) |mean p_b − rate_b|`.
    public var expectedCalibrationError: Double
    /// The reliability curve: per non-empty bin, the mean probability, the observed rate and the count.
    public var reliability: [Bin]

    public struct Bin: Sendable, Hashable, Codable {
        public var meanProbability: Double
        public var observedRate: Double
        public var count: Int
    }

    public init(probabilities p: [Double], outcomes y: [Bool]) {
        precondition(p.count == y.count, "one probability per outcome")
        examples = p.count
        positives = y.filter { $0 }.count
        // AUC by ranks: (Σ ranks of positives − n₊(n₊ + 1)/2) / (n₊ n₋), average ranks for ties.
        let order = p.indices.sorted { p[$0] < p[$1] }
        var ranks = [Double](repeating: 0, count: p.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count, p[order[j + 1]] == p[order[i]] { j += 1 }
            let rank = Double(i + j) / 2 + 1
            for k in i...j { ranks[order[k]] = rank }
            i = j + 1
        }
        let negatives = examples - positives
        let rankSum = p.indices.filter { y[$0] }.reduce(0.0) { $0 + ranks[$1] }
        auc = positives > 0 && negatives > 0 ? (rankSum - Double(positives) * Double(positives + 1) / 2) / (Double(positives) * Double(negatives)) : .nan
        var loss = 0.0, brier = 0.0
        for k in p.indices {
            let q = min(1 - 1e-15, max(1e-15, p[k]))
            loss -= y[k] ? Double.log(q) : Double.log(1 - q)
            brier += (p[k] - (y[k] ? 1 : 0)) * (p[k] - (y[k] ? 1 : 0))
        }
        logLoss = examples > 0 ? loss / Double(examples) : .nan
        self.brier = examples > 0 ? brier / Double(examples) : .nan
        var sums = [(p: Double, y: Double, n: Int)](repeating: (0, 0, 0), count: 10)
        for k in p.indices {
            let b = min(9, max(0, Int(p[k] * 10)))
            sums[b].p += p[k]
            sums[b].y += y[k] ? 1 : 0
            sums[b].n += 1
        }
        let bins = sums.filter { $0.n > 0 }.map { Bin(meanProbability: $0.p / Double($0.n), observedRate: $0.y / Double($0.n), count: $0.n) }
        let n = Double(examples)
        reliability = bins
        expectedCalibrationError = n > 0 ? bins.reduce(0) { $0 + Double($1.count) / n * abs($1.meanProbability - $1.observedRate) } : .nan
    }
}
