import ArgumentParser
import Foundation
import MatchworkCore
import MatchworkStore

struct TrendsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trends",
        abstract: "Demand trends from the store's postings, missions or jobs: monthly series per skill, occupation or facet, forecast with intervals.",
        discussion: """
            Every opportunity that is not a course counts in the month its window starts. A \
            skill's demand adds the level each opportunity asks for it (skills=programming=4.5 \
            adds 4.5); an occupation's or a facet value's counts the opportunities requiring it. \
            Months without any are zeros. Growth is the forecast's mean monthly demand over the \
            horizon against the last 12 months' (docs/trends.md).
            """,
        subcommands: [TrendsForecastCommand.self, TrendsAnalyzeCommand.self, TrendsExportCommand.self])
}

/// The options both trend commands take.
struct TrendOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Months to forecast (1-60).", valueName: "H"))
    var horizon = 12

    @Option(help: ArgumentHelp("Interval levels in percent, comma-separated.", valueName: "LEVELS"))
    var level = "80,95"

    @Option(help: ArgumentHelp("count-trend (the default: a log-linear trend for counts), auto, ets, theta, combination, holt-winters or snaive (forecast --help).", valueName: "METHOD"))
    var method = "count-trend"

    func settings() throws(MatchworkError) -> TrendSettings {
        guard TrendSettings.horizons.contains(horizon) else {
            throw MatchworkError(.invalidValue, "--horizon \(horizon) is out of range; give the months to forecast, 1 to 60.", field: "--horizon")
        }
        return TrendSettings(horizon: horizon, levels: try ForecastCommand.levels(level), method: try ForecastCommand.method(method))
    }
}

/// Reads `--facet NAME=VALUE` and `--by`.
enum TrendArguments {
    static func facet(_ text: String, field: String) throws(MatchworkError) -> (FacetName, String) {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw MatchworkError(.invalidValue, "\(field) '\(text)' is not NAME=VALUE; write for example \(field) service=deep_clean.", field: field)
        }
        return (FacetName(parts[0]), parts[1])
    }

    /// The series `--by` (and `--skills`) name: every skill asked for, every value of a facet,
    /// or the listed skills.
    static func keys(_ book: DemandBook, by: String, skills: String?) throws(MatchworkError) -> [DemandKey] {
        if let skills {
            guard by == "skill" else { throw MatchworkError(.invalidValue, "--skills lists skills, so --by must be skill (it is '\(by)').", field: "--by") }
            let names = skills.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !names.isEmpty else { throw MatchworkError(.invalidValue, "--skills '\(skills)' names no skill; write for example --skills programming,writing.", field: "--skills") }
            return try names.map { (name) throws(MatchworkError) in try book.resolve(.skill(name), field: "--skills").key }
        }
        let keys = by == "skill" ? book.keys(skills: true) : book.keys(skills: false, facet: FacetName(by))
        guard !keys.isEmpty else {
            throw MatchworkError(
                .invalidValue,
                by == "skill"
                    ? "no dated \(book.noun.dropLast()) asks for a skill (\(describe(book))); give them skills, or use --by occupation or another facet."
                    : "--by '\(by)': no dated \(book.noun.dropLast()) requires a value of \(by) (\(describe(book))); use skill, occupation or a facet the \(book.noun) require.",
                field: "--by")
        }
        return keys
    }

    static func describe(_ book: DemandBook) -> String {
        guard let first = book.months.first, let last = book.months.last else { return "no dated \(book.noun)" }
        var text = "\(grouped(book.dated)) \(book.noun) over \(book.monthCount) months (\(first) to \(last))"
        if !book.partial.isEmpty {
            let months = book.partial.map { "\($0.month) (\(grouped($0.opportunities)))" }
            text += "; the partial month\(months.count == 1 ? "" : "s") \(months.joined(separator: " and ")) left out"
        }
        if book.undated > 0 { text += "; \(grouped(book.undated)) without a time window are not counted" }
        return text
    }
}

struct TrendsForecastCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forecast",
        abstract: "Forecast the demand for one skill, occupation or facet value, month by month, with intervals.")

    @OptionGroup var options: StoreOptions
    @OptionGroup var trend: TrendOptions

    @Option(help: ArgumentHelp("A skill (programming).", valueName: "SKILL"))
    var skill: String?

    @Option(help: ArgumentHelp("An occupation code (15-1252.00).", valueName: "CODE"))
    var occupation: String?

    @Option(help: ArgumentHelp("A required facet value (service=deep_clean, specialty=icu).", valueName: "NAME=VALUE"))
    var facet: String?

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        let given = [skill, occupation, facet].compactMap { $0 }.count
        guard given == 1 else { throw ValidationError("Give one of --skill, --occupation or --facet (\(given) given).") }
    }

    func key() throws(MatchworkError) -> (DemandKey, String) {
        if let skill { return (.skill(skill), "--skill") }
        if let occupation { return (.facet(.occupation, occupation), "--occupation") }
        let (name, value) = try TrendArguments.facet(facet ?? "", field: "--facet")
        return (.facet(name, value), "--facet")
    }

    func run() async throws {
        try await reportingErrors {
            let settings = try trend.settings()
            let (key, field) = try key()
            let store = try options.openForReading()
            let book = DemandBook(try await store.opportunities())
            let series = try book.resolve(key, field: field)
            let result = Trends.trend(series, in: book, settings: settings)
            if json {
                print(String(decoding: try CLIJSON.encoder().encode(result), as: UTF8.self))
                return
            }
            print(result.summary)
            let demand = key.isSkill ? "asking for it, a demand of \(ForecastCommand.number(result.baseline)) a month (the levels asked, added)" : "requiring it, \(ForecastCommand.number(result.baseline)) a month"
            print("history: \(TrendArguments.describe(book)); the last \(result.baseMonths) months had \(grouped(result.recentOpportunities)) \(book.noun) \(demand)")
            let levels = settings.levels
            var header = "month    " + "forecast".leftPadded(10)
            for level in levels { header += "  " + "\(ForecastCommand.label(level))% interval".leftPadded(22) }
            print(header)
            for (i, month) in result.months.enumerated() {
                var line = "\(month)  " + ForecastCommand.number(result.forecast.mean[i]).leftPadded(10)
                for level in levels {
                    let interval = result.forecast.interval(at: level)!
                    line += "  " + "\(ForecastCommand.number(interval.lower[i])) to \(ForecastCommand.number(interval.upper[i]))".leftPadded(22)
                }
                print(line)
            }
            var total = "total    " + ForecastCommand.number(result.forecast.total.mean).leftPadded(10)
            for level in levels {
                let interval = result.forecast.total.interval(at: level)!
                total += "  " + "\(ForecastCommand.number(interval.lower)) to \(ForecastCommand.number(interval.upper))".leftPadded(22)
            }
            print(total)
        }
    }
}

