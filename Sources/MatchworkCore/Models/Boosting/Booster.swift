import CXGBoost
import Synchronization

/// Rows for gradient-boosted trees: a dense row-major `Float` matrix (`NaN` is a missing
/// value), one label per row, and for ranking the sizes of consecutive query groups.
public struct BoostingData: Sendable, Hashable {
    public var rows: Int
    public var columns: Int
    public var values: [Float]
    public var labels: [Float]
    /// Consecutive rows per query (ranking objectives); they sum to `rows`.
    public var groups: [Int]?

    /// - Throws: when the shapes disagree, a label is not finite, or the groups do not cover
    ///   the rows exactly.
    public init(rows: Int, columns: Int, values: [Float], labels: [Float], groups: [Int]? = nil) throws(MatchworkError) {
        guard rows >= 1, columns >= 1 else {
            throw MatchworkError(.invalidValue, "boosting data of \(rows) rows and \(columns) columns is empty; give at least one row and one column.", field: "rows")
        }
        guard values.count == rows * columns else {
            throw MatchworkError(.invalidValue, "boosting data holds \(values.count) values for \(rows) rows × \(columns) columns; give \(rows * columns), row by row.", field: "values")
        }
        guard labels.count == rows else {
            throw MatchworkError(.invalidValue, "boosting data has \(labels.count) labels for \(rows) rows; give one label per row.", field: "labels")
        }
        if let bad = labels.firstIndex(where: { !$0.isFinite }) {
            throw MatchworkError(.invalidValue, "label \(labels[bad]) of row \(bad) is not a finite number; labels are relevance grades, 0/1 outcomes or targets.", field: "labels[\(bad)]")
        }
        if let bad = values.firstIndex(where: { $0.isInfinite }) {
            throw MatchworkError(.invalidValue, "value \(values[bad]) at row \(bad / columns), column \(bad % columns) is infinite; use NaN for a missing value.", field: "values")
        }
        if let groups {
            if let bad = groups.firstIndex(where: { $0 < 1 }) {
                throw MatchworkError(.invalidValue, "query group \(bad) has \(groups[bad]) rows; every group needs at least one.", field: "groups[\(bad)]")
            }
            let total = groups.reduce(0, +)
            guard total == rows else {
                throw MatchworkError(.invalidValue, "the query groups cover \(total) rows of \(rows); their sizes must add up to the rows, in row order.", field: "groups")
            }
        }
        self.rows = rows
        self.columns = columns
        self.values = values
        self.labels = labels
        self.groups = groups
    }
}

/// How a booster is trained (XGBoost's parameters, with its defaults where ours are not stated).
public struct BoostingParameters: Sendable, Hashable, Codable {
    public enum Objective: String, Sendable, Hashable, Codable, CaseIterable {
        /// LambdaMART optimising NDCG.
        case rankNDCG = "rank:ndcg"
        /// LambdaMART on pairwise swaps.
        case rankPairwise = "rank:pairwise"
        case binaryLogistic = "binary:logistic"
        case squaredError = "reg:squarederror"

        public var isRanking: Bool { self == .rankNDCG || self == .rankPairwise }

        /// The metric early stopping watches: NDCG@10, log loss, RMSE.
        public var defaultMetric: String {
            switch self {
            case .rankNDCG, .rankPairwise: "ndcg@10"
            case .binaryLogistic: "logloss"
            case .squaredError: "rmse"
            }
        }
    }

    public var objective: Objective
    public var rounds = 100
    public var maxDepth = 6
    public var learningRate = 0.1
    public var minChildWeight = 1.0
    /// Share of rows sampled per tree.
    public var subsample = 1.0
    /// Share of columns sampled per tree.
    public var columnSample = 1.0
    /// L2 penalty on leaf weights.
    public var lambda = 1.0
    public var seed = 42
    /// Training threads; the service keeps one.
    public var threads = 1
    /// Stop when the validation metric has not improved for this many rounds (needs
    /// validation rows); the model keeps the best round.
    public var earlyStoppingRounds: Int?
    /// The validation metric (default ``Objective/defaultMetric``).
    public var metric: String?

