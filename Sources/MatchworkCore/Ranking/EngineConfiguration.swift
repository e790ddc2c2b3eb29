/// Everything that tunes the recommendation engine, with documented defaults. Validate once at
/// the edge with ``validate()``.
public struct EngineConfiguration: Sendable, Hashable, Codable {
    public var rules = RuleWeights()
    /// Ensemble weights per kind of list; `nil` uses the scenario's defaults
    /// (``ScenarioFeatures/ensemble``).
    public var ensemble: EnsembleConfiguration?
    public var exclusions = HistoryExclusions()
    public var diversity = DiversityConfiguration()
    public var antiCongestion = AntiCongestionConfiguration()
    /// How stated availability constrains candidates.
    public var availability = AvailabilityPolicy.startWithinSlot
    /// Whether stated rhythms are a preference or a hard constraint.
    public var rhythm = RhythmPolicy.preference
    /// How many similar people (or opportunities) vote in neighbourhood scoring.
    public var neighbours = 50
    /// How the collaborative component learns.
    public var collaborative = CollaborativeConfiguration()

    public init() {}

    public func validate() throws(MatchworkError) {
        try rules.validate()
        try ensemble?.validate()
        try diversity.validate()
        try antiCongestion.validate()
        try collaborative.validate()
        guard (1...10_000).contains(neighbours) else {
            throw MatchworkError(.invalidConfiguration, "neighbours \(neighbours) must be between 1 and 10000.", field: "neighbours")
        }
    }
}

/// The kinds of list an ensemble ranks, each with its own weights: the components do not
/// carry the same signal when ranking opportunities for a person, people for an opportunity,
/// or the applicants of one.
public enum RankingTarget: String, Sendable, Hashable, Codable, CaseIterable {
    case opportunities
    case people
    case applicants
}

/// Ensemble weights per ``RankingTarget``.
public struct EnsembleConfiguration: Sendable, Hashable, Codable {
    public var opportunities: EnsembleWeights
    public var people: EnsembleWeights
    public var applicants: EnsembleWeights
    /// The trained neural model's share of the ensemble score when one is loaded: the score is
    /// `(1 − share) × the blend of the weights above + share × neural`. 0.4 by default (0.6
    /// rule-based and the other components, 0.4 learned, as the cleaning marketplace started).
    /// A list's own ``EnsembleWeights/learnedShare`` takes precedence.
    public var learnedShare = EnsembleConfiguration.defaultLearnedShare
    public static let defaultLearnedShare = 0.4

    public init(opportunities: EnsembleWeights, people: EnsembleWeights, applicants: EnsembleWeights) {
        self.opportunities = opportunities
        self.people = people
        self.applicants = applicants
    }

    /// The learned share of `target`'s lists.
    public func learnedShare(for target: RankingTarget) -> Double { self[target].learnedShare ?? learnedShare }

    /// The same weights for every kind of list.
    public init(_ weights: EnsembleWeights) {
        self.init(opportunities: weights, people: weights, applicants: weights)
    }

    public subscript(target: RankingTarget) -> EnsembleWeights {
        get {
            switch target {
            case .opportunities: opportunities
            case .people: people
            case .applicants: applicants
            }
        }
        set {
            switch target {
            case .opportunities: opportunities = newValue
            case .people: people = newValue
            case .applicants: applicants = newValue
            }
        }
    }

    public func validate() throws(MatchworkError) {
        for target in RankingTarget.allCases {
            try self[target].validate(field: "ensemble.\(target.rawValue)")
            if let share = self[target].learnedShare { try Self.checkLearnedShare(share, field: "ensemble.\(target.rawValue).neural") }
        }
        try Self.checkLearnedShare(learnedShare)
    }

    public static func checkLearnedShare(_ share: Double, field: String = "ensemble.learned_share") throws(MatchworkError) {
        guard share.isFinite, (0...1).contains(share) else {
            throw MatchworkError(.invalidConfiguration, "learned share \(share) must be between 0 and 1 (0 leaves the trained model out of the ensemble).", field: field)
        }
    }

