import ArgumentParser
import Foundation
import MatchworkCore
import MatchworkStore

struct ForecastCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forecast",
        abstract: "Forecast one series or a panel of series, with prediction intervals; --holdout scores the forecasts.",
        discussion: """
            The file is CSV with the header date,value (one series) or series_id,date,value (a \
            panel); dates are ISO 8601 days or integers, every period present (0 where nothing \
            happened). auto (the default) is combination: the mean of auto-ETS and Holt-Winters; \
            ets selects an ETS model by AICc; theta the best of four Theta \
            models; holt-winters and snaive are baselines; count-trend is a log-linear trend for counts (the default of matchwork trends). Short series fall back to naive, \
            intermittent ones (many zeros) to TSB, and the answer names the model and why. \
            With --holdout each series' last H points are held out and scored by sMAPE and MASE \
            (../shared/PROTOCOL.md, "Forecasts"), and the intervals' coverage is reported.
            """)

    @Option(help: ArgumentHelp("The CSV file: date,value or series_id,date,value.", valueName: "FILE"))
    var input: String

    @Option(help: ArgumentHelp("Steps to forecast (H).", valueName: "H"))
    var horizon: Int

    @Option(help: ArgumentHelp("Season length M (12 for monthly data, 1 for none).", valueName: "M"))
    var season: Int

    @Option(help: ArgumentHelp("auto, ets, theta, combination, holt-winters, snaive or count-trend.", valueName: "METHOD"))
    var method = "auto"

    @Option(help: ArgumentHelp("Interval levels in percent, comma-separated.", valueName: "LEVELS"))
    var level = "80,95"

    @Flag(help: "Hold out each series' last H points and score the forecasts of them.")
    var holdout = false

    @Option(help: ArgumentHelp("Series forecast in parallel (default: all cores).", valueName: "N"))
    var threads = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Print one JSON object on stdout.")
    var json = false

    func run() async throws {
        try await reportingErrors {
            let settings = try validatedSettings()
            let panel = try ForecastFile.read(input)
            if holdout {
                for series in panel where series.values.count <= horizon {
                    throw MatchworkError(.invalidValue, "series '\(series.id)' has \(series.values.count) points; --holdout with --horizon \(horizon) needs more than \(horizon) (lower --horizon or drop the series).", field: "--horizon")
                }
            }
            let results = Self.forecast(panel, settings: settings, holdout: holdout, threads: max(1, threads))
            if json { try printJSON(results, settings: settings) } else { printText(results, settings: settings) }
        }
    }

    func validatedSettings() throws(MatchworkError) -> ForecastSettings {
        guard horizon >= 1, horizon <= 10_000 else {
            throw MatchworkError(.invalidValue, "--horizon \(horizon) is out of range; give the number of steps to forecast, 1 to 10000.", field: "--horizon")
        }
        guard season >= 1, season <= 1_000 else {
            throw MatchworkError(.invalidValue, "--season \(season) is out of range; give the season length (12 for monthly data, 1 for none), 1 to 1000.", field: "--season")
        }
        let chosen = try Self.method(method)
        let levels = try Self.levels(level)
        return ForecastSettings(horizon: horizon, period: season, method: chosen, levels: levels)
    }

    /// A `--method` value.
    static func method(_ text: String) throws(MatchworkError) -> ForecastMethod {
        guard let chosen = ForecastMethod(rawValue: text) else {
            throw MatchworkError(.invalidValue, "--method '\(text)' is not a forecasting method; use one of \(ForecastMethod.allCases.map(\.rawValue).joined(separator: ", ")).", field: "--method")
        }
        return chosen
    }

    /// A `--level` value: percentages, comma-separated, each strictly between 0 and 100.
    static func levels(_ text: String) throws(MatchworkError) -> [Double] {
        var levels: [Double] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let text = part.trimmingCharacters(in: .whitespaces)
            guard let value = Double(text), value > 0, value < 100 else {
                throw MatchworkError(.invalidValue, "--level '\(text)' is not a percentage between 0 and 100 (exclusive); write for example --level 80,95.", field: "--level")
            }
            if !levels.contains(value) { levels.append(value) }
        }
        return levels
    }

    struct Result: Sendable {
        var series: ForecastFile.Series
        var forecast: SeriesForecast
        var seconds: Double
        var smape: Double?
        var mase: Double?
        /// Held-out points inside each interval, by level.
        var inside: [Double: Int] = [:]
    }

    /// Fits and forecasts every series (the last H points held out with `holdout`).
    static func forecast(_ panel: [ForecastFile.Series], settings: ForecastSettings, holdout: Bool, threads: Int) -> [Result] {
        parallelMap(panel, threads: threads) { series in
            let fitted = holdout ? Array(series.values.dropLast(settings.horizon)) : series.values
            let clock = ContinuousClock()
            let started = clock.now
            let forecast = Forecaster.forecast(fitted, settings)
            var result = Result(series: series, forecast: forecast, seconds: started.duration(to: clock.now).inSeconds)
            if holdout {
                let actual = Array(series.values.suffix(settings.horizon))
                result.smape = ForecastAccuracy.smape(actual: actual, forecast: forecast.mean)
                result.mase = ForecastAccuracy.mase(actual: actual, forecast: forecast.mean, insample: fitted, period: settings.period)
                for interval in forecast.intervals {
                    result.inside[interval.level] = (0..<actual.count).count { interval.lower[$0] <= actual[$0] && actual[$0] <= interval.upper[$0] }
                }
            }
            return result
        }
    }

    struct Summary {
        var smape: Double
        var mase: Double
        var medianMASE: Double
        var coverage: [Double: Double]
        var unscaled: Int
    }

    func summary(_ results: [Result], _ settings: ForecastSettings) -> Summary {
        let smapes = results.compactMap(\.smape)
        let mases = results.compactMap(\.mase).sorted()
        let median = mases.isEmpty ? .nan : mases.count % 2 == 1 ? mases[mases.count / 2] : (mases[mases.count / 2 - 1] + mases[mases.count / 2]) / 2
        var coverage: [Double: Double] = [:]
        let points = results.count * settings.horizon
        for level in settings.levels { coverage[level] = Double(results.reduce(0) { $0 + ($1.inside[level] ?? 0) }) / Double(max(points, 1)) }
        return Summary(
            smape: smapes.reduce(0, +) / Double(max(smapes.count, 1)), mase: mases.reduce(0, +) / Double(max(mases.count, 1)),
            medianMASE: median, coverage: coverage, unscaled: results.count - mases.count)
    }

    static func label(_ level: Double) -> String { level == level.rounded() ? String(Int(level)) : String(level) }

    func printJSON(_ results: [Result], settings: ForecastSettings) throws {
        var series: [[String: Any]] = []
        for r in results {
            var object: [String: Any] = [
                "series_id": r.series.id, "model": r.forecast.model, "forecast": r.forecast.mean,
                "lower": Dictionary(uniqueKeysWithValues: r.forecast.intervals.map { (Self.label($0.level), $0.lower) }),
                "upper": Dictionary(uniqueKeysWithValues: r.forecast.intervals.map { (Self.label($0.level), $0.upper) }),
                "fit_seconds": r.seconds,
            ]
            if let reason = r.forecast.reason { object["reason"] = reason }
            if holdout {
                object["smape"] = r.smape ?? NSNull()
                object["mase"] = r.mase ?? NSNull()
            }
            series.append(object)
        }
        var object: [String: Any] = ["method": settings.method.rawValue, "horizon": settings.horizon, "season": settings.period, "series": series]
        if holdout {
            let s = summary(results, settings)
            object["metrics"] = [
                "smape": s.smape, "mase": s.mase, "median_mase": s.medianMASE,
                "coverage": Dictionary(uniqueKeysWithValues: s.coverage.map { (Self.label($0.key), $0.value) }),
            ] as [String: Any]
        }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    func printText(_ results: [Result], settings: ForecastSettings) {
        let first = settings.levels.first
        print("\(grouped(results.count)) series, horizon \(settings.horizon), season \(settings.period), method \(settings.method.rawValue)\(holdout ? ", last \(settings.horizon) points held out" : "")")
        let width = min(max(results.map(\.series.id.count).max() ?? 6, 6), 28)
        var header = "series".padding(toLength: width, withPad: " ", startingAt: 0) + "  "
        if holdout { header += "  sMAPE    MASE  " }
        header += "step \(settings.horizon) forecast" + (first.map { " (\(Self.label($0))% interval)" } ?? "") + "  model"
        print(header)
        for r in results {
            var line = String(r.series.id.prefix(width)).padding(toLength: width, withPad: " ", startingAt: 0) + "  "
            if holdout {
                line += String(format: "%7.2f %7.3f  ", r.smape ?? .nan, r.mase ?? .nan)
            }
            let last = settings.horizon - 1
            line += Self.number(r.forecast.mean[last])
            if let level = first, let interval = r.forecast.interval(at: level) {
                line += " (\(Self.number(interval.lower[last])) to \(Self.number(interval.upper[last])))"
            }
            line += "  " + r.forecast.model + (r.forecast.reason.map { " — \($0)" } ?? "")
            print(line)
        }
        if holdout {
            let s = summary(results, settings)
            let coverage = settings.levels.map { "\(Self.label($0))% intervals held \(String(format: "%.1f", 100 * (s.coverage[$0] ?? 0)))%" }.joined(separator: ", ")
            print("mean sMAPE \(String(format: "%.3f", s.smape)), mean MASE \(String(format: "%.3f", s.mase)) (median \(String(format: "%.3f", s.medianMASE))); \(coverage) of the held-out points")
            if s.unscaled > 0 { print("note: \(s.unscaled) series have no MASE (their in-sample seasonal differences are all 0)") }
        }
    }

    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        if abs(value) >= 100 { return grouped(Int(value.rounded())) }
        return String(format: "%.2f", value)
    }
}

/// `transform` of every item on up to `threads` threads (item i on thread i mod threads), in
/// the items' order.
func parallelMap<T: Sendable, R: Sendable>(_ items: [T], threads: Int, _ transform: @Sendable (T) -> R) -> [R] {
    let slots = ParallelSlots<R>(items.count)
    let workers = max(1, min(threads, items.count))
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
        for index in stride(from: worker, to: items.count, by: workers) { slots.items[index] = transform(items[index]) }
    }
    return slots.items.map { $0! }
}

/// The results of ``parallelMap``: each thread writes only its own indices.
private final class ParallelSlots<R>: @unchecked Sendable {
    var items: [R?]
    init(_ n: Int) { items = Array(repeating: nil, count: n) }
}
