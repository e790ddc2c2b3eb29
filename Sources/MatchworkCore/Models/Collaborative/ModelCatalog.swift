/// Hyper-parameters given as `key=value` text (`--param factors=64`), read by type; keys no
/// model reads are refused.
public struct Parameters: Sendable {
    public private(set) var values: [String: String]
    private var read: Set<String> = []

    /// Parses `key=value` settings; a repeated key keeps the last value.
    public init(_ settings: [String], field: String = "--param") throws(MatchworkError) {
        values = [:]
        for setting in settings {
            let parts = setting.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw MatchworkError(.invalidConfiguration, "\(field) '\(setting)' is not KEY=VALUE; write for example factors=64.", field: field)
            }
            values[parts[0]] = parts[1]
        }
    }

    public mutating func int(_ key: String, into value: inout Int) throws(MatchworkError) {
        try read(key, into: &value, as: "an integer") { Int($0) }
    }

    public mutating func float(_ key: String, into value: inout Float) throws(MatchworkError) {
        try read(key, into: &value, as: "a number") { Float($0).flatMap { $0.isFinite ? $0 : nil } }
    }

    public mutating func double(_ key: String, into value: inout Double) throws(MatchworkError) {
        try read(key, into: &value, as: "a number") { Double($0).flatMap { $0.isFinite ? $0 : nil } }
    }

    public mutating func seed(_ key: String, into value: inout UInt64) throws(MatchworkError) {
        try read(key, into: &value, as: "a non-negative integer") { UInt64($0) }
    }

    public mutating func choice<T: RawRepresentable & CaseIterable>(_ key: String, into value: inout T) throws(MatchworkError) where T.RawValue == String {
        try read(key, into: &value, as: "one of " + T.allCases.map(\.rawValue).joined(separator: ", ")) { T(rawValue: $0) }
    }

    /// A comma-separated list of names.
    public mutating func names(_ key: String, into value: inout [String]?) throws(MatchworkError) {
        try read(key, into: &value, as: "a comma-separated list of names") { (text: String) -> [String]?? in
            let names = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0.filter { $0 != " " }) }
            return names.contains(where: \.isEmpty) ? .none : .some(names)
        }
    }

    /// A switch given as 0 or 1.
    public mutating func flag(_ key: String, into value: inout Bool) throws(MatchworkError) {
        var number = value ? 1 : 0
        try int(key, into: &number)
        guard number == 0 || number == 1 else {
            throw MatchworkError(.invalidConfiguration, "parameter \(key)=\(number) must be 0 or 1.", field: key)
        }
        value = number == 1
    }

    /// A comma-separated list of numbers.
    public mutating func numbers(_ key: String, into value: inout [Float]?) throws(MatchworkError) {
        try read(key, into: &value, as: "a comma-separated list of numbers") { (text: String) -> [Float]?? in
            let numbers = text.split(separator: ",", omittingEmptySubsequences: false).map { Float(String($0.filter { $0 != " " })) }
            return numbers.allSatisfy({ $0?.isFinite == true }) ? .some(numbers.map { $0! }) : .none
        }
    }

    /// The settings `prefix.key=value` as `key=value` (marked as read here), for a part of a
    /// model such as an ensemble's component.
    public mutating func scoped(_ prefix: String) -> Parameters {
        var inner = Parameters()
        for (key, value) in values where key.hasPrefix(prefix + ".") {
            read.insert(key)
            inner.values[String(key.dropFirst(prefix.count + 1))] = value
        }
        return inner
    }

    /// The prefixes of the `prefix.key` settings not read yet.
    public var unreadScopes: Set<String> {
        Set(values.keys.filter { !read.contains($0) }.compactMap { key in key.firstIndex(of: ".").map { String(key[..<$0]) } })
    }

    private init() { values = [:] }

    /// The settings of a search's trial (``HyperparameterSearch``), as if given as `key=value`.
    public init(settings: [String: String]) { values = settings }

    /// Marks `key` as known, and sets `value` from it when it was given.
    private mutating func read<T>(_ key: String, into value: inout T, as kind: String, parse: (String) -> T?) throws(MatchworkError) {
        read.insert(key)
        guard let text = values[key] else { return }
        guard let parsed = parse(text) else {
            throw MatchworkError(.invalidConfiguration, "parameter \(key)='\(text)' is not \(kind).", field: key)
        }
        value = parsed
    }

    /// Refuses keys that were never read, naming the ones the model has.
    public func checkAllRead(model: String) throws(MatchworkError) {
        let unknown = values.keys.filter { !read.contains($0) }.sorted()
        guard let first = unknown.first else { return }
        let known = read.sorted().joined(separator: ", ")
        throw MatchworkError(
            .invalidConfiguration, "unknown parameter '\(first)' for model \(model); its parameters are \(known.isEmpty ? "none" : known).", field: first)
    }

    /// The parameters as given, for reports.
    public var settings: [String: String] { values }
}