    /// Applies `[target:]name=w,...` settings over `base` in order: with a target
    /// (`opportunities`, `people`, `applicants`) only that list's weights change, without one
    /// all three do.
    public static func parse(_ settings: [String], over base: EnsembleConfiguration, field: String = "ensemble_weights") throws(MatchworkError) -> EnsembleConfiguration {
        var result = base
        for setting in settings {
            let parts = setting.split(separator: ":", maxSplits: 1).map(String.init)
            if parts.count == 2 {
                guard let target = RankingTarget(rawValue: parts[0].trimmingSpaces) else {
                    throw MatchworkError(.invalidConfiguration, "\(field): '\(parts[0])' is not a list to weigh; use opportunities, people or applicants before the colon, or leave it out for all three.", field: field)
                }
                result[target] = try EnsembleWeights.parse(parts[1], field: "\(field) \(target.rawValue)")
            } else {
                result = EnsembleConfiguration(try EnsembleWeights.parse(setting, field: field))
            }
        }
        return result
    }

    /// `opportunities:rule_based=0.7,similarity=0.3 people:…`, as ``parse(_:over:field:)`` reads.
    public var settings: [String] { RankingTarget.allCases.map { "\($0.rawValue):\(self[$0].setting)" } }
}

/// Weights of the components in `ensemble` mode. Components that cannot score a request are
/// left out and the rest renormalised.
public struct EnsembleWeights: Sendable, Hashable, Codable {
    public var ruleBased = 0.7
    public var similarity = 0.1
    public var neighbourhood = 0.1
    public var popularity = 0.1
    public var collaborative = 0.0
    /// This list's share for the trained neural model (`neural=0.3` in a setting), over
    /// ``EnsembleConfiguration/learnedShare`` for every list; not part of the weights' sum.
    public var learnedShare: Double?

    public init() {}

    public init(ruleBased: Double, similarity: Double, neighbourhood: Double, popularity: Double, collaborative: Double = 0) {
        self.ruleBased = ruleBased
        self.similarity = similarity
        self.neighbourhood = neighbourhood
        self.popularity = popularity
        self.collaborative = collaborative
    }

    /// Weights from values in ``components`` order.
    public init(_ values: [Double]) {
        precondition(values.count == Self.components.count, "EnsembleWeights: \(values.count) values for \(Self.components.count) components")
        self.init(ruleBased: values[0], similarity: values[1], neighbourhood: values[2], popularity: values[4], collaborative: values[3])
    }

    /// `rule_based=0.7,similarity=0.3` (components weighing 0 left out), as ``parse(_:field:)`` reads.
    public var setting: String {
        (all.filter { $0.1 > 0 }.map { "\($0.0.rawValue)=\(($0.1 * 1000).rounded() / 1000)" } + (learnedShare.map { ["neural=\(($0 * 1000).rounded() / 1000)"] } ?? []))
            .joined(separator: ",")
    }

    /// The components an ensemble blends, in this order.
    public static let components: [RecommendationMode] = [.ruleBased, .similarity, .neighbourhood, .collaborative, .popularity]

    var all: [(RecommendationMode, Double)] { Self.components.map { ($0, weight(of: $0)) } }

    public func weight(of component: RecommendationMode) -> Double {
        switch component {
        case .ruleBased: ruleBased
        case .similarity: similarity
        case .neighbourhood: neighbourhood
        case .collaborative: collaborative
        case .popularity: popularity
        default: 0
        }
    }

    /// Parses `rule_based=0.4,similarity=0.3,neighbourhood=0.2,popularity=0.1`; components left
    /// out weigh 0. `neural=0.3` sets the list's learned share (outside the sum).
    public static func parse(_ text: String, field: String = "ensemble_weights") throws(MatchworkError) -> EnsembleWeights {
        var weights = EnsembleWeights(ruleBased: 0, similarity: 0, neighbourhood: 0, popularity: 0)
        for part in text.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map { String($0).trimmingSpaces }
            guard kv.count == 2, let value = Double(kv[1]) else {
                throw MatchworkError(.invalidConfiguration, "\(field): '\(part)' is not name=weight; write for example rule_based=0.5,similarity=0.5.", field: field)
            }
            switch try RecommendationMode.parse(kv[0], field: field) {
            case .ruleBased: weights.ruleBased = value
            case .similarity: weights.similarity = value
            case .neighbourhood: weights.neighbourhood = value
            case .collaborative: weights.collaborative = value
            case .popularity: weights.popularity = value
            case .neural:
                try EnsembleConfiguration.checkLearnedShare(value, field: field)
                weights.learnedShare = value
            case let other:
                let names = Self.components.map(\.rawValue).joined(separator: ", ")
                throw MatchworkError(.invalidConfiguration, "\(field): '\(other)' cannot weigh \(other == .ensemble ? "itself" : "in an ensemble"); use \(names).", field: field)
            }
        }
        try weights.validate(field: field)
        return weights
    }

    /// Checks that weights are non-negative and sum to 1 (within 1e-6).
    public func validate(field: String = "ensemble") throws(MatchworkError) {
        for (mode, w) in all where !(w.isFinite && w >= 0) {
            throw MatchworkError(.invalidConfiguration, "ensemble weight \(mode.rawValue) is \(w); weights must be non-negative numbers.", field: "\(field).\(mode.rawValue)")
        }
        let sum = all.reduce(0) { $0 + $1.1 }
        guard abs(sum - 1) <= 1e-6 else {
            let terms = all.map { "\($0.0.rawValue) \($0.1)" }.joined(separator: " + ")
            throw MatchworkError(.invalidConfiguration, "ensemble weights \(terms) sum to \((sum * 1e6).rounded() / 1e6); they must sum to 1.", field: field)
        }
    }
}

