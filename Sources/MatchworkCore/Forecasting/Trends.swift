/// Settings of demand trends: the forecasts of a ``DemandBook``'s monthly series.
public struct TrendSettings: Sendable, Hashable {
    /// Months to forecast.
    public var horizon: Int
    /// Interval levels in percent.
    public var levels: [Double]
    /// The count trend by default: on the learning marketplace's held-out year it beat the
    /// combination, ETS and Theta on every figure (docs/trends.md).
    public var method: ForecastMethod

    /// Horizons a caller may ask for (5 years of months).
    public static let horizons = 1...60

    public init(horizon: Int = 12, levels: [Double] = [80, 95], method: ForecastMethod = .countTrend) {
        self.horizon = horizon
        self.levels = levels
        self.method = method
    }

    /// The settings of one forecast of a monthly series (season 12).
    public var forecast: ForecastSettings { ForecastSettings(horizon: horizon, period: 12, method: method, levels: levels) }
}

/// A demand series' forecast, and its growth over the horizon against the last year.
public struct DemandTrend: Sendable {
    /// Growth of the mean monthly demand over the horizon against the last 12 months, as a
    /// fraction (0.14 is 14% up), with intervals.
    public struct Growth: Sendable, Hashable {
        /// A central interval of the growth at `level` percent (the total's shape).
        public typealias Interval = SeriesForecast.Total.Interval

        public var mean: Double
        public var intervals: [Interval]
    }

    public let key: DemandKey
    /// The months forecast, in order.
    public let months: [Month]
    public let forecast: SeriesForecast
    /// The history's last months (up to 12) the growth compares with.
    public let baseMonths: Int
    /// Mean demand per month over those months.
    public let baseline: Double
    /// Opportunities in those months.
    public let recentOpportunities: Int
    /// Nil when there was no demand in the last months (a growth from zero has no size).
    public let growth: Growth?
    public let horizon: Int

    /// "Programming: demand up 14% (80% interval 6% to 22%) over the next 12 months; ETS(A,Ad,A)".
    public var summary: String {
        let span = horizon == 1 ? "next month" : "next \(horizon) months"
        guard let growth else {
            return "\(key.label): no demand in the last \(baseMonths) month\(baseMonths == 1 ? "" : "s"), so no growth to give; \(forecast.model)"
        }
        let percent = Self.percent(growth.mean)
        var text = "\(key.label): demand " + (percent == 0 ? "flat (0%)" : percent > 0 ? "up \(percent)%" : "down \(-percent)%")
        if let interval = growth.intervals.first {
            text += " (\(Self.levelText(interval.level))% interval \(Self.signed(interval.lower)) to \(Self.signed(interval.upper)))"
        }
        text += " over the \(span); \(forecast.model)"
        if let reason = forecast.reason { text += " (\(reason))" }
        return text
    }

    static func percent(_ fraction: Double) -> Int { Int((100 * fraction).rounded()) }
    static func signed(_ fraction: Double) -> String { "\(percent(fraction))%" }
    static func levelText(_ level: Double) -> String { level == level.rounded() ? String(Int(level)) : String(level) }
}

public enum Trends {
    /// Months of history the growth compares with.
    public static let baseMonths = 12

    /// Forecasts one series of `book` and its growth.
    public static func trend(_ series: DemandBook.Series, in book: DemandBook, settings: TrendSettings) -> DemandTrend {
        let values = series.values
        let forecast = Forecaster.forecast(values, settings.forecast)
        let base = min(baseMonths, values.count)
        let baseline = values.suffix(base).reduce(0, +) / Double(base)
        let h = Double(settings.horizon)
        // Growth = (Σ forecast / H) / baseline − 1; its bounds are the total's, scaled alike.
        let growth: DemandTrend.Growth? =
            baseline > 0
            ? DemandTrend.Growth(
                mean: forecast.total.mean / h / baseline - 1,
                intervals: forecast.total.intervals.map {
                    DemandTrend.Growth.Interval(level: $0.level, lower: max($0.lower, 0) / h / baseline - 1, upper: max($0.upper, 0) / h / baseline - 1)
                })
            : nil
        let next = (book.start ?? Month(index: 0)).adding(book.monthCount)
        return DemandTrend(
            key: series.key, months: (0..<settings.horizon).map { next.adding($0) }, forecast: forecast, baseMonths: base, baseline: baseline,
            recentOpportunities: series.counts.suffix(base).reduce(0, +), growth: growth, horizon: settings.horizon)
    }