/// The collaborative models `matchwork evaluate` can fit, by name.
public enum ModelCatalog {
    public static let rankingModels = ["popularity", "item-knn", "user-knn", "rp3beta", "ease", "als", "bpr"]
    public static let ratingModels = ["baseline", "mf", "knn-baseline"]

    /// Fits the named rating model on `train`, whose values are the ratings.
    public static func fitRating(_ name: String, train: InteractionMatrix, parameters: Parameters) throws(MatchworkError) -> any RatingModel {
        var parameters = parameters
        func readBaseline(_ c: inout BaselineModel.Configuration, prefix: String) throws(MatchworkError) {
            try parameters.int(prefix + "iterations", into: &c.iterations)
            try parameters.float("user_regularization", into: &c.userRegularization)
            try parameters.float("item_regularization", into: &c.itemRegularization)
        }
        switch name {
        case "baseline":
            var c = BaselineModel.Configuration()
            try readBaseline(&c, prefix: "")
            try parameters.checkAllRead(model: name)
            return try BaselineModel(train, configuration: c)
        case "mf":
            let c = try mfConfiguration(&parameters)
            try parameters.checkAllRead(model: name)
            return try BiasedMFModel(train, configuration: c)
        case "knn-baseline":
            var c = KNNBaselineModel.Configuration()
            try parameters.int("k", into: &c.neighbours)
            try parameters.int("min_k", into: &c.minimumNeighbours)
            try parameters.float("shrinkage", into: &c.shrinkage)
            try parameters.choice("based", into: &c.based)
            try readBaseline(&c.baseline, prefix: "baseline_")
            try parameters.checkAllRead(model: name)
            return try KNNBaselineModel(train, configuration: c)
        default:
            throw MatchworkError(.invalidValue, "model '\(name)' does not predict ratings; use one of \(ratingModels.joined(separator: ", ")).", field: "model")
        }
    }

    /// Every model `matchwork evaluate --task ranking` fits: the ranking models and their
    /// ``EnsembleModel``.
    public static let evaluatedRankingModels = rankingModels + ["ensemble"]

    /// Fits ``EnsembleModel`` on `train`: `components=item-knn,als`, `weights=0.3,0.7`, `step`,
    /// `validation_users`, `candidates`, `seed`, and each component's hyper-parameters as
    /// `NAME.KEY=VALUE` (`als.factors=64`). `k` is the list length the weights are chosen for.
    public static func fitEnsemble(train: RatingTable, parameters: Parameters, k: Int, threads: Int) throws(MatchworkError) -> EnsembleModel {
        var parameters = parameters
        var c = EnsembleModel.Configuration()
        c.k = k
        try parameters.names("components", into: &c.components)
        try parameters.numbers("weights", into: &c.weights)
        try parameters.float("step", into: &c.step)
        try parameters.int("validation_users", into: &c.validationUsers)
        try parameters.int("candidates", into: &c.candidates)
        try parameters.seed("seed", into: &c.seed)
        var scoped: [String: Parameters] = [:]
        for name in parameters.unreadScopes.sorted() { scoped[name] = parameters.scoped(name) }
        try parameters.checkAllRead(model: "ensemble")
        return try EnsembleModel(train, configuration: c, parameters: scoped, threads: threads)
    }

