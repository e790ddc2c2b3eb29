import RealModule

/// The hyper-parameters of a model that a search may set, each over a range or a set of
/// choices. A point of the unit cube (one coordinate in [0, 1) per dimension) maps to one
/// setting; ranges marked `log` are searched on a log scale.
///
/// ```swift
/// let space = try SearchSpace.ranking("als")!.narrowed(["factors": "32..128"])
/// space.space.setting(at: [0.5, 0.5, 0.5, 0.5])   // ["factors": "64", "iterations": ...]
/// ```
public struct SearchSpace: Sendable, Hashable {
    public enum Range: Sendable, Hashable {
        case real(Double, Double, log: Bool)
        case integer(Int, Int, log: Bool)
        case choice([String])
    }

    public struct Dimension: Sendable, Hashable {
        public var name: String
        public var range: Range

        public init(_ name: String, _ range: Range) {
            self.name = name
            self.range = range
        }

        /// The value at `u` in [0, 1), as `--param` text.
        public func value(at u: Double) -> String {
            let u = min(max(u, 0), 0.999_999_999)
            switch range {
            case .real(let low, let high, let log):
                let x = log ? low * Double.pow(high / low, u) : low + (high - low) * u
                return SearchSpace.format(x)
            case .integer(let low, let high, let log):
                let x = log ? Double(low) * Double.pow(Double(high + 1) / Double(low), u) : Double(low) + Double(high - low + 1) * u
                return "\(min(high, max(low, Int(x.rounded(.down)))))"
            case .choice(let values):
                return values[min(values.count - 1, Int(u * Double(values.count)))]
            }
        }

        /// The range in words: `factors 8..256 (log)`, `negatives popularity|uniform`.
        public var description: String {
            switch range {
            case .real(let low, let high, let log): "\(name) \(SearchSpace.format(low))..\(SearchSpace.format(high))\(log ? " (log)" : "")"
            case .integer(let low, let high, let log): "\(name) \(low)..\(high)\(log ? " (log)" : "")"
            case .choice(let values): "\(name) \(values.joined(separator: "|"))"
            }
        }
    }

    public var dimensions: [Dimension]

    public init(_ dimensions: [Dimension]) { self.dimensions = dimensions }

    /// The setting at a point of the unit cube.
    public func setting(at point: [Double]) -> [String: String] {
        var setting: [String: String] = [:]
        for (d, dimension) in dimensions.enumerated() { setting[dimension.name] = dimension.value(at: point[d]) }
        return setting
    }

    public var description: String { dimensions.isEmpty ? "none" : dimensions.map(\.description).joined(separator: ", ") }

    /// The space with the user's `--param` settings applied: `NAME=a..b` narrows a range to
    /// `[a, b]` (kept on its scale), `NAME=a|b` narrows a choice, and `NAME=value` fixes the
    /// parameter at `value` (returned in `fixed`, searched no more). Parameters the space does not
    /// search are fixed as given; the model refuses the ones it does not have. `narrowed` says
    /// whether a range or a choice was narrowed (the defaults may then lie outside the space).
    /// - Throws: a range that is not two numbers in order, or outside the parameter's kind.
    public func narrowed(_ given: [String: String]) throws(MatchworkError) -> (space: SearchSpace, fixed: [String: String], narrowed: Bool) {
        var kept: [Dimension] = [], fixed: [String: String] = [:], narrowed = false
        let searched = Set(dimensions.map(\.name))
        for (name, value) in given where !searched.contains(name) { fixed[name] = value }
        for var dimension in dimensions {
            guard let text = given[dimension.name] else {
                kept.append(dimension)
                continue
            }
            let name = dimension.name
            switch dimension.range {
            case .real(_, _, let log):
                guard let bounds = Self.bounds(text) else { fixed[name] = text; continue }
                guard let low = Double(bounds.0), let high = Double(bounds.1), low.isFinite, high.isFinite, low < high, !log || low > 0 else {
                    throw MatchworkError(.invalidConfiguration, "--param \(name)=\(text) is not a range of two numbers, low..high\(log ? ", both above 0" : "").", field: name)
                }
                dimension.range = .real(low, high, log: log)
                narrowed = true
            case .integer(_, _, let log):
                guard let bounds = Self.bounds(text) else { fixed[name] = text; continue }
                guard let low = Int(bounds.0), let high = Int(bounds.1), low < high, !log || low > 0 else {
                    throw MatchworkError(.invalidConfiguration, "--param \(name)=\(text) is not a range of two integers, low..high\(log ? ", both above 0" : "").", field: name)
                }
                dimension.range = .integer(low, high, log: log)
                narrowed = true
            case .choice:
                let values = text.split(separator: "|").map(String.init)
                guard values.count > 1 else { fixed[name] = text; continue }
                dimension.range = .choice(values)
                narrowed = true
            }
            kept.append(dimension)
        }
        return (SearchSpace(kept), fixed, narrowed)
    }

