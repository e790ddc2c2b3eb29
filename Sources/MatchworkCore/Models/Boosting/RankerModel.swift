/// A trained learned ranker: one LambdaMART booster per kind of list over the features of
/// ``RankerFeatures``, with what it needs to compute them and what it learned to rely on.
public struct RankerModel: Sendable {
    /// A feature's share of the trees' total gain.
    public struct Importance: Sendable, Hashable, Codable {
        public var feature: String
        public var gain: Double
        /// Its share of the total gain, 0...1.
        public var share: Double
    }

    /// One kind of list's booster and how it was chosen.
    public struct Stage: Sendable {
        public var booster: Booster
        public var parameters: BoostingParameters
        /// Its NDCG@10 on the validation lists, per objective tried (the best was kept).
        public var validation: [String: Double]
        /// The features by gain, largest first.
        public var importance: [Importance]
        /// The scale `s` that turns a list's margins into choice probabilities,
        /// `P(i) = exp(s mᵢ) / Σⱼ exp(s mⱼ)` (a conditional logit), fitted by maximum likelihood
        /// on the validation lists' hires (``RankerTraining/choiceScale(margins:labels:groups:)``);
        /// `nil` when it could not be fitted, and then no probability is given.
        public var choiceScale: Double?
        /// The components whose scores it reads (``RankerFeatures/components``); the others
        /// were pruned in training for bringing too little gain, and are not scored when it
        /// serves. `nil`: all of them.
        public var components: [RecommendationMode]?

        public init(
            booster: Booster, parameters: BoostingParameters, validation: [String: Double], importance: [Importance], choiceScale: Double? = nil,
            components: [RecommendationMode]? = nil
        ) {
            self.components = components
            self.booster = booster
            self.parameters = parameters
            self.validation = validation
            self.importance = importance
            self.choiceScale = choiceScale
        }
    }

    /// The pair features' encoder (its scenario, facets, attributes and centre; no scaling).
    public var encoder: PairFeatureEncoder
    public var stages: [RankingTarget: Stage]
    /// Why a kind of list has no stage although it had enough outcomes: the booster did not
    /// beat the ensemble on the validation lists, which keeps ranking them.
    public var declined: [RankingTarget: String]
    /// Whether its boosters read the neural model's columns (``RankerFeatures/learnedNames``);
    /// rankers trained before those columns existed do not.
    public var learnedColumns: Bool
    /// The registry version it was loaded from, if any.
    public var version: String?

    public init(
        encoder: PairFeatureEncoder, stages: [RankingTarget: Stage], declined: [RankingTarget: String] = [:], learnedColumns: Bool = false, version: String? = nil
    ) {
        self.encoder = encoder
        self.stages = stages
        self.declined = declined
        self.learnedColumns = learnedColumns
        self.version = version
    }

    /// The feature names, in column order.
    public var features: [String] { RankerFeatures.names(encoder, learned: learnedColumns) }

    /// Why this model cannot serve, if it cannot: a stage's booster scores another number of
    /// features than the encoder gives.
    public func servingProblem() -> String? {
        let columns = features.count
        for (target, stage) in stages.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where stage.booster.columns != columns {
            return "its \(target.rawValue) booster scores \(stage.booster.columns) features where its encoder gives \(columns)"
        }
        return stages.isEmpty && declined.isEmpty ? "it ranks no kind of list" : nil
    }

    /// The stage that ranks `target`'s lists, if it was trained.
    public func stage(for target: RankingTarget) -> Stage? { stages[target] }

    /// Feature importance of a stage as `(feature, gain)`, from its booster.
    static func importance(_ booster: Booster, names: [String]) throws(MatchworkError) -> [Importance] {
        let gains = try booster.featureGain()
        let total = gains.values.reduce(0, +)
        return gains.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { column, gain in
            Importance(feature: column < names.count ? names[column] : "f\(column)", gain: gain, share: total > 0 ? gain / total : 0)
        }
    }
}