    public init(objective: Objective) { self.objective = objective }

    public func validate() throws(MatchworkError) {
        func check(_ ok: Bool, _ field: String, _ message: String) throws(MatchworkError) {
            guard ok else { throw MatchworkError(.invalidConfiguration, message, field: field) }
        }
        try check((1...10_000).contains(rounds), "rounds", "rounds \(rounds) must be between 1 and 10000.")
        try check((1...20).contains(maxDepth), "max_depth", "max depth \(maxDepth) must be between 1 and 20.")
        try check(learningRate.isFinite && learningRate > 0 && learningRate <= 1, "learning_rate", "learning rate \(learningRate) must be in (0, 1].")
        try check(minChildWeight.isFinite && minChildWeight >= 0, "min_child_weight", "minimum child weight \(minChildWeight) must be 0 or more.")
        try check(subsample.isFinite && subsample > 0 && subsample <= 1, "subsample", "subsample \(subsample) must be in (0, 1].")
        try check(columnSample.isFinite && columnSample > 0 && columnSample <= 1, "colsample_bytree", "column sample \(columnSample) must be in (0, 1].")
        try check(lambda.isFinite && lambda >= 0, "lambda", "lambda \(lambda) must be 0 or more.")
        try check((1...256).contains(threads), "threads", "threads \(threads) must be between 1 and 256.")
        try check(seed >= 0, "seed", "seed \(seed) must be 0 or more.")
        if let e = earlyStoppingRounds { try check((1...10_000).contains(e), "early_stopping_rounds", "early stopping rounds \(e) must be between 1 and 10000.") }
    }

    /// XGBoost's names and values, in a fixed order.
    var settings: [(String, String)] {
        let out: [(String, String)] = [
            ("objective", objective.rawValue), ("max_depth", "\(maxDepth)"), ("eta", "\(learningRate)"), ("min_child_weight", "\(minChildWeight)"),
            ("subsample", "\(subsample)"), ("colsample_bytree", "\(columnSample)"), ("lambda", "\(lambda)"), ("seed", "\(seed)"),
            ("nthread", "\(threads)"), ("tree_method", "hist"), ("verbosity", "0"), ("eval_metric", metric ?? objective.defaultMetric),
        ]
        return out
    }
}

/// Gradient-boosted trees through XGBoost's C API: train from ``BoostingData`` (with query
/// groups for ranking), predict, SHAP contributions, and the model as bytes.
///
/// The handle is used under a lock, so one booster serves concurrent callers one call at a
/// time; the service gives each booster one thread (``BoostingParameters/threads``).
///
/// ```swift
/// let booster = try Booster.train(train, validation: valid, parameters: parameters)
/// let scores = try booster.predict(rows)
/// ```
public final class Booster: Sendable {
    /// XGBoost's booster, used only under `lock`.
    nonisolated(unsafe) private let handle: BoosterHandle
    private let lock = Mutex<Void>(())
    /// The rounds kept (the best round's, with early stopping) and the validation metric per
    /// round trained.
    public let rounds: Int
    public let validationHistory: [Double]
    public let columns: Int
    /// The same trees read in Swift (``TreeEnsemble``), which the request path scores and
    /// explains with; `nil` if the saved model could not be read, and the C calls serve.
    public let trees: TreeEnsemble?

    private init(handle: BoosterHandle, rounds: Int, history: [Double], columns: Int) {
        self.handle = handle
        self.rounds = rounds
        self.validationHistory = history
        self.columns = columns
        self.trees = (try? Self.json(handle)).flatMap { try? TreeEnsemble(xgboostJSON: $0, columns: columns) }
    }

    deinit { XGBoosterFree(handle) }