    static func bounds(_ text: String) -> (Substring, Substring)? {
        let characters = Array(text)
        guard let at = characters.indices.dropLast().first(where: { characters[$0] == "." && characters[$0 + 1] == "." }) else { return nil }
        let split = text.index(text.startIndex, offsetBy: at)
        return (text[..<split], text[text.index(split, offsetBy: 2)...])
    }

    /// A number as `--param` text: four significant digits, no exponent for everyday sizes.
    static func format(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e9 { return "\(Int(x))" }
        let magnitude = Int(Double.log10(abs(x)).rounded(.down))
        let decimals = max(0, 3 - magnitude)
        var text = String(Int((x * Double.pow(10, Double(decimals))).rounded()))
        if decimals > 0 {
            let negative = text.hasPrefix("-")
            if negative { text.removeFirst() }
            while text.count <= decimals { text = "0" + text }
            text.insert(".", at: text.index(text.endIndex, offsetBy: -decimals))
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
            if negative { text = "-" + text }
        }
        return text
    }

    /// What `--tune` searches for each top-N model of ``ModelCatalog/rankingModels``.
    public static func ranking(_ model: String) -> SearchSpace? {
        switch model {
        case "popularity": SearchSpace([])
        case "item-knn", "user-knn": SearchSpace([.init("neighbours", .integer(5, 1000, log: true)), .init("shrink", .real(0, 200, log: false))])
        case "rp3beta":
            SearchSpace([
                .init("alpha", .real(0.1, 2, log: false)), .init("beta", .real(0, 1, log: false)), .init("neighbours", .integer(5, 1000, log: true)),
                .init("normalize", .choice(["0", "1"])),
            ])
        case "ease": SearchSpace([.init("regularization", .real(1, 10_000, log: true))])
        case "als":
            SearchSpace([
                .init("factors", .integer(8, 256, log: true)), .init("iterations", .integer(5, 30, log: false)),
                .init("regularization", .real(0.001, 10, log: true)), .init("alpha", .real(0.5, 100, log: true)),
            ])
        case "bpr":
            SearchSpace([
                .init("factors", .integer(8, 128, log: true)), .init("iterations", .integer(20, 300, log: true)),
                .init("learning_rate", .real(0.005, 0.2, log: true)), .init("regularization", .real(0.0001, 0.1, log: true)),
                .init("negatives", .choice(["popularity", "uniform"])),
            ])
        default: nil
        }
    }

    /// What `--tune` searches for each rating model of ``ModelCatalog/ratingModels``.
    public static func rating(_ model: String) -> SearchSpace? {
        switch model {
        case "baseline":
            SearchSpace([
                .init("user_regularization", .real(0.1, 100, log: true)), .init("item_regularization", .real(0.1, 100, log: true)),
                .init("iterations", .integer(3, 30, log: false)),
            ])
        case "mf":
            SearchSpace([
                .init("factors", .integer(2, 200, log: true)), .init("iterations", .integer(10, 60, log: false)),
                .init("learning_rate", .real(0.001, 0.05, log: true)), .init("regularization", .real(0.001, 0.3, log: true)),
            ])
        case "knn-baseline":
            SearchSpace([
                .init("k", .integer(5, 200, log: true)), .init("min_k", .integer(1, 10, log: false)), .init("shrinkage", .real(1, 1000, log: true)),
                .init("based", .choice(["item", "user"])),
            ])
        default: nil
        }
    }
}
