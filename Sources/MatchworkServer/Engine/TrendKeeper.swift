import Foundation
import Logging
import MatchworkCore
import NIOPosix

/// The demand trends the service answers with, kept with the engine.
///
/// Each engine that starts serving brings its opportunities; their demand book (the monthly
/// series per skill) is compared by fingerprint with the one the trends were fitted on, and
/// only a changed book is refitted: every skill's series with the default settings (12 months,
/// 80% and 95%), on the keeper's own thread, off the request path. Requests read the last
/// fitted book (the one before a change until the refit ends); only the very first waits.
/// Other horizons, levels and kinds of series are fitted when asked and kept for that book.
actor TrendKeeper {
    /// The fitted trends of one demand book.
    final class Book: Sendable {
        let demand: DemandBook
        let fingerprint: UInt64
        /// Every skill's trend with ``TrendKeeper/defaults``.
        let trends: [DemandKey: DemandTrend]
        let fittedAt: Date
        let seconds: Double
        /// The engine build the opportunities came from.
        let generation: Int

        init(demand: DemandBook, fingerprint: UInt64, trends: [DemandKey: DemandTrend], fittedAt: Date, seconds: Double, generation: Int) {
            self.demand = demand
            self.fingerprint = fingerprint
            self.trends = trends
            self.fittedAt = fittedAt
            self.seconds = seconds
            self.generation = generation
        }
    }

    /// What `/models/status` shows of the trends.
    struct Status: Encodable {
        var fittedAt: String?
        var seconds: Double?
        var series: Int
        var opportunities: Int
        var months: [String]
        var engineGeneration: Int?
        var refitting: Bool
        var method: String
        var horizon: Int
    }

    static let defaults = TrendSettings()
    /// Trends kept for settings other than the defaults, per book.
    static let extraCapacity = 2_048

    private let pool: NIOThreadPool
    private let logger: Logger
    private(set) var book: Book?
    private var fitting: Task<Book?, any Error>?
    /// The newest engine build told of.
    private var newest = -1
    private var extra: [ExtraKey: DemandTrend] = [:]

    private struct ExtraKey: Hashable {
        var key: DemandKey
        var settings: TrendSettings
    }

    init(pool: NIOThreadPool, logger: Logger) {
        self.pool = pool
        self.logger = logger
    }

    /// Called for each engine that starts serving.
    nonisolated func engineInstalled(_ state: EngineHost.State) {
        Task { await self.refit(from: state) }
    }

    /// Refits from `state` unless a newer build was told of meanwhile; one fit at a time.
    private func refit(from state: EngineHost.State) async {
        guard state.generation > newest else { return }
        newest = state.generation
        while let running = fitting {
            _ = try? await running.value
            if fitting == running { fitting = nil }
            guard newest == state.generation else { return }
        }
        let previous = book?.fingerprint
        // The task runs on this actor and installs its book itself, before its value is seen:
        // whoever awaits the fit finds the book in place.
        let task = Task<Book?, any Error> { [pool] in
            let started = ContinuousClock.now
            let demand = try await pool.runIfActive { DemandBook(state.engine.snapshot.opportunities) }
            let fingerprint = demand.fingerprint
            guard fingerprint != previous else { return nil }
            let trends = try await pool.runIfActive {
                var out: [DemandKey: DemandTrend] = [:]
                for key in demand.keys(skills: true) {
                    if let series = demand.series(key) { out[key] = Trends.trend(series, in: demand, settings: Self.defaults) }
                }
                return out
            }
            let fitted = Book(
                demand: demand, fingerprint: fingerprint, trends: trends, fittedAt: Date(), seconds: started.duration(to: .now).inSeconds, generation: state.generation)
            self.install(fitted)
            return fitted
        }
        fitting = task
        do {
            _ = try await task.value
        } catch {
            logger.error("Fitting the demand trends failed; the previous trends keep answering", metadata: ["error": "\(error)"])
        }
        if fitting == task { fitting = nil }
    }

    private func install(_ fitted: Book) {
        book = fitted
        extra = [:]
        logger.info(
            "Demand trends fitted",
            metadata: [
                "series": "\(fitted.trends.count)", "opportunities": "\(fitted.demand.dated)", "months": "\(fitted.demand.monthCount)",
                "seconds": "\(String(format: "%.2f", fitted.seconds))", "generation": "\(fitted.generation)",
            ])
    }

    /// The last fitted book; the first request waits for the first fit (from `state`).
    func current(from state: EngineHost.State) async throws -> Book {
        if let book { return book }
        if let fitting { _ = try? await fitting.value }
        if book == nil { await refit(from: state) }
        if let book { return book }
        if let fitting { _ = try? await fitting.value }
        guard let book else {
            throw APIError(.serviceUnavailable, code: "trends_unavailable", "The demand trends could not be fitted (see the service's log); retry later.")
        }
        return book
    }

    /// The trends of `keys` in `book` with `settings`: the book's own for the defaults,
    /// otherwise fitted now on the keeper's thread and kept until the book changes.
    func trends(_ keys: [DemandKey], in book: Book, settings: TrendSettings) async throws -> [DemandTrend] {
        if settings == Self.defaults, keys.allSatisfy({ book.trends[$0] != nil }) { return keys.map { book.trends[$0]! } }
        let missing = keys.filter { (settings == Self.defaults ? book.trends[$0] : nil) == nil && extra[ExtraKey(key: $0, settings: settings)] == nil }
        if !missing.isEmpty {
            let demand = book.demand
            let fitted = try await pool.runIfActive { missing.compactMap { demand.series($0) }.map { Trends.trend($0, in: demand, settings: settings) } }
            // The book may have changed meanwhile; these still answer this request.
            if self.book === book {
                if extra.count + fitted.count > Self.extraCapacity { extra = [:] }
                for trend in fitted { extra[ExtraKey(key: trend.key, settings: settings)] = trend }
            }
            let byKey = Dictionary(uniqueKeysWithValues: fitted.map { ($0.key, $0) })
            return keys.compactMap { key in byKey[key] ?? (settings == Self.defaults ? book.trends[key] : nil) ?? extra[ExtraKey(key: key, settings: settings)] }
        }
        return keys.compactMap { key in (settings == Self.defaults ? book.trends[key] : nil) ?? extra[ExtraKey(key: key, settings: settings)] }
    }

    var status: Status {
        let months = book?.demand.months ?? []
        return Status(
            fittedAt: book.map { ISO8601DateFormatter().string(from: $0.fittedAt) }, seconds: book.map { ($0.seconds * 1000).rounded() / 1000 },
            series: book?.trends.count ?? 0, opportunities: book?.demand.dated ?? 0,
            months: months.isEmpty ? [] : [months.first!.description, months.last!.description], engineGeneration: book?.generation,
            refitting: fitting != nil, method: Self.defaults.method.rawValue, horizon: Self.defaults.horizon)
    }
}
