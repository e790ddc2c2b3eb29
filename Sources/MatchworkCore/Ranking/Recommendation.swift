/// One component's share of a result's score.
public struct ScorePart: Sendable, Hashable, Codable {
    /// `rule_based`, `similarity`, `neighbourhood`, `popularity`, or a rule such as `quality`.
    public var component: String
    /// The component's own score, 0...1.
    public var value: Double
    /// Its weight after renormalisation over the components that answered.
    public var weight: Double
    /// `100 × value × weight`: the points it adds to the 0-100 score.
    public var points: Double
    /// Whether it relied on default or assumed values.
    public var assumed: Bool
    /// Sub-components (the rules inside `rule_based`).
    public var parts: [ScorePart]

    public init(component: String, value: Double, weight: Double, assumed: Bool = false, parts: [ScorePart] = []) {
        self.component = component
        self.value = value
        self.weight = weight
        self.points = 100 * value * weight
        self.assumed = assumed
        self.parts = parts
    }
}

/// One recommended opportunity or person.
public struct RecommendedItem: Sendable, Hashable, Codable {
    /// The opportunity's or person's id.
    public var id: String
    public var title: String?
    /// 0...100, after re-ranking adjustments.
    public var score: Double
    /// Each component's share; points add up to the score before `adjustment`.
    public var breakdown: [ScorePart]
    /// Multiplier applied by anti-congestion (1 when none).
    public var adjustment: Double
    /// Why, in plain words.
    public var reasons: [String]
    /// Values the result assumed (defaults, priors), in plain words.
    public var assumptions: [String]
    /// The bid range the trained bid head suggests for the pair (marketplaces with bids, when a
    /// trained model with a bid head serves).
    public var suggestedBid: BidSuggestion?
}

/// A step of the fallback chain: a component that could not answer, and why.
public struct Fallback: Error, Sendable, Hashable, Codable {
    public var component: String
    public var reason: String
}

/// The answer to a ``RecommendationRequest``.
public struct Recommendations: Sendable, Hashable, Codable {
    public var subject: RecommendationSubject
    public var requestedMode: RecommendationMode
    /// The components that produced the scores (the requested mode, or its fallbacks).
    public var answeredBy: [String]
    /// Components that could not answer, in the order tried.
    public var fallbacks: [Fallback]
    public var items: [RecommendedItem]
    /// Candidates considered, and how many each hard filter removed.
    public var candidates: Int
    public var filtered: [String: Int]
    /// Why the list is empty, when it is.
    public var notice: String?
    /// The registry versions of the trained models that took part (`neural-000007, als-000001`),
    /// if any did.
    public var modelVersion: String? = nil
}