    /// Fits the named top-N model on `train`.
    public static func fitRanking(_ name: String, train: InteractionMatrix, parameters: Parameters, threads: Int) throws(MatchworkError) -> any TopNModel {
        var parameters = parameters
        switch name {
        case "popularity":
            try parameters.checkAllRead(model: name)
            return PopularityModel(train)
        case "item-knn", "user-knn":
            let c = try neighbourConfiguration(&parameters, threads: threads)
            try parameters.checkAllRead(model: name)
            return try NeighbourModel(train, basis: name == "item-knn" ? .item : .user, configuration: c)
        case "rp3beta":
            var c = RP3betaModel.Configuration()
            c.threads = threads
            try parameters.float("alpha", into: &c.alpha)
            try parameters.float("beta", into: &c.beta)
            try parameters.int("neighbours", into: &c.neighbours)
            try parameters.flag("normalize", into: &c.normalize)
            try parameters.checkAllRead(model: name)
            return try RP3betaModel(train, configuration: c)
        case "ease":
            var c = EASEModel.Configuration()
            c.threads = threads
            try parameters.float("regularization", into: &c.regularization)
            try parameters.checkAllRead(model: name)
            return try EASEModel(train, configuration: c)
        case "als":
            var c = ALSModel.Configuration()
            c.threads = threads
            try parameters.int("factors", into: &c.factors)
            try parameters.int("iterations", into: &c.iterations)
            try parameters.float("regularization", into: &c.regularization)
            try parameters.float("alpha", into: &c.alpha)
            try parameters.int("cg_steps", into: &c.conjugateGradientSteps)
            try parameters.seed("seed", into: &c.seed)
            try parameters.checkAllRead(model: name)
            return try ALSModel(train, configuration: c)
        case "bpr":
            let c = try bprConfiguration(&parameters, threads: threads)
            try parameters.checkAllRead(model: name)
            return try BPRModel(train, configuration: c)
        default:
            throw MatchworkError(.invalidValue, "model '\(name)' does not rank; use one of \(rankingModels.joined(separator: ", ")).", field: "model")
        }
    }
}

extension ModelCatalog {
    /// BiasedMF's settings: `factors`, `iterations`, `learning_rate`, `regularization`,
    /// `bias_regularization`, `decay`, `init_std`, `seed`.
    public static func mfConfiguration(_ parameters: inout Parameters) throws(MatchworkError) -> BiasedMFModel.Configuration {
        var c = BiasedMFModel.Configuration()
        try parameters.int("factors", into: &c.factors)
        try parameters.int("iterations", into: &c.iterations)
        try parameters.float("learning_rate", into: &c.learningRate)
        try parameters.float("regularization", into: &c.regularization)
        try parameters.float("bias_regularization", into: &c.biasRegularization)
        try parameters.float("decay", into: &c.decay)
        try parameters.float("init_std", into: &c.initialDeviation)
        try parameters.seed("seed", into: &c.seed)
        return c
    }

    /// Neighbour models' settings: `neighbours`, `shrink`.
    public static func neighbourConfiguration(_ parameters: inout Parameters, threads: Int) throws(MatchworkError) -> NeighbourConfiguration {
        var c = NeighbourConfiguration()
        c.threads = threads
        try parameters.int("neighbours", into: &c.neighbours)
        try parameters.float("shrink", into: &c.shrink)
        return c
    }

    /// BPR's settings: `factors`, `iterations`, `learning_rate`, `negatives`, `redraws`,
    /// `regularization`, `seed`.
    public static func bprConfiguration(_ parameters: inout Parameters, threads: Int) throws(MatchworkError) -> BPRModel.Configuration {
        var c = BPRModel.Configuration()
        c.threads = threads
        try parameters.int("factors", into: &c.factors)
        try parameters.int("iterations", into: &c.iterations)
        try parameters.float("learning_rate", into: &c.learningRate)
        try parameters.choice("negatives", into: &c.negatives)
        try parameters.int("redraws", into: &c.redraws)
        try parameters.float("regularization", into: &c.regularization)
        try parameters.seed("seed", into: &c.seed)
        return c
    }
}

/// Items ranked by how many users interacted with them in training (the same for everyone).
public struct PopularityModel: TopNModel {
    let counts: [Float]
    public var itemCount: Int { counts.count }

    public init(_ train: InteractionMatrix) {
        counts = (0..<train.items).map { Float(train.column($0).count) }
    }

    public func scores(user u: Int, into scores: UnsafeMutableBufferPointer<Float>) {
        for i in counts.indices { scores[i] = counts[i] }
    }
}