    /// Trains `parameters.rounds` rounds on `train`, watching `validation` (needed for early
    /// stopping, which then keeps the best round).
    ///
    /// With `score`, each round's validation figure is `score` of the validation rows' margins
    /// (higher is better) instead of the library's metric: early stopping then follows a figure
    /// the caller defines, such as an NDCG that counts ties against the relevant rows.
    public static func train(
        _ train: BoostingData, validation: BoostingData? = nil, parameters: BoostingParameters, score: (([Float]) -> Double)? = nil
    ) throws(MatchworkError) -> Booster {
        try parameters.validate()
        if parameters.objective.isRanking, train.groups == nil {
            throw MatchworkError(.invalidValue, "objective \(parameters.objective.rawValue) ranks within query groups; give the rows' groups.", field: "groups")
        }
        if let validation {
            guard validation.columns == train.columns else {
                throw MatchworkError(.invalidValue, "validation rows have \(validation.columns) columns, training rows \(train.columns); give both the same features.", field: "validation")
            }
            if parameters.objective.isRanking, validation.groups == nil {
                throw MatchworkError(.invalidValue, "validation rows for \(parameters.objective.rawValue) need their query groups.", field: "validation.groups")
            }
        } else if parameters.earlyStoppingRounds != nil {
            throw MatchworkError(.invalidConfiguration, "early stopping watches validation rows; give them or leave early stopping out.", field: "early_stopping_rounds")
        }
        let dtrain = try Matrix(train)
        let dvalid = try validation.map { (v) throws(MatchworkError) in try Matrix(v) }
        var booster: BoosterHandle?
        var matrices: [DMatrixHandle?] = [dtrain.handle] + (dvalid.map { [$0.handle] } ?? [])
        try check(matrices.withUnsafeMutableBufferPointer { XGBoosterCreate($0.baseAddress, bst_ulong($0.count), &booster) }, "create a booster")
        guard let booster else { throw MatchworkError(.invalidConfiguration, "XGBoost returned no booster.", field: "booster") }
        var ok = false
        defer { if !ok { XGBoosterFree(booster) } }
        for (name, value) in parameters.settings {
            try check(XGBoosterSetParam(booster, name, value), "set \(name)=\(value)")
        }
        var history: [Double] = []
        var best = (round: 0, value: Double.nan)
        let higherIsBetter = (parameters.metric ?? parameters.objective.defaultMetric).hasPrefix("ndcg") || (parameters.metric ?? "").hasPrefix("auc") || (parameters.metric ?? "").hasPrefix("map")
        for round in 0..<parameters.rounds {
            try check(XGBoosterUpdateOneIter(booster, Int32(round), dtrain.handle), "train round \(round + 1)")
            guard let dvalid else { continue }
            var valid: [DMatrixHandle?] = [dvalid.handle]
            var names: [UnsafePointer<CChar>?] = []
            var text: UnsafePointer<CChar>?
            let status = "valid".withCString { name in
                names = [name]
                return valid.withUnsafeMutableBufferPointer { v in names.withUnsafeMutableBufferPointer { n in XGBoosterEvalOneIter(booster, Int32(round), v.baseAddress, n.baseAddress, 1, &text) } }
            }
            try check(status, "evaluate round \(round + 1)")
            let value: Double
            if let score, let validation {
                var shape: UnsafePointer<bst_ulong>?
                var dimension: bst_ulong = 0
                var result: UnsafePointer<Float>?
                let config = #"{"type": 1, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false}"#
                try check(XGBoosterPredictFromDMatrix(booster, dvalid.handle, config, &shape, &dimension, &result), "predict the validation rows in round \(round + 1)")
                value = result.map { score(Array(UnsafeBufferPointer(start: $0, count: validation.rows))) } ?? .nan
            } else {
                // "[3]\tvalid-ndcg@10:0.712"
                let line = text.map { String(cString: $0) } ?? ""
                value = line.split(separator: ":").last.flatMap { Double(String($0.filter { !$0.isWhitespace })) } ?? .nan
            }
            history.append(value)
            let better = score != nil || higherIsBetter
            if best.value.isNaN || (better ? value > best.value : value < best.value) { best = (round, value) }
            if let patience = parameters.earlyStoppingRounds, round - best.round >= patience { break }
        }
        var kept = parameters.rounds
        var handle = booster
        if let _ = parameters.earlyStoppingRounds, !history.isEmpty {
            kept = best.round + 1
            if kept < history.count {
                var sliced: BoosterHandle?
                try check(XGBoosterSlice(booster, 0, Int32(kept), 1, &sliced), "keep the best \(kept) rounds")
                guard let sliced else { throw MatchworkError(.invalidConfiguration, "XGBoost returned no sliced booster.", field: "booster") }
                XGBoosterFree(booster)
                handle = sliced
            }
        } else if !history.isEmpty {
            kept = history.count
        }
        ok = true
        return Booster(handle: handle, rounds: kept, history: history, columns: train.columns)
    }

