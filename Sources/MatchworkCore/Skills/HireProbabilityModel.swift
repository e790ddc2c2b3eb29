import RealModule

/// P(hired | applied) from how a learner's skills meet a posting's asks, learned from the
/// marketplace's applications and their outcomes.
///
/// ``LogisticRegression`` on features of a (skills, posting) pair (``features(_:asked:)``): the
/// importance-weighted mean shortfall in levels, the share of asks met, the largest shortfall,
/// the importance-weighted mean surplus and the number of asks /10.
/// An application's outcome is a hire of the same person on the same posting; applications in the
/// last ``outcomeDelay`` before the reference time have no outcome yet and are left out.
/// The model learns associations in the marketplace's history, not causes.
public struct HireProbabilityModel: Sendable, Hashable, Codable {
    public static let featureNames = ["shortfall", "share_met", "largest_shortfall", "surplus", "asks"]
    /// How long an application waits for its outcome: 21 days.
    public static let outcomeDelay: Int64 = 21 * 86_400

    public var regression: LogisticRegression
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
        let regression = LogisticRegression.fit(examples.map(\.features), examples.map(\.hired), regularization: lambda, iterations: iterations)
        return HireProbabilityModel(regression: regression, applications: examples.count, hireRate: Double(hires) / Double(examples.count))
    }

    /// P(hired | applied) for raw features.
    public func probability(_ features: [Double]) -> Double { regression.probability(features) }

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
