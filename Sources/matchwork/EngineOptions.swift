import ArgumentParser
import MatchworkCore

/// Engine settings shared by `recommend` and `backtest`.
struct EngineOptions: ParsableArguments {
    @Option(name: .customLong("rule-weights"), help: ArgumentHelp("Rule weights over the defaults, e.g. pricing=0.45,location=0.2 (each group sums to 1).", valueName: "NAME=W,..."))
    var ruleWeights: String?

    @Option(
        name: .customLong("ensemble-weights"),
        help: ArgumentHelp(
            "Ensemble weights, e.g. rule_based=0.5,similarity=0.2,neighbourhood=0.2,popularity=0.1 for every list, or prefixed with opportunities:, people: or applicants: for one kind of list (repeatable; default: the scenario's tuned weights).",
            valueName: "[LIST:]NAME=W,..."))
    var ensembleWeights: [String] = []

    @Option(name: .customLong("max-per-client"), help: ArgumentHelp("At most this many opportunities of one client per list (0: no limit; default 3).", valueName: "N"))
    var maxPerClient: Int?

    @Option(help: ArgumentHelp("Maximal marginal relevance trade-off, 0-1 (1: off; default 0.85).", valueName: "LAMBDA"))
    var lambda: Double?

    @Option(name: .customLong("anti-congestion"), help: ArgumentHelp("Anti-congestion strength (0: off; default 0.5).", valueName: "STRENGTH"))
    var antiCongestion: Double?

    @Option(help: ArgumentHelp("Stated rhythms: preference (default) or strict.", valueName: "POLICY"))
    var rhythm: String?

    @Option(name: .customLong("learned-share"), help: ArgumentHelp("The trained neural model's share of the ensemble score, 0-1 (default 0.4; 0 leaves it out).", valueName: "SHARE"))
    var learnedShare: Double?

    /// The configuration, with ensemble weights given over the `scenario`'s defaults.
    func configuration(scenario: ScenarioName?) throws(MatchworkError) -> EngineConfiguration {
        var config = EngineConfiguration()
        if let ruleWeights { config.rules = try RuleWeights.parse(ruleWeights, field: "--rule-weights") }
        if !ensembleWeights.isEmpty {
            config.ensemble = try EnsembleConfiguration.parse(ensembleWeights, over: ScenarioFeatures.forScenario(scenario).ensemble, field: "--ensemble-weights")
        }
        if let learnedShare {
            try EnsembleConfiguration.checkLearnedShare(learnedShare, field: "--learned-share")
            var ensemble = config.ensemble ?? ScenarioFeatures.forScenario(scenario).ensemble
            ensemble.learnedShare = learnedShare
            config.ensemble = ensemble
        }
        if let maxPerClient {
            guard maxPerClient >= 0 else {
                throw MatchworkError(.invalidConfiguration, "--max-per-client \(maxPerClient) must be 0 (no limit) or more.", field: "--max-per-client")
            }
            config.diversity.maxPerClient = maxPerClient == 0 ? nil : maxPerClient
        }
        if let lambda { config.diversity.lambda = lambda }
        if let antiCongestion { config.antiCongestion.strength = antiCongestion }
        if let rhythm {
            guard let policy = RhythmPolicy(rawValue: rhythm) else {
                throw MatchworkError(.invalidConfiguration, "--rhythm '\(rhythm)' is not a policy; use preference or strict.", field: "--rhythm")
            }
            config.rhythm = policy
        }
        try config.validate()
        return config
    }
}
