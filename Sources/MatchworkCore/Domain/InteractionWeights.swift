/// How much each event type counts as evidence of interest when models learn from events.
///
/// Positive weights are signs of interest, negative ones of disinterest. A `rate` event's
/// weight is multiplied by `(rating - 5) / 5`, so a 10 counts fully and a 0 counts against.
public struct InteractionWeights: Hashable, Sendable, Codable {
    public private(set) var weights: [InteractionType: Double]

    /// The largest magnitude a weight can take.
    public static let limit = 100.0

    /// Defaults: view 0.1, click 0.25, apply 1, bid 1, shortlist 1.5, hire 3, decline -1,
    /// complete 4, cancel -2, no_show -3, rate 2, enroll 1, pass 3, fail -0.5, feedback 0, retract 0 (retractions and
    /// what they withdraw are left out before weights apply).
    public static let standard = InteractionWeights(checked: standardTable)

    private init(checked weights: [InteractionType: Double]) { self.weights = weights }

    /// Weights for every event type; a type left out keeps its standard weight.
    public init(_ overrides: [InteractionType: Double]) throws(MatchworkError) {
        var merged = InteractionWeights.standardTable
        for (type, weight) in overrides {
            guard weight.isFinite, abs(weight) <= InteractionWeights.limit else {
                throw MatchworkError(.invalidConfiguration, "weight \(weight) for '\(type.rawValue)' events must be a finite number in -100...100.", field: "weights.\(type.rawValue)")
            }
            merged[type] = weight
        }
        weights = merged
    }

    private static let standardTable: [InteractionType: Double] = [
        .view: 0.1, .click: 0.25, .apply: 1, .bid: 1, .shortlist: 1.5, .hire: 3, .decline: -1,
        .complete: 4, .cancel: -2, .noShow: -3, .rate: 2, .enroll: 1, .pass: 3, .fail: -0.5, .feedback: 0, .retract: 0,
    ]

    public subscript(type: InteractionType) -> Double { weights[type] ?? 0 }

    /// The learning weight of one event.
    public func weight(of interaction: Interaction) -> Double { weight(of: interaction.type, value: interaction.value) }

    /// The learning weight of an event of `type` carrying `value` (a rating's value scales it).
    public func weight(of type: InteractionType, value: Double?) -> Double {
        let base = self[type]
        if type == .rate, let rating = value { return base * (rating - 5) / 5 }
        return base
    }
}