    /// A booster from bytes ``serialized()`` wrote, predicting on `threads` threads (one inside
    /// the service, whose requests already run in parallel).
    /// - Throws: when the bytes are not an XGBoost model.
    public init(serialized bytes: [UInt8], columns: Int, threads: Int = 1) throws(MatchworkError) {
        var booster: BoosterHandle?
        try Booster.check(XGBoosterCreate(nil, 0, &booster), "create a booster")
        guard let booster else { throw MatchworkError(.invalidConfiguration, "XGBoost returned no booster.", field: "booster") }
        let status = bytes.withUnsafeBytes { XGBoosterLoadModelFromBuffer(booster, $0.baseAddress, bst_ulong($0.count)) }
        guard status == 0 else {
            let reason = Booster.lastError()
            XGBoosterFree(booster)
            throw MatchworkError(.invalidValue, "the model bytes are not an XGBoost model (\(reason)); train the ranker again.", field: "model")
        }
        var rounds: Int32 = 0
        _ = XGBoosterBoostedRounds(booster, &rounds)
        var features: bst_ulong = 0
        _ = XGBoosterGetNumFeature(booster, &features)
        guard Int(features) == columns else {
            XGBoosterFree(booster)
            throw MatchworkError(.invalidValue, "the model scores \(features) features, not the \(columns) expected; train the ranker again for these features.", field: "model")
        }
        guard XGBoosterSetParam(booster, "nthread", "\(max(1, threads))") == 0 else {
            let reason = Booster.lastError()
            XGBoosterFree(booster)
            throw MatchworkError(.invalidValue, "XGBoost refused nthread=\(threads) (\(reason)).", field: "threads")
        }
        self.handle = booster
        self.rounds = Int(rounds)
        self.validationHistory = []
        self.columns = columns
        self.trees = try? TreeEnsemble(xgboostJSON: bytes, columns: columns)
    }

    /// The model in XGBoost's JSON format (portable across its versions).
    public func serialized() throws(MatchworkError) -> [UInt8] {
        try withHandle { (h) throws(MatchworkError) -> [UInt8] in try Self.json(h) }
    }