/// Which past events take an opportunity out of a person's recommendations (and the person out
/// of the opportunity's).
public struct HistoryExclusions: Sendable, Hashable, Codable {
    /// When recommending opportunities to a person. Default: applied, bid, hired, declined,
    /// completed, cancelled, absent, enrolled, passed, failed.
    public var forPerson: Set<InteractionType> = [.apply, .bid, .hire, .decline, .complete, .cancel, .noShow, .enroll, .pass, .fail]
    /// When recommending people for an opportunity. Default: hired, declined, completed,
    /// cancelled, absent (applicants stay: they are good candidates).
    public var forOpportunity: Set<InteractionType> = [.hire, .decline, .complete, .cancel, .noShow]

    public init() {}
}

/// Re-ranking for variety of opportunities (lists of people are ranked on merit alone).
public struct DiversityConfiguration: Sendable, Hashable, Codable {
    /// At most this many opportunities from the same client in one list (`nil`: no limit). When
    /// only capped clients' opportunities remain, the list is completed with them rather than
    /// cut short.
    public var maxPerClient: Int? = 3
    /// Maximal marginal relevance trade-off: each next result maximises
    /// `λ × score − (1 − λ) × max cosine to the results already chosen`; 1 turns it off.
    public var lambda = 0.85

    public init() {}

    public func validate() throws(MatchworkError) {
        if let cap = maxPerClient, cap < 1 {
            throw MatchworkError(.invalidConfiguration, "diversity max per client \(cap) must be at least 1 (or unset for no limit).", field: "diversity.max_per_client")
        }
        guard lambda.isFinite, (0...1).contains(lambda) else {
            throw MatchworkError(.invalidConfiguration, "diversity lambda \(lambda) must be in 0...1 (1 turns MMR off).", field: "diversity.lambda")
        }
    }
}

/// Spreads recommendations of scarce places across people.
///
/// An opportunity's pressure is `(applicants + recent exposures) / free slots`; a person's
/// (when people are ranked) is `exposures in the shared ledger / capacity`. Above `threshold`,
/// the score is multiplied by `1 / (1 + strength × (pressure − threshold) / threshold)`.
public struct AntiCongestionConfiguration: Sendable, Hashable, Codable {
    /// 0 turns it off.
    public var strength = 0.5
    public var threshold = 4.0

    public init() {}

    public func validate() throws(MatchworkError) {
        guard strength.isFinite, strength >= 0, strength <= 100 else {
            throw MatchworkError(.invalidConfiguration, "anti-congestion strength \(strength) must be in 0...100 (0 turns it off).", field: "anti_congestion.strength")
        }
        guard threshold.isFinite, threshold > 0 else {
            throw MatchworkError(.invalidConfiguration, "anti-congestion threshold \(threshold) must be positive.", field: "anti_congestion.threshold")
        }
    }

    func multiplier(pressure: Double) -> Double {
        guard strength > 0, pressure > threshold else { return 1 }
        return 1 / (1 + strength * (pressure - threshold) / threshold)
    }
}

/// How a person's stated weekly availability constrains candidates (no stated availability
/// never excludes anything).
public enum AvailabilityPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// The opportunity's start falls in one of the person's weekly slots.
    case startWithinSlot = "start_within_slot"
    /// Ignore availability in filtering (it still counts in scoring).
    case ignore
}

/// Whether a person's stated rhythms (day, night…) exclude other rhythms.
public enum RhythmPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Stated rhythms raise the score; others stay eligible.
    case preference
    /// Only stated rhythms are eligible (when the person states any).
    case strict
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