struct TrendsAnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "The fastest rising and falling demand: every skill (or occupation, or a facet's values) forecast and ranked by growth.")

    @OptionGroup var options: StoreOptions
    @OptionGroup var trend: TrendOptions

    @Option(help: ArgumentHelp("Only these skills, comma-separated (default: every skill asked for).", valueName: "SKILLS"))
    var skills: String?

    @Option(help: ArgumentHelp("skill (default), occupation, or any facet name (service, specialty).", valueName: "KIND"))
    var by = "skill"

    @Option(help: ArgumentHelp("How many rising and how many falling to list (1-1000).", valueName: "N"))
    var top = 20

    @Option(help: ArgumentHelp("Series forecast in parallel (default: all cores).", valueName: "N"))
    var threads = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() async throws {
        try await reportingErrors {
            let settings = try trend.settings()
            guard (1...1000).contains(top) else {
                throw MatchworkError(.invalidValue, "--top \(top) is out of range; give 1 to 1000.", field: "--top")
            }
            let store = try options.openForReading()
            let book = DemandBook(try await store.opportunities())
            let keys = try TrendArguments.keys(book, by: by, skills: skills)
            let trends = Self.analyze(book, keys: keys, settings: settings, threads: max(1, threads))
            if json {
                struct Answer: Encodable {
                    var horizon: Int
                    var method: String
                    var months: [String]
                    var opportunities: Int
                    var trends: [DemandTrend]
                }
                let answer = Answer(horizon: settings.horizon, method: settings.method.rawValue, months: book.months.map(\.description), opportunities: book.dated, trends: trends)
                print(String(decoding: try CLIJSON.encoder().encode(answer), as: UTF8.self))
                return
            }
            print("\(grouped(trends.count)) \(by == "skill" ? "skills" : "values of \(by)") from \(TrendArguments.describe(book)); horizon \(settings.horizon) months, method \(settings.method.rawValue)")
            if skills != nil || trends.count <= 2 * top {
                for t in trends { print("  " + t.summary) }
                return
            }
            print("Fastest rising:")
            for t in trends.prefix(top) { print("  " + t.summary) }
            print("Lowest growth:")
            for t in trends.filter({ $0.growth != nil }).suffix(top).reversed() { print("  " + t.summary) }
            let flat = trends.count { $0.growth == nil }
            if flat > 0 { print("\(flat) more had no demand in the last 12 months.") }
        }
    }

    /// The trends of `keys`, forecast on `threads` threads, ranked.
    static func analyze(_ book: DemandBook, keys: [DemandKey], settings: TrendSettings, threads: Int) -> [DemandTrend] {
        Trends.rank(parallelMap(keys, threads: threads) { key in book.series(key).map { Trends.trend($0, in: book, settings: settings) } }.compactMap { $0 })
    }
}

struct TrendsExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the store's monthly demand series as a forecast file (series_id,date,value), for matchwork forecast or another tool.")

    @OptionGroup var options: StoreOptions

    @Option(help: ArgumentHelp("skill (default), occupation, or any facet name (service, specialty).", valueName: "KIND"))
    var by = "skill"

    @Option(help: ArgumentHelp("Only these skills, comma-separated (default: every skill asked for).", valueName: "SKILLS"))
    var skills: String?

    @Option(help: ArgumentHelp("The file to write.", valueName: "FILE"))
    var out: String

    func run() async throws {
        try await reportingErrors {
            let store = try options.openForReading()
            let book = DemandBook(try await store.opportunities())
            let keys = try TrendArguments.keys(book, by: by, skills: skills)
            let dates = book.months.map { "\($0)-01" }
            let panel = keys.compactMap { key in
                book.series(key).map { ForecastFile.Series(id: key.description, dates: dates, values: $0.values) }
            }
            try ForecastFile.write(panel, to: out)
            var attribution = ""
            if let text = try await store.metadata("attribution") {
                try Exporter.writeAtomically(Array(text.utf8), to: out + ".ATTRIBUTION.md")
                attribution = "; attribution in \(out).ATTRIBUTION.md"
            }
            if !options.quiet {
                print("\(out): \(panel.count) series of \(TrendArguments.describe(book)) (forecast with --season 12\(attribution))")
            }
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
