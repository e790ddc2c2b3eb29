/// The accuracy measures of ../shared/PROTOCOL.md, "Forecasts".
public enum ForecastAccuracy {
    /// sMAPE = 100/h Σ |y − f| / ((|y| + |f|)/2); a step where both are 0 counts 0.
    public static func smape(actual: [Double], forecast: [Double]) -> Double {
        precondition(actual.count == forecast.count && !actual.isEmpty, "equal, non-empty lengths")
        var sum = 0.0
        for (y, f) in zip(actual, forecast) {
            let denominator = (abs(y) + abs(f)) / 2
            if denominator > 0 { sum += abs(y - f) / denominator }
        }
        return 100 * sum / Double(actual.count)
    }

    /// MASE = mean |y − f| over the horizon / mean_{t>m} |y_t − y_{t−m}| in sample (m falls back
    /// to 1 when the sample is not longer than a season); nil when that scale is 0.
    public static func mase(actual: [Double], forecast: [Double], insample: [Double], period: Int) -> Double? {
        precondition(actual.count == forecast.count && !actual.isEmpty, "equal, non-empty lengths")
        let m = insample.count > period ? period : 1
        guard insample.count > m else { return nil }
        var scale = 0.0
        for t in m..<insample.count { scale += abs(insample[t] - insample[t - m]) }
        scale /= Double(insample.count - m)
        guard scale > 0 else { return nil }
        var error = 0.0
        for (y, f) in zip(actual, forecast) { error += abs(y - f) }
        return error / Double(actual.count) / scale
    }
}
