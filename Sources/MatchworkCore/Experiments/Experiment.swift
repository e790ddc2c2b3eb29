/// An A/B test of ways to rank one kind of list, on the marketplace's outcomes.
///
/// Its arms are ranking settings (a mode, and for the ensemble its weights and learned share);
/// one is the control. Subjects (the person a list of opportunities is for, the opportunity a
/// list of people is for) are assigned to arms by a hash of the experiment's name and their id
/// into [0, 1) (``ExperimentAssignment``), over an ``Allocation`` of that interval that the
/// rollout changes: raising a treatment's share from 10% to 25% moves only 15% of subjects, from
/// the control to it. Shares may sum to less than 1; the rest of the subjects stay outside the
/// experiment and get the service's default.
public struct Experiment: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        case running, stopped
    }

    /// Lower-case letters, digits, `-` and `_`, 1 to 64 of them: the experiment's id in paths.
    public var name: String
    public var description: String?
    /// The kind of list it applies to.
    public var target: RankingTarget
    public var arms: [ExperimentArm]
    /// The control arm's name.
    public var control: String
    /// The shares over time: the first step at the start, one more per change.
    public var rollout: [RolloutStep]
    public var start: Timestamp
    public var end: Timestamp?
    /// Metrics a treatment must not worsen beyond their limit (``Guardrail``).
    public var guardrails: [Guardrail]
    /// The sequential test on the primary metric (the hire rate per list).
    public var sequential: SequentialTest
    public var status: Status
    public var stoppedAt: Timestamp?
    public var createdAt: Timestamp

    /// A new experiment; the arms' shares (by arm name) make the first rollout step at `start`.
    /// - Throws: ``MatchworkError`` naming the field at fault (``validate()``).
    public init(
        name: String, description: String? = nil, target: RankingTarget, arms: [ExperimentArm], control: String? = nil, shares: [String: Double],
        start: Timestamp, end: Timestamp? = nil, guardrails: [Guardrail] = Guardrail.defaults, sequential: SequentialTest = SequentialTest(), createdAt: Timestamp
    ) throws(MatchworkError) {
        self.name = name
        self.description = description
        self.target = target
        self.arms = arms
        self.control = control ?? arms.first?.name ?? ""
        self.start = start
        self.end = end
        self.guardrails = guardrails
        self.sequential = sequential
        status = .running
        self.createdAt = createdAt
        rollout = []
        try validate()
        let shares = try Self.checked(shares, arms: arms)
        rollout = [RolloutStep(at: start, shares: shares, allocation: Allocation(shares: arms.map { ($0.name, shares[$0.name] ?? 0) }))]
    }

    /// The latest rollout step's shares by arm.
    public var shares: [String: Double] { rollout.last?.shares ?? [:] }
    /// The current allocation of [0, 1) to arms.
    public var allocation: Allocation { rollout.last?.allocation ?? Allocation(segments: []) }

    /// Whether it assigns subjects at `time`: running, started, and not ended.
    public func isLive(at time: Timestamp) -> Bool { status == .running && start <= time && end.map { time < $0 } ?? true }

    /// The arm `subject` is in, or `nil` when it falls outside the shares.
    public func arm(for subject: RecommendationSubject) -> ExperimentArm? {
        let u = ExperimentAssignment.unit(experiment: name, subject: subject)
        guard let name = allocation.arm(at: u) else { return nil }
        return arms.first { $0.name == name }
    }

    /// The experiment with new shares from `time` on: a rollout step whose allocation moves only
    /// the subjects that must move (``Allocation/rebalanced(to:)``).
    public func rolledOut(_ shares: [String: Double], at time: Timestamp) throws(MatchworkError) -> Experiment {
        guard status == .running else {
            throw MatchworkError(.invalidValue, "experiment '\(name)' is stopped; its shares cannot change. Create a new experiment to test again.", field: "shares")
        }
        var merged = self.shares
        for (arm, share) in shares { merged[arm] = share }
        let checked = try Self.checked(merged, arms: arms)
        var copy = self
        copy.rollout.append(RolloutStep(at: time, shares: checked, allocation: allocation.rebalanced(to: arms.map { ($0.name, checked[$0.name] ?? 0) })))
        return copy
    }

    /// The experiment stopped at `time`: no subject is assigned any more; its report stays.
    public func stopped(at time: Timestamp) -> Experiment {
        var copy = self
        copy.status = .stopped
        copy.stoppedAt = time
        return copy
    }

    public static let namePattern = "^[a-z0-9_-]{1,64}$"

    /// Whether `s` is 1 to 64 lower-case letters, digits, `-` or `_` (experiment and arm names).
    public static func isIdentifier(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 64 && s.utf8.allSatisfy { c in (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || c == 45 || c == 95 }
    }

    /// Checks the name, the arms (two to eight, distinct names, valid modes and weights), the
    /// control, the dates, the guardrails and the sequential test.
    public func validate() throws(MatchworkError) {
        guard Self.isIdentifier(name) else {
            throw MatchworkError(.invalidValue, "experiment name '\(name)' must be 1 to 64 lower-case letters, digits, '-' or '_'.", field: "name")
        }
        guard (2...8).contains(arms.count) else {
            throw MatchworkError(.invalidValue, "experiment '\(name)' has \(arms.count) arm(s); give 2 to 8, one of them the control.", field: "arms")
        }
        var seen: Set<String> = []
        for (k, arm) in arms.enumerated() {
            try arm.validate(target: target, field: "arms[\(k)]")
            guard seen.insert(arm.name).inserted else {
                throw MatchworkError(.invalidValue, "arm name '\(arm.name)' is given twice; name each arm once.", field: "arms[\(k)].name")
            }
        }
        guard seen.contains(control) else {
            throw MatchworkError(.invalidValue, "control '\(control)' is not one of the arms (\(arms.map(\.name).joined(separator: ", "))).", field: "control")
        }
        if let end, end <= start {
            throw MatchworkError(.invalidValue, "end \(end) is not after start \(start); give an end after the start, or none.", field: "end")
        }
        for (k, g) in guardrails.enumerated() { try g.validate(field: "guardrails[\(k)]") }
        guard sequential.tau.isFinite, sequential.tau > 0, sequential.tau <= 1 else {
            throw MatchworkError(.invalidValue, "sequential tau \(sequential.tau) must be an absolute difference of rates in (0, 1], such as 0.05.", field: "tau")
        }
        guard sequential.alpha > 0, sequential.alpha < 0.5 else {
            throw MatchworkError(.invalidValue, "sequential alpha \(sequential.alpha) must be in (0, 0.5), such as 0.05.", field: "alpha")
        }
    }

    /// `shares` with every arm named, each in [0, 1] and summing to at most 1.
    static func checked(_ shares: [String: Double], arms: [ExperimentArm]) throws(MatchworkError) -> [String: Double] {
        let names = Set(arms.map(\.name))
        for (arm, share) in shares.sorted(by: { $0.key < $1.key }) {
            guard names.contains(arm) else {
                throw MatchworkError(.invalidValue, "share for '\(arm)', which is not an arm; the arms are \(arms.map(\.name).joined(separator: ", ")).", field: "shares.\(arm)")
            }
            guard share.isFinite, (0...1).contains(share) else {
                throw MatchworkError(.invalidValue, "share \(share) for arm '\(arm)' must be between 0 and 1 (0.25 is a quarter of the subjects).", field: "shares.\(arm)")
            }
        }
        let total = shares.values.reduce(0, +)
        guard total <= 1 + 1e-9 else {
            throw MatchworkError(.invalidValue, "shares sum to \(total.roundedTo(6)); they must sum to 1 or less (the rest of the subjects stay outside the experiment).", field: "shares")
        }
        guard total > 0 else {
            throw MatchworkError(.invalidValue, "shares sum to 0; give at least one arm a share above 0.", field: "shares")
        }
        var out: [String: Double] = [:]
        for arm in arms { out[arm.name] = shares[arm.name] ?? 0 }
        return out
    }
}

