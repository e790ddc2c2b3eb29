public import MatchworkCore

/// How large a synthetic marketplace is: a scale factor applied to the scenario's default counts.
///
/// `tiny` (0.02) is a test fixture; `small` (0.2); `default` (1: for cleaning 5,000 jobs, 200
/// cleaners, 500 clients); `large` (20, over a million events in every scenario). Any positive
/// number is accepted too.
public struct MarketplaceSize: Sendable, Hashable, CustomStringConvertible {
    public let scale: Double

    public static let tiny = MarketplaceSize(checked: 0.02)
    public static let small = MarketplaceSize(checked: 0.2)
    public static let standard = MarketplaceSize(checked: 1)
    public static let large = MarketplaceSize(checked: 20)

    private init(checked scale: Double) { self.scale = scale }

    public init(scale: Double) throws(MatchworkError) {
        guard scale.isFinite, scale > 0, scale <= 1000 else {
            throw MatchworkError(.invalidValue, "size \(scale) must be a positive scale factor up to 1000 (1 = the scenario's default size).", field: "size")
        }
        self.scale = scale
    }

    /// Parses `tiny`, `small`, `default`, `large` or a positive number.
    public static func parse(_ text: String) throws(MatchworkError) -> MarketplaceSize {
        switch text {
        case "tiny": return .tiny
        case "small": return .small
        case "default", "standard", "medium": return .standard
        case "large": return .large
        default:
            guard let scale = Double(text) else {
                throw MatchworkError(.invalidValue, "size '\(text)' is not tiny, small, default, large or a number such as 2.5.", field: "size")
            }
            return try MarketplaceSize(scale: scale)
        }
    }

    /// `count` scaled, at least `minimum`.
    public func scaled(_ count: Int, minimum: Int = 1) -> Int { max(minimum, Int((Double(count) * scale).rounded())) }

    public var description: String {
        switch scale {
        case 0.02: "tiny"
        case 0.2: "small"
        case 1: "default"
        case 20: "large"
        default: "\(scale)"
        }
    }
}

/// A generated marketplace: its records, and the hidden ground truth behind them.
public struct Marketplace: Sendable {
    public var scenario: ScenarioName
    public var people: [Person]
    public var opportunities: [Opportunity]
    public var interactions: [Interaction]
    /// The latent truth (tiers, preferences, outcomes) as a canonical JSON document.
    public var groundTruth: GroundTruth
    /// Attribution to keep with the data when it derives from licensed sources.
    public var attribution: String?
}

/// The hidden side of a synthetic marketplace: segments (tiers) and latent parameters.
public struct GroundTruth: Sendable, Codable, Hashable {
    public var scenario: ScenarioName
    public var seed: UInt64
    public var scale: Double
    /// The segment of each person (cleaner tier, client budget tier, clinician archetype…).
    public var personSegments: [String: String] = [:]
    /// Latent numeric parameters per person (true quality, preference weights…).
    public var personLatent: [String: [String: Double]] = [:]
    /// Latent numeric parameters per opportunity.
    public var opportunityLatent: [String: [String: Double]] = [:]
    /// How each opportunity ended (completed, cancelled, failed, open…).
    public var opportunityOutcomes: [String: String] = [:]

    public init(scenario: ScenarioName, seed: UInt64, scale: Double) {
        self.scenario = scenario
        self.seed = seed
        self.scale = scale
    }

    /// The key prefix, in ``opportunityLatent``, of the probability the generator gave each
    /// bidder of being hired (`choice:cleaner-12`).
    public static let choicePrefix = "choice:"

    /// Per opportunity, each bidder's probability of being hired under the generator's choice
    /// model (empty when the scenario has none).
    public var choiceProbabilities: [OpportunityID: [PersonID: Double]] {
        var out: [OpportunityID: [PersonID: Double]] = [:]
        for (opportunity, latent) in opportunityLatent {
            for (key, p) in latent where key.hasPrefix(Self.choicePrefix) {
                out[OpportunityID(opportunity), default: [:]][PersonID(String(key.dropFirst(Self.choicePrefix.count)))] = p
            }
        }
        return out
    }

    /// The segments as typed ids, for statistics.
    public var segments: [PersonID: String] {
        Dictionary(uniqueKeysWithValues: personSegments.map { (PersonID($0.key), $0.value) })
    }
}