    private static func json(_ h: BoosterHandle) throws(MatchworkError) -> [UInt8] {
        var length: bst_ulong = 0
        var data: UnsafePointer<CChar>?
        try check(XGBoosterSaveModelToBuffer(h, #"{"format": "json"}"#, &length, &data), "save the model")
        guard let data else { return [] }
        return data.withMemoryRebound(to: UInt8.self, capacity: Int(length)) { Array(UnsafeBufferPointer(start: $0, count: Int(length))) }
    }

    /// The margin of each row of `values` (row-major, ``columns`` per row): walked in Swift
    /// when ``trees`` was read, else through the library.
    public func margins(_ values: [Float]) throws(MatchworkError) -> [Float] {
        if let trees { return trees.margins(values) }
        let rows = values.count / max(1, columns)
        return try predict(BoostingData(rows: rows, columns: columns, values: values, labels: [Float](repeating: 0, count: rows)), margin: true)
    }

    /// Each row's SHAP contributions and bias (``contributions(_:)``), in Swift when ``trees``
    /// was read, else through the library.
    public func shap(_ values: [Float]) throws(MatchworkError) -> [Float] {
        if let trees { return trees.contributions(values) }
        let rows = values.count / max(1, columns)
        return try contributions(BoostingData(rows: rows, columns: columns, values: values, labels: [Float](repeating: 0, count: rows)))
    }

    /// One score per row: a probability for `binary:logistic`, the ranking score or the
    /// regression value otherwise (`margin`: before the objective's link).
    public func predict(_ data: BoostingData, margin: Bool = false) throws(MatchworkError) -> [Float] {
        try predict(data, type: margin ? 1 : 0, width: 1)
    }

    /// Per row, each feature's SHAP contribution to the margin, then the bias: `columns + 1`
    /// values per row, summing to ``predict(_:margin:)`` with `margin: true`.
    public func contributions(_ data: BoostingData) throws(MatchworkError) -> [Float] {
        try predict(data, type: 2, width: data.columns + 1)
    }

    /// Each feature's total gain over the trees (features never split on are absent).
    public func featureGain() throws(MatchworkError) -> [Int: Double] {
        try withHandle { (h) throws(MatchworkError) -> [Int: Double] in
            var featureCount: bst_ulong = 0, dim: bst_ulong = 0
            var names: UnsafeMutablePointer<UnsafePointer<CChar>?>?
            var shape: UnsafePointer<bst_ulong>?
            var scores: UnsafePointer<Float>?
            try Self.check(XGBoosterFeatureScore(h, #"{"importance_type": "total_gain"}"#, &featureCount, &names, &dim, &shape, &scores), "read feature importance")
            var out: [Int: Double] = [:]
            for i in 0..<Int(featureCount) {
                guard let name = names?[i].map({ String(cString: $0) }), let column = Int(name.dropFirst()), let scores else { continue }
                out[column] = Double(scores[i])
            }
            return out
        }
    }

    private func predict(_ data: BoostingData, type: Int, width: Int) throws(MatchworkError) -> [Float] {
        guard data.columns == columns else {
            throw MatchworkError(.invalidValue, "rows have \(data.columns) features; the model scores \(columns).", field: "columns")
        }
        let matrix = try Matrix(data)
        return try withHandle { (h) throws(MatchworkError) -> [Float] in
            var shape: UnsafePointer<bst_ulong>?
            var dimension: bst_ulong = 0
            var result: UnsafePointer<Float>?
            let config = #"{"type": \#(type), "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false}"#
            try Self.check(XGBoosterPredictFromDMatrix(h, matrix.handle, config, &shape, &dimension, &result), "predict")
            let count = data.rows * width
            guard let result else { return [] }
            return Array(UnsafeBufferPointer(start: result, count: count))
        }
    }

    /// Runs `body` with the booster, one caller at a time.
    private func withHandle<T>(_ body: (BoosterHandle) throws(MatchworkError) -> T) throws(MatchworkError) -> T {
        try lock.withLock { (_) throws(MatchworkError) -> T in try body(handle) }
    }

    static func lastError() -> String { XGBGetLastError().map { String(cString: $0) } ?? "no message" }

    static func check(_ status: Int32, _ what: String) throws(MatchworkError) {
        guard status == 0 else {
            throw MatchworkError(.invalidConfiguration, "XGBoost could not \(what): \(lastError())", field: "booster")
        }
    }

    /// A DMatrix over a copy of the rows, freed with the value.
    final class Matrix {
        let handle: DMatrixHandle

        init(_ data: BoostingData) throws(MatchworkError) {
            var out: DMatrixHandle?
            try Booster.check(data.values.withUnsafeBufferPointer { XGDMatrixCreateFromMat($0.baseAddress, bst_ulong(data.rows), bst_ulong(data.columns), Float.nan, &out) }, "read the rows")
            guard let out else { throw MatchworkError(.invalidConfiguration, "XGBoost returned no matrix.", field: "rows") }
            handle = out
            try Booster.check(data.labels.withUnsafeBufferPointer { XGDMatrixSetFloatInfo(out, "label", $0.baseAddress, bst_ulong(data.rows)) }, "set the labels")
            if let groups = data.groups {
                let sizes = groups.map { UInt32($0) }
                try Booster.check(sizes.withUnsafeBufferPointer { XGDMatrixSetUIntInfo(out, "group", $0.baseAddress, bst_ulong(sizes.count)) }, "set the query groups")
            }
        }

        deinit { XGDMatrixFree(handle) }
    }
}