/// One arm: how it ranks the experiment's lists.
///
/// `ensemble` is the blend of the components alone (with the trained neural model's share), not
/// followed by the learned ranker, so that `ensemble` against `ranked` compares the two;
/// `weights` (`rule_based=0.5,similarity=0.3,…`) and `learnedShare` override the ensemble's for
/// the experiment's kind of list.
public struct ExperimentArm: Sendable, Hashable, Codable {
    public var name: String
    public var mode: RecommendationMode
    public var weights: String?
    public var learnedShare: Double?
    /// Registry versions the arm serves with instead of the serving ones, by kind (`neural`:
    /// `neural-000004`, `ranker`: `ranker-000007`), so that an arm can test a model version
    /// against another; `nil`: the versions serving.
    public var models: [String: String]?

    /// The kinds of model an arm can pin.
    public static let pinnableKinds = ["neural", "ranker"]

    public init(name: String, mode: RecommendationMode, weights: String? = nil, learnedShare: Double? = nil, models: [String: String]? = nil) {
        self.name = name
        self.mode = mode
        self.weights = weights
        self.learnedShare = learnedShare
        self.models = models
    }

    func validate(target: RankingTarget, field: String) throws(MatchworkError) {
        guard Experiment.isIdentifier(name) else {
            throw MatchworkError(.invalidValue, "arm name '\(name)' must be 1 to 64 lower-case letters, digits, '-' or '_'.", field: "\(field).name")
        }
        if weights != nil || learnedShare != nil, mode != .ensemble {
            throw MatchworkError(.invalidValue, "arm '\(name)' gives ensemble weights or a learned share with mode \(mode.rawValue); they apply to mode ensemble only.", field: "\(field).weights")
        }
        _ = try configuration(over: EnsembleConfiguration(EnsembleWeights()), target: target, field: field)
        for (kind, version) in (models ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard Self.pinnableKinds.contains(kind) else {
                throw MatchworkError(.invalidValue, "arm '\(name)' pins a model of kind '\(kind)'; an arm can pin \(Self.pinnableKinds.joined(separator: " and ")) versions.", field: "\(field).models.\(kind)")
            }
            let digits = version.dropFirst(kind.count + 1)
            guard version.hasPrefix("\(kind)-"), digits.count == 6, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else {
                throw MatchworkError(.invalidValue, "arm '\(name)' pins \(kind) version '\(version)'; name a registry version such as \(kind)-000004 (`matchwork models` lists them).", field: "\(field).models.\(kind)")
            }
            if kind == "ranker", mode != .ranked {
                throw MatchworkError(.invalidValue, "arm '\(name)' pins a ranker but ranks with mode \(mode.rawValue); only a ranked arm uses the ranker.", field: "\(field).models.ranker")
            }
            if kind == "neural", ![.neural, .ensemble, .ranked].contains(mode) {
                throw MatchworkError(.invalidValue, "arm '\(name)' pins a neural model but ranks with mode \(mode.rawValue), which does not use it; pin it on a neural, ensemble or ranked arm.", field: "\(field).models.neural")
            }
        }
    }

