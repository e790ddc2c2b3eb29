import Foundation
import Hummingbird
import MatchworkCore
import MatchworkStore

/// `/trends/forecast/{skill_id}` and `/trends/analyze`: demand trends per skill (or occupation,
/// or facet value) from the marketplace's dated opportunities, kept by ``TrendKeeper``.
struct TrendsController: Sendable {
    let host: EngineHost
    let keeper: TrendKeeper
    let maxBodyBytes: Int

    /// Per page of `/trends/analyze`, at most and by default.
    static let maximumLimit = 1000
    static let defaultLimit = 20

    struct History: Encodable {
        var months: [String]
        var values: [Double]
        var counts: [Int]
    }

    struct ForecastResponse: Encodable {
        var trend: DemandTrend
        var history: History
        var fittedAt: String
    }

    struct AnalyzeResponse: Encodable {
        var items: [DemandTrend]
        var nextCursor: String?
        var total: Int
        var by: String
        var order: String
        var horizon: Int
        var months: [String]
        var opportunities: Int
        var fittedAt: String

        private enum CodingKeys: String, CodingKey { case items, nextCursor, total, by, order, horizon, months, opportunities, fittedAt }

        /// `next_cursor` is always there: null on the last page.
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(items, forKey: .items)
            if let nextCursor { try c.encode(nextCursor, forKey: .nextCursor) } else { try c.encodeNil(forKey: .nextCursor) }
            try c.encode(total, forKey: .total)
            try c.encode(by, forKey: .by)
            try c.encode(order, forKey: .order)
            try c.encode(horizon, forKey: .horizon)
            try c.encode(months, forKey: .months)
            try c.encode(opportunities, forKey: .opportunities)
            try c.encode(fittedAt, forKey: .fittedAt)
        }
    }

    func addRoutes(to api: RouterGroup<MatchworkRequestContext>) {
        let reads = api.group().add(middleware: RequireRole(role: .read))
        reads.get("trends/forecast/:skill_id") { request, context in
            var query = try QueryFields(request)
            let horizon = try query.integer("horizon", in: TrendSettings.horizons) ?? TrendKeeper.defaults.horizon
            let levels = try query.string("level").map { text throws(APIError) in try Self.levels(text, field: "level") } ?? TrendKeeper.defaults.levels
            try query.finish()
            let skill = try context.pathParameter("skill_id")
            let book = try await book()
            let series = try book.demand.resolve(.skill(skill), field: "skill_id")
            let settings = TrendSettings(horizon: horizon, levels: levels)
            guard let trend = try await keeper.trends([series.key], in: book, settings: settings).first else {
                throw APIError.notFound("skill_id '\(skill)' has no demand series.", field: "skill_id")
            }
            return try Reply.encode(
                ForecastResponse(
                    trend: trend, history: History(months: book.demand.months.map(\.description), values: series.values, counts: series.counts),
                    fittedAt: ISO8601DateFormatter().string(from: book.fittedAt)))
        }
        reads.post("trends/analyze") { request, _ in
            try QueryFields.none(request)
            var fields = try await JSONInput.object(request, limit: maxBodyBytes)
            let skills = try fields.strings("skills")
            let by = try fields.string("by") ?? "skill"
            let horizon = try fields.integer("horizon", in: TrendSettings.horizons) ?? TrendKeeper.defaults.horizon
            var levels = TrendKeeper.defaults.levels
            if let items = try fields.array("level") {
                levels = []
                for (i, item) in items.enumerated() {
                    guard let value = item.double else {
                        throw APIError(.badRequest, code: "invalid_type", "level[\(i)] is \(JSONKind.describe(item.kind)), but it must be a number.", field: "level[\(i)]")
                    }
                    guard value > 0, value < 100 else {
                        throw APIError.unprocessable("level[\(i)] is \(value); give percentages between 0 and 100 (exclusive), for example [80, 95].", field: "level[\(i)]")
                    }
                    if !levels.contains(value) { levels.append(value) }
                }
                guard !levels.isEmpty else { throw APIError.unprocessable("level is empty; give at least one percentage, for example [80, 95].", field: "level") }
            }
            let order = try fields.string("order") ?? "rising"
            guard order == "rising" || order == "falling" else {
                throw APIError.unprocessable("order '\(order)' is not an order; use rising (fastest growth first, the default) or falling.", field: "order")
            }
            let limit = try fields.integer("limit", in: 1...Self.maximumLimit) ?? Self.defaultLimit
            let cursor = try fields.string("cursor")
            try fields.finish()
            var offset = 0
            if let cursor {
                guard cursor.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let value = Int(cursor), !cursor.isEmpty else {
                    throw APIError.badRequest("cursor is '\(cursor)'; pass the next_cursor of the previous page unchanged.", field: "cursor")
                }
                offset = value
            }
            let book = try await book()
            let keys: [DemandKey]
            if let skills {
                guard by == "skill" else { throw APIError.unprocessable("skills lists skills, so by must be skill (it is '\(by)').", field: "by") }
                guard !skills.isEmpty, skills.count <= Self.maximumLimit else {
                    throw APIError.unprocessable("skills holds \(skills.count) names; send 1 to \(Self.maximumLimit), or leave it out for every skill.", field: "skills")
                }
                var seen = Set<DemandKey>()
                var chosen: [DemandKey] = []
                for (i, name) in skills.enumerated() {
                    do throws(MatchworkError) {
                        let key = try book.demand.resolve(.skill(name), field: "skills[\(i)]").key
                        if seen.insert(key).inserted { chosen.append(key) }
                    } catch {
                        throw APIError.unprocessable(error.message, field: "skills[\(i)]")
                    }
                }
                keys = chosen
            } else {
                guard (try? Token.validate(by, field: "by")) != nil else {
                    throw APIError.unprocessable("by '\(by)' is not a kind of series; use skill, occupation or a facet name (service, specialty).", field: "by")
                }
                keys = by == "skill" ? book.demand.keys(skills: true) : book.demand.keys(skills: false, facet: FacetName(by))
                if keys.isEmpty, by != "skill" {
                    throw APIError.unprocessable(
                        "by '\(by)': no dated opportunity requires a value of \(by); use skill, occupation or a facet the \(book.demand.noun) require.", field: "by")
                }
            }
            let settings = TrendSettings(horizon: horizon, levels: levels)
            var ranked = Trends.rank(try await keeper.trends(keys, in: book, settings: settings))
            if order == "falling" {
                // Falling: the lowest growth first; series without recent demand stay last.
                let grown = ranked.filter { $0.growth != nil }, none = ranked.filter { $0.growth == nil }
                ranked = grown.reversed() + none
            }
            let page = Array(ranked.dropFirst(offset).prefix(limit))
            let next = offset + page.count < ranked.count ? String(offset + page.count) : nil
            let months = book.demand.months
            return try Reply.encode(
                AnalyzeResponse(
                    items: page, nextCursor: next, total: ranked.count, by: by, order: order, horizon: horizon,
                    months: months.isEmpty ? [] : [months.first!.description, months.last!.description], opportunities: book.demand.dated,
                    fittedAt: ISO8601DateFormatter().string(from: book.fittedAt)))
        }
    }

    /// The trends' book for the serving engine (waits for the first engine and the first fit).
    func book() async throws -> TrendKeeper.Book {
        let (state, _, _) = try await host.current(for: nil, patience: .zero)
        return try await keeper.current(from: state)
    }

    /// `80,95`: percentages strictly between 0 and 100.
    static func levels(_ text: String, field: String) throws(APIError) -> [Double] {
        var levels: [Double] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let digitsAndPoint = part.split(separator: ".", omittingEmptySubsequences: false)
            guard (1...2).contains(digitsAndPoint.count), digitsAndPoint.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }),
                let value = Double(part), value.isFinite
            else {
                throw APIError.badRequest("Query parameter \(field) is '\(text)'; give percentages separated by commas, for example 80,95.", field: field)
            }
            guard value > 0, value < 100 else {
                throw APIError.unprocessable("Query parameter \(field) has \(part); each level must be between 0 and 100 (exclusive), for example 80,95.", field: field)
            }
            if !levels.contains(value) { levels.append(value) }
        }
        return levels
    }
}
