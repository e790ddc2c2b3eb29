/// Which scorer ranks the candidates: one of the registered scorers (``Scorers``), alone with
/// its fallbacks, or `ensemble`, their weighted blend.
///
/// Each scorer declares its mode beside it (`Ranking/Scorers/`), and registering the scorer
/// makes the mode requestable, listed and parsed; `recency`, the last resort every chain ends
/// with, is not requestable.
public struct RecommendationMode: RawRepresentable, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    public let rawValue: String

    /// A requestable mode by name (``allCases``), or `nil`.
    public init?(rawValue: String) {
        guard Self.allCases.contains(where: { $0.rawValue == rawValue }) else { return nil }
        self.rawValue = rawValue
    }

    /// Declares a mode (a scorer's name); it becomes requestable when its scorer is registered.
    init(declaring name: String) { rawValue = name }

    public var description: String { rawValue }

    /// A weighted blend of the registered scorers, over the ones that can answer
    /// (``EnsembleConfiguration``).
    public static let ensemble = RecommendationMode(declaring: "ensemble")

    /// The registered scorers' modes in registration order, then `ensemble` and `ranked`.
    public static let allCases: [RecommendationMode] = Scorers.registered.map(\.scorer.mode) + [.ensemble, .ranked]

    public static func parse(_ text: String, field: String = "mode") throws(MatchworkError) -> RecommendationMode {
        let normalised = text == "rule-based" ? "rule_based" : text == "neighborhood" ? "neighbourhood" : text
        guard let mode = RecommendationMode(rawValue: normalised) else {
            throw MatchworkError(.unknownVocabulary, "\(field) '\(text)' is not a recommendation mode; use one of \(allCases.map(\.rawValue).joined(separator: ", ")).", field: field)
        }
        return mode
    }
}