    /// The ensemble configuration `base` with this arm's weights and learned share for `target`.
    public func configuration(over base: EnsembleConfiguration, target: RankingTarget, field: String = "weights") throws(MatchworkError) -> EnsembleConfiguration {
        var out = base
        if let weights { out = try EnsembleConfiguration.parse(["\(target.rawValue):\(weights)"], over: out, field: "\(field).weights") }
        if let learnedShare {
            try EnsembleConfiguration.checkLearnedShare(learnedShare, field: "\(field).learned_share")
            out[target].learnedShare = learnedShare
        }
        return out
    }

    /// The engine that ranks this arm's lists: `engine` with the arm's ensemble settings, and
    /// without the learned ranker unless the arm's mode is `ranked`.
    public func engine(_ engine: RecommendationEngine, target: RankingTarget) throws(MatchworkError) -> RecommendationEngine {
        var out = engine
        if weights != nil || learnedShare != nil {
            var configuration = engine.configuration
            configuration.ensemble = try self.configuration(over: engine.ensemble, target: target)
            out = try engine.reconfigured(configuration)
        }
        return mode == .ranked ? out : out.with(ranker: nil)
    }
}

/// The shares from a point in time on, and the allocation they gave.
public struct RolloutStep: Sendable, Hashable, Codable {
    public var at: Timestamp
    public var shares: [String: Double]
    public var allocation: Allocation
}

/// A metric a treatment arm must not worsen: the experiment's report flags the arm when the
/// metric's interval shows it below the control by more than `maxDrop` (relative).
public struct Guardrail: Sendable, Hashable, Codable {
    /// `fill_rate` (lists whose opportunity was filled), `completion_rate`, `positive_feedback_rate`
    /// (1 − the share of lists with negative feedback).
    public var metric: String
    public var maxDrop: Double

    public init(metric: String, maxDrop: Double) {
        self.metric = metric
        self.maxDrop = maxDrop
    }

    public static let metrics = ["fill_rate", "completion_rate", "positive_feedback_rate"]
    public static let defaults = [Guardrail(metric: "completion_rate", maxDrop: 0.1), Guardrail(metric: "positive_feedback_rate", maxDrop: 0.05)]

    func validate(field: String) throws(MatchworkError) {
        guard Self.metrics.contains(metric) else {
            throw MatchworkError(.invalidValue, "guardrail metric '\(metric)' is not one of \(Self.metrics.joined(separator: ", ")).", field: "\(field).metric")
        }
        guard maxDrop.isFinite, maxDrop > 0, maxDrop < 1 else {
            throw MatchworkError(.invalidValue, "guardrail \(metric)'s max drop \(maxDrop) must be a relative share in (0, 1), such as 0.1 for 10%.", field: "\(field).max_drop")
        }
    }
}

