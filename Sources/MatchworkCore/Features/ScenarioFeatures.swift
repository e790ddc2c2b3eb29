/// How a scenario's records map onto features, defaults, prices and words.
///
/// Each preset has one (``forScenario(_:)``); a marketplace without a scenario gets a generic
/// one that uses every facet it finds.
public struct ScenarioFeatures: Sendable, Hashable {
    /// Facets that say what a person wants and what an opportunity is; their blocks are filled
    /// by defaults and priors when a profile leaves them out.
    public var preferenceFacets: [FacetName]
    /// Weight of each facet block in the feature space (1 when absent).
    public var facetWeights: [FacetName: Float]
    /// Values assumed for a preference facet a person did not state and has no history for.
    public var defaults: [FacetName: [String]]
    /// Opportunity attributes that enter the feature space, standardised.
    public var numericAttributes: [String]
    /// Facets whose required value a person must list when they state the facet at all (a
    /// nurse is not offered a physician's mission).
    public var qualifyingFacets: [FacetName]
    /// Whether the `rhythm` facet is checked against stated availability (night shifts need
    /// evening slots, weekend ones weekend slots).
    public var checksRhythmAgainstAvailability: Bool
    /// How the price of an opportunity compares with what a person asks, if it can.
    public var pricing: PricingRule?
    /// The distance at which the location score falls to 1/e, in kilometres.
    public var distanceScaleKm: Double
    /// Words for explanations.
    public var words: Words
    /// The kinds of opportunity recommended to people (`nil`: every kind). Learners get
    /// courses, not the job postings that feed demand series.
    public var recommendedKinds: [OpportunityKind]?
    /// Ensemble weights per kind of list, chosen by ``EnsembleTuning`` on the validation window
    /// of the scenario's synthetic marketplace (`matchwork backtest` prints the tuned values
    /// for any store).
    public var ensemble = EnsembleConfiguration(EnsembleWeights())

    /// Nouns used in explanations, singular and plural.
    public struct Words: Sendable, Hashable {
        public var person: String
        public var people: String
        public var opportunity: String
        public var opportunities: String
        public var client: String
        public var clients: String
    }

    public static func forScenario(_ name: ScenarioName?) -> ScenarioFeatures {
        var features = mapping(name)
        if let name { features.ensemble = tunedEnsemble(name) }
        return features
    }

    /// Ensemble weights tuned by `matchwork backtest` on the validation window (the 14 days
    /// before the cut) of each scenario's synthetic marketplace (`matchwork generate`, seed 42,
    /// standard size).
    static func tunedEnsemble(_ name: ScenarioName) -> EnsembleConfiguration {
        func w(_ rule: Double, _ similarity: Double, _ neighbourhood: Double, _ collaborative: Double, _ popularity: Double, neural: Double? = nil) -> EnsembleWeights {
            var weights = EnsembleWeights(ruleBased: rule, similarity: similarity, neighbourhood: neighbourhood, popularity: popularity, collaborative: collaborative)
            weights.learnedShare = neural
            return weights
        }
        switch name {
        case .cleaning: return EnsembleConfiguration(opportunities: w(0.8, 0.2, 0, 0, 0), people: w(0.7, 0.1, 0, 0.2, 0), applicants: w(0.6, 0.3, 0, 0, 0.1))
        case .missions: return EnsembleConfiguration(opportunities: w(0.7, 0.3, 0, 0, 0), people: w(0.7, 0.2, 0.1, 0, 0), applicants: w(0.8, 0.1, 0, 0.1, 0))
        // Courses have no applicants to rank: the people weights serve both.
        case .learning:
            let people = w(0, 0, 0.4, 0.4, 0.2, neural: 0.4)
            return EnsembleConfiguration(opportunities: w(0.1, 0, 0.4, 0.5, 0, neural: 0.2), people: people, applicants: people)
        }
    }

    private static func mapping(_ name: ScenarioName?) -> ScenarioFeatures {
        switch name {
        case .missions:
            ScenarioFeatures(
                preferenceFacets: [.service, .specialty, .rhythm],
                facetWeights: [.service: 1, .specialty: 1.2, .rhythm: 1, .language: 0.3],
                defaults: [.rhythm: ["day"], .language: ["fr"]],
                numericAttributes: ["pay", "duration_days", "hours_per_week"],
                qualifyingFacets: [.specialty],
                checksRhythmAgainstAvailability: true,
                pricing: PricingRule(offer: "pay", ask: "hourly_rate", askPer: nil),
                distanceScaleKm: 15,
                words: Words(person: "clinician", people: "clinicians", opportunity: "mission", opportunities: "missions", client: "hospital", clients: "hospitals"),
                recommendedKinds: [.mission])
        case .cleaning:
            ScenarioFeatures(
                preferenceFacets: [.service, .propertyType],
                facetWeights: [.service: 1, .propertyType: 0.8, .language: 0.3],
                defaults: [.service: ["regular"], .propertyType: ["apartment"], .language: ["fr"]],
                numericAttributes: ["size_m2", "duration_hours", "budget", "eco_preference"],
                qualifyingFacets: [.service, .propertyType],
                checksRhythmAgainstAvailability: false,
                pricing: PricingRule(offer: "budget", ask: "hourly_rate", askPer: "duration_hours"),
                distanceScaleKm: 6,
                words: Words(person: "cleaner", people: "cleaners", opportunity: "job", opportunities: "jobs", client: "client", clients: "clients"),
                recommendedKinds: [.job])
        case .learning:
            ScenarioFeatures(
                preferenceFacets: ["delivery"],
                facetWeights: ["delivery": 0.6, .language: 0.3, .occupation: 1],
                defaults: ["delivery": ["online"], .language: ["en"]],
                numericAttributes: ["hours", "price"],
                qualifyingFacets: [],
                checksRhythmAgainstAvailability: false,
                pricing: nil,
                distanceScaleKm: 25,
                words: Words(person: "learner", people: "learners", opportunity: "course", opportunities: "courses", client: "provider", clients: "providers"),
                recommendedKinds: [.course])
        case nil:
            ScenarioFeatures(
                preferenceFacets: [], facetWeights: [:], defaults: [:], numericAttributes: [], qualifyingFacets: [],
                checksRhythmAgainstAvailability: false, pricing: nil, distanceScaleKm: 15,
                words: Words(person: "person", people: "people", opportunity: "opportunity", opportunities: "opportunities", client: "client", clients: "clients"),
                recommendedKinds: nil)
        }
    }
}

/// How an opportunity's price compares with a person's asking rate.
///
/// The ratio is `offer / (ask × askPer)`: for a cleaning job, the client's `budget` over the
/// cleaner's `hourly_rate` times the job's `duration_hours`; for a mission, its hourly `pay`
/// over the clinician's `hourly_rate`.
public struct PricingRule: Sendable, Hashable {
    /// The opportunity attribute holding what it pays.
    public var offer: String
    /// The person attribute holding what they ask.
    public var ask: String
    /// An opportunity attribute the ask is multiplied by (hours), if any.
    public var askPer: String?

    /// `offer / asked`, or `nil` when an attribute is missing or not positive.
    public func ratio(_ opportunity: Opportunity, _ person: Person) -> Double? {
        guard let offer = opportunity.attributes[offer], var asked = person.attributes[ask], asked > 0 else { return nil }
        if let askPer {
            guard let per = opportunity.attributes[askPer], per > 0 else { return nil }
            asked *= per
        }
        return offer / asked
    }
}