    /// The trends of `keys` (those `book` has), fastest rising first; series with no recent
    /// demand (no growth) last, by key.
    public static func analyze(_ book: DemandBook, keys: [DemandKey], settings: TrendSettings) -> [DemandTrend] {
        rank(keys.compactMap { book.series($0) }.map { trend($0, in: book, settings: settings) })
    }

    /// Orders trends by growth, highest first, then by key.
    public static func rank(_ trends: [DemandTrend]) -> [DemandTrend] {
        trends.sorted { a, b in
            switch (a.growth?.mean, b.growth?.mean) {
            case (let x?, let y?): x != y ? x > y : a.key < b.key
            case (.some, nil): true
            case (nil, .some): false
            case (nil, nil): a.key < b.key
            }
        }
    }
}

/// The JSON of a trend (the CLI's `--json` and the API): keys in camelCase here, written in
/// snake_case by the callers' encoders; interval bounds by level (`"80"`); a value that is not
/// finite is null.
extension DemandTrend: Encodable {
    private enum CodingKeys: String, CodingKey {
        case key, kind, facet, label, model, reason, summary, growth, baseline, baseMonths, recentOpportunities, total, forecast
    }

    private struct Bounds: Encodable {
        var mean: Double?
        var lower: [String: Double?]
        var upper: [String: Double?]
    }

    private struct Step: Encodable {
        var month: String
        var mean: Double?
        var lower: [String: Double?]
        var upper: [String: Double?]
    }

    private static func finite(_ x: Double) -> Double? { x.isFinite ? x : nil }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch key {
        case .skill(let name):
            try c.encode(name, forKey: .key)
            try c.encode("skill", forKey: .kind)
        case .facet(let facet, let value):
            try c.encode(value, forKey: .key)
            try c.encode("facet", forKey: .kind)
            try c.encode(facet.rawValue, forKey: .facet)
        }
        try c.encode(key.label, forKey: .label)
        try c.encode(forecast.model, forKey: .model)
        try c.encodeIfPresent(forecast.reason, forKey: .reason)
        try c.encode(summary, forKey: .summary)
        let label = DemandTrend.levelText
        if let growth {
            try c.encode(
                Bounds(
                    mean: Self.finite(growth.mean),
                    lower: Dictionary(uniqueKeysWithValues: growth.intervals.map { (label($0.level), Self.finite($0.lower)) }),
                    upper: Dictionary(uniqueKeysWithValues: growth.intervals.map { (label($0.level), Self.finite($0.upper)) })),
                forKey: .growth)
        } else {
            try c.encodeNil(forKey: .growth)
        }
        try c.encode(Self.finite(baseline), forKey: .baseline)
        try c.encode(baseMonths, forKey: .baseMonths)
        try c.encode(recentOpportunities, forKey: .recentOpportunities)
        try c.encode(
            Bounds(
                mean: Self.finite(forecast.total.mean),
                lower: Dictionary(uniqueKeysWithValues: forecast.total.intervals.map { (label($0.level), Self.finite($0.lower)) }),
                upper: Dictionary(uniqueKeysWithValues: forecast.total.intervals.map { (label($0.level), Self.finite($0.upper)) })),
            forKey: .total)
        let steps = months.indices.map { i in
            Step(
                month: months[i].description, mean: Self.finite(forecast.mean[i]),
                lower: Dictionary(uniqueKeysWithValues: forecast.intervals.map { (label($0.level), Self.finite($0.lower[i])) }),
                upper: Dictionary(uniqueKeysWithValues: forecast.intervals.map { (label($0.level), Self.finite($0.upper[i])) }))
        }
        try c.encode(steps, forKey: .forecast)
    }
}