/// Which arm owns which parts of [0, 1): segments `[lower, upper)`, sorted, not overlapping.
public struct Allocation: Sendable, Hashable, Codable {
    public struct Segment: Sendable, Hashable, Codable {
        public var lower: Double
        public var upper: Double
        public var arm: String
        var width: Double { upper - lower }
    }

    public var segments: [Segment]

    public init(segments: [Segment]) { self.segments = segments }

    /// Contiguous segments from 0, one per arm with a share, in the order given.
    public init(shares: [(arm: String, share: Double)]) {
        var at = 0.0
        segments = []
        for (arm, share) in shares where share > 0 {
            segments.append(Segment(lower: at, upper: min(1, at + share), arm: arm))
            at = min(1, at + share)
        }
    }

    /// The arm owning `u`, `nil` outside every segment.
    public func arm(at u: Double) -> String? {
        var lo = 0, hi = segments.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if segments[mid].upper <= u { lo = mid + 1 } else { hi = mid }
        }
        return lo < segments.count && segments[lo].lower <= u ? segments[lo].arm : nil
    }

    /// Each arm's total share.
    public var shares: [String: Double] {
        var out: [String: Double] = [:]
        for s in segments { out[s.arm, default: 0] += s.width }
        return out
    }

    /// The allocation with `targets` as the arms' shares, moving as little of [0, 1) as can be:
    /// each arm over its target gives up the excess from its highest segments; the arms under
    /// theirs, in the order given, take the freed parts (and any part no arm owned) from the
    /// lowest up. The share that moves is `Σ max(0, old − new)`, the least any rule can move.
    public func rebalanced(to targets: [(arm: String, share: Double)]) -> Allocation {
        let current = shares
        var kept: [Segment] = []
        // Shrink: drop each over-allocated arm's excess from its top segments.
        var excess: [String: Double] = [:]
        for (arm, share) in targets { excess[arm] = max(0, (current[arm] ?? 0) - share) }
        for s in segments.reversed() {
            var s = s
            let cut = min(excess[s.arm] ?? s.width, s.width)
            if cut > 0 {
                s.upper -= cut
                excess[s.arm] = (excess[s.arm] ?? s.width) - cut
            }
            if s.width > 1e-12 { kept.append(s) }
        }
        kept.sort { $0.lower < $1.lower }
        // The free parts of [0, 1).
        var free: [(Double, Double)] = []
        var at = 0.0
        for s in kept {
            if s.lower > at + 1e-12 { free.append((at, s.lower)) }
            at = max(at, s.upper)
        }
        if at < 1 - 1e-12 { free.append((at, 1)) }
        // Grow: each under-allocated arm takes free parts from the lowest.
        var owned = Allocation(segments: kept).shares
        var k = 0
        for (arm, share) in targets {
            var need = share - (owned[arm] ?? 0)
            while need > 1e-12, k < free.count {
                let (lo, hi) = free[k]
                let take = min(need, hi - lo)
                kept.append(Segment(lower: lo, upper: lo + take, arm: arm))
                need -= take
                if lo + take >= hi - 1e-12 { k += 1 } else { free[k] = (lo + take, hi) }
            }
            owned[arm] = share
        }
        kept.sort { $0.lower < $1.lower }
        // Adjacent segments of one arm become one.
        var merged: [Segment] = []
        for s in kept {
            if var last = merged.last, last.arm == s.arm, abs(last.upper - s.lower) < 1e-12 {
                last.upper = s.upper
                merged[merged.count - 1] = last
            } else {
                merged.append(s)
            }
        }
        return Allocation(segments: merged)
    }
}

/// Deterministic, sticky assignment: a subject's place in [0, 1) for an experiment.
public enum ExperimentAssignment {
    /// `FNV-1a 64` over the experiment's name, a zero byte, the subject's kind and id, mixed by
    /// the SplitMix64 finaliser, its top 53 bits as a fraction: the same on every machine and
    /// release, and independent between experiments.
    public static func unit(experiment: String, subject: RecommendationSubject) -> Double {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func eat(_ bytes: some Sequence<UInt8>) {
            for b in bytes {
                h ^= UInt64(b)
                h = h &* 0x0000_0100_0000_01b3
            }
        }
        eat(experiment.utf8)
        eat([0])
        switch subject {
        case .person(let id): eat("person:".utf8); eat(id.rawValue.utf8)
        case .opportunity(let id): eat("opportunity:".utf8); eat(id.rawValue.utf8)
        }
        var z = h &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        z ^= z >> 31
        return Double(z >> 11) / Double(UInt64(1) << 53)
    }
}
