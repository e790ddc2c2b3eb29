import Foundation
import Testing

@testable import MatchworkCore

/// Demand series from opportunities, the total over a horizon, and growth in words (issue 23).
@Suite("Demand trends")
struct TrendTests {
    static func posting(_ id: String, _ day: (Int, Int, Int)?, skills: [(String, Double)] = [], occupation: String? = nil, kind: OpportunityKind = .posting) throws -> Opportunity {
        let start = day.map { Timestamp(year: $0.0, month: $0.1, day: $0.2, hour: 9) }
        return try Opportunity(
            id: OpportunityID(id), kind: kind, required: try Facets(occupation.map { [.occupation: [$0]] } ?? [:]),
            window: try start.map { try TimeWindow(start: $0, end: $0.adding(seconds: 86_400)) },
            skills: try skills.map { try SkillLevel(skill: $0.0, level: $0.1) })
    }

    static let book: DemandBook = {
        let opportunities = try! [
            posting("p1", (2025, 1, 3), skills: [("programming", 4), ("writing", 2)], occupation: "15-1252.00"),
            posting("p2", (2025, 1, 31), skills: [("programming", 3)], occupation: "15-1252.00"),
            posting("p3", (2025, 3, 30), skills: [("programming", 4.5)], occupation: "29-1141.00"),
            posting("undated", nil, skills: [("programming", 7)]),
            Opportunity(id: "course-1", kind: .course, teaches: [try SkillLevel(skill: "programming", level: 5)]),
        ]
        return DemandBook(opportunities)
    }()

    @Test("a skill's series adds the levels asked per month; months without postings are zeros; courses and undated ones do not count")
    func series() throws {
        let book = Self.book
        #expect(book.months.map(\.description) == ["2025-01", "2025-02", "2025-03"])
        #expect(book.dated == 3 && book.undated == 1 && book.noun == "postings")
        let programming = try #require(book.series(.skill("programming")))
        #expect(programming.values == [7, 0, 4.5] && programming.counts == [2, 0, 1])
        #expect(book.series(.skill("writing"))?.values == [2, 0, 0])
        #expect(book.series(.facet(.occupation, "15-1252.00"))?.values == [2, 0, 0])
        #expect(book.series(.facet(.occupation, "29-1141.00"))?.counts == [0, 0, 1])
        #expect(book.keys(skills: true) == [.skill("programming"), .skill("writing")])
        #expect(book.keys(skills: false, facet: .occupation).count == 2)
        #expect(Month(Timestamp(year: 2024, month: 12, day: 31, hour: 23, minute: 59)).description == "2024-12")
        #expect(Month(year: 2025, month: 12).adding(1).description == "2026-01")
    }

    @Test("an edge month the data covers for less than 90% of its days is left out, with its count")
    func partialMonths() throws {
        let book = DemandBook(try [
            Self.posting("late-start", (2024, 12, 20), skills: [("programming", 1)]),
            Self.posting("p1", (2025, 1, 3), skills: [("programming", 4)]), Self.posting("p2", (2025, 2, 27), skills: [("programming", 3)]),
            Self.posting("early-stop", (2025, 3, 10), skills: [("programming", 7)]), Self.posting("early-stop-2", (2025, 3, 11), skills: [("writing", 1)]),
        ])
        #expect(book.months.map(\.description) == ["2025-01", "2025-02"])
        #expect(book.partial.map { "\($0.month) \($0.opportunities)" } == ["2024-12 1", "2025-03 2"])
        #expect(book.series(.skill("programming"))?.values == [4, 3] && book.dated == 2)
        #expect(book.series(.skill("writing")) == nil)
        // A single month stays even when partial: there would be nothing left.
        #expect(DemandBook(try [Self.posting("only", (2025, 5, 12), skills: [("programming", 1)])]).months.count == 1)
    }

    @Test("the fingerprint changes with any value and nothing else")
    func fingerprint() throws {
        let same = DemandBook(try [
            Self.posting("p3", (2025, 3, 30), skills: [("programming", 4.5)], occupation: "29-1141.00"),
            Self.posting("p2", (2025, 1, 31), skills: [("programming", 3)], occupation: "15-1252.00"),
            Self.posting("p1", (2025, 1, 3), skills: [("writing", 2), ("programming", 4)], occupation: "15-1252.00"),
        ])
        #expect(same.fingerprint == Self.book.fingerprint)
        let changed = DemandBook(try [
            Self.posting("p3", (2025, 3, 30), skills: [("programming", 4.6)], occupation: "29-1141.00"),
            Self.posting("p2", (2025, 1, 31), skills: [("programming", 3)], occupation: "15-1252.00"),
            Self.posting("p1", (2025, 1, 3), skills: [("writing", 2), ("programming", 4)], occupation: "15-1252.00"),
        ])
        #expect(changed.fingerprint != Self.book.fingerprint)
    }

    @Test("an unknown name is refused with the nearest ones; a store without dated demand says what to import")
    func unknown() throws {
        let error = #expect(throws: MatchworkError.self) { try Self.book.resolve(.skill("progaming"), field: "--skill") }
        #expect(error?.message == "--skill 'progaming' has no demand: no dated posting asks for it. The postings ask for 2 skills; the nearest are programming, writing (trends analyze lists them all).")
        #expect(error?.code == .unknownIdentifier && error?.field == "--skill")
        let empty = #expect(throws: MatchworkError.self) { try DemandBook([]).resolve(.skill("programming"), field: "skill_id") }
        #expect(empty?.message.hasPrefix("skill_id 'programming' has no demand: the store has no dated opportunities") == true)
        let facet = #expect(throws: MatchworkError.self) { try Self.book.resolve(.facet("service", "deep_clean"), field: "--facet") }
        #expect(facet?.message.contains("none of the 3 dated postings asks for any service") == true)
    }

    @Test("the total of a linear model: Var = σ² Σ_k (Σ_{i≥k} w_i c_{i−k})², by hand for a random walk")
    func linearTotal() {
        // Random walk (c_j = 1), h = 3, σ² = 4: loadings 3, 2, 1 → Var = 4·14 = 56.
        let total = Quantiles.linearTotal(mean: [1, 1, 1], sigma2: 4, coefficient: { _ in 1 }, weights: [1, 1, 1], levels: [80])
        let z = NormalDistribution.quantile(0.9)
        #expect(total.mean == 3)
        #expect(abs(total.intervals[0].lower - (3 - z * 56.0.squareRoot())) < 1e-12)
        #expect(abs(total.intervals[0].upper - (3 + z * 56.0.squareRoot())) < 1e-12)
        // White noise (c_j = 0 for j ≥ 1) with weights 2, 1: Var = σ² (4 + 1).
        let noise = Quantiles.linearTotal(mean: [0, 0], sigma2: 1, coefficient: { _ in 0 }, weights: [2, 1], levels: [95])
        #expect(abs(noise.intervals[0].upper - NormalDistribution.quantile(0.975) * 5.0.squareRoot()) < 1e-12)
        // A level so close to 100 that 0.5 + level/200 rounds to 1 still gives finite bounds.
        #expect(Quantiles.linearTotal(mean: [1], sigma2: 1, coefficient: { _ in 1 }, weights: [1], levels: [99.99999999999999]).intervals[0].upper.isFinite)
    }

    @Test("the count trend recovers an exact log-linear series with a yearly harmonic and forecasts it")
    func countTrend() throws {
        let truth = { (t: Int) in Foundation.exp(2 + 0.02 * Double(t) + 0.3 * Foundation.sin(2 * Double.pi * Double(t) / 12)) }
        let y = (0..<36).map(truth)
        let fit = try #require(CountTrend.fit(y, period: 12))
        #expect(fit.harmonics == 1 && fit.dispersion == 1)
        // The slope is per season of 12 (u = (t − 17.5)/12): 0.02 × 12.
        #expect(abs(fit.coefficients[1] - 0.24) < 1e-8 && abs(fit.coefficients[2] - 0.3) < 1e-8 && abs(fit.coefficients[3]) < 1e-8)
        let forecast = fit.forecast(horizon: 12)
        for h in 0..<12 { #expect(abs(forecast[h] / truth(36 + h) - 1) < 1e-8) }
        // Too short, negative or all-zero series do not fit.
        #expect(CountTrend.fit([1, 2, 3], period: 12) == nil && CountTrend.fit([1, -2, 3, 4, 5, 6], period: 1) == nil && CountTrend.fit([0, 0, 0, 0, 0], period: 1) == nil)
        #expect(CountTrend.invert([4, 2, 2, 3], 2).map { $0.map { ($0 * 8).rounded() } } == [3, -2, -2, 4])
        // Poisson counts: the 80% interval of the total holds the truth's total in most of 200 draws.
        var random = SeededGenerator(seed: 3)
        var inside = 0
        for _ in 0..<200 {
            let counts = (0..<48).map { t in Double(poisson(truth(t), &random)) }
            let answer = try #require(CountTrend.fit(Array(counts.prefix(36)), period: 12)).seriesForecast(ForecastSettings(horizon: 12, period: 12, method: .countTrend, levels: [80]))
            let actual = counts.suffix(12).reduce(0, +)
            if answer.total.intervals[0].lower <= actual && actual <= answer.total.intervals[0].upper { inside += 1 }
        }
        #expect((140...180).contains(inside), "\(inside) of 200")
    }

    @Test("the count trend equals statsmodels' quasi-Poisson GLM on fixed overdispersed counts")
    func countTrendParity() throws {
        struct Golden: Decodable {
            struct Case: Decodable {
                var y: [Double]
                var period: Int
                var horizon: Int
                var coefficients: [Double]
                var dispersion: Double
                var covariance: [Double]
                var forecast: [Double]
            }
            var cases: [Case]
        }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/count-trend-parity.json")
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
        for c in golden.cases {
            let fit = try #require(CountTrend.fit(c.y, period: c.period))
            for (ours, theirs) in zip(fit.coefficients, c.coefficients) { #expect(abs(ours - theirs) < 1e-9, "\(ours) vs \(theirs)") }
            #expect(abs(fit.dispersion / c.dispersion - 1) < 1e-9)
            for (ours, theirs) in zip(fit.covariance, c.covariance) { #expect(abs(ours - theirs) < 1e-9 * Swift.max(1, abs(theirs) * 1e3), "\(ours) vs \(theirs)") }
            for (ours, theirs) in zip(fit.forecast(horizon: c.horizon), c.forecast) { #expect(abs(ours / theirs - 1) < 1e-9) }
        }
    }

    func poisson(_ mean: Double, _ random: inout SeededGenerator) -> Int {
        // Knuth's product of uniforms (the means here are below 40).
        let limit = Foundation.exp(-mean)
        var k = 0, product = random.unit()
        while product > limit { k += 1; product *= random.unit() }
        return k
    }

    @Test("ETS's simulated total agrees with the closed form of its class-1 model")
    func simulatedTotal() throws {
        var random = SeededGenerator(seed: 5)
        var level = 100.0
        let y = (0..<60).map { _ in
            level += random.normal(sd: 2)
            return level + random.normal(sd: 3)
        }
        let fit = try #require(ETS.fit(y, period: 1, model: ETSModel(error: .additive, trend: .none, season: .none)))
        var settings = ForecastSettings(horizon: 12, period: 1, method: .ets, levels: [80])
        settings.simulationPaths = 20_000
        let simulated = Forecaster.etsForecast(fit, settings).total
        let closed = Quantiles.linearTotal(
            mean: fit.forecast(horizon: 12), sigma2: fit.recentSigma2, coefficient: { _ in fit.alpha }, weights: [Double](repeating: 1, count: 12), levels: [80])
        let width = closed.intervals[0].upper - closed.intervals[0].lower
        #expect(abs((simulated.intervals[0].upper - simulated.intervals[0].lower) / width - 1) < 0.05)
        #expect(abs(simulated.mean - closed.mean) < 1e-9)
    }

    @Test("growth in words: a constant series is flat, a growing one up with an interval around the truth")
    func growth() throws {
        let flat = DemandBook(
            try (0..<48).map { try Self.posting("p\($0)", (2024 + $0 / 24, $0 / 2 % 12 + 1, $0 % 2 == 0 ? 2 : 28), skills: [("programming", 2)]) })
        let trend = Trends.trend(try #require(flat.series(.skill("programming"))), in: flat, settings: TrendSettings())
        #expect(trend.summary == "Programming: demand flat (0%) (80% interval 0% to 0%) over the next 12 months; naive (the series is constant)")
        #expect(trend.months.first?.description == "2026-01" && trend.months.count == 12)
        #expect(trend.recentOpportunities == 24 && trend.baseline == 4 && flat.partial.isEmpty)

        // Demand growing 2% a month with noise: the next 12 months against the last 12 are about
        // 1.02^12 − 1 = 27% up.
        var random = SeededGenerator(seed: 11)
        var postings: [Opportunity] = []
        for month in 0..<48 {
            let mean = 20 * pow(1.02, Double(month))
            for k in 0..<Int((mean + random.normal(sd: 1.5)).rounded()) {
                postings.append(try Self.posting("m\(month)-\(k)", (2022 + month / 12, month % 12 + 1, 1 + k % 28), skills: [("welding", 1)]))
            }
        }
        let rising = DemandBook(postings)
        let up = Trends.trend(try #require(rising.series(.skill("welding"))), in: rising, settings: TrendSettings(levels: [80, 95]))
        let growth = try #require(up.growth)
        #expect(abs(growth.mean - 0.268) < 0.08)
        #expect(growth.intervals[0].lower < 0.268 && 0.268 < growth.intervals[0].upper)
        #expect(growth.intervals[1].lower <= growth.intervals[0].lower && growth.intervals[0].upper <= growth.intervals[1].upper)
        #expect(up.summary.hasPrefix("Welding: demand up "))
        #expect(up.summary.contains("% (80% interval ") && up.summary.contains(" over the next 12 months; "))

        // Ranked by growth: the rising series before the flat one.
        #expect(Trends.rank([trend, up]).map(\.key) == [.skill("welding"), .skill("programming")])
    }

    @Test("no demand in the last year: no growth, said so; the JSON has null growth")
    func noRecentDemand() throws {
        let old = DemandBook(try [
            Self.posting("a", (2023, 1, 1), skills: [("writing", 3)]), Self.posting("b", (2023, 2, 5), skills: [("writing", 3)]),
            Self.posting("c", (2024, 6, 30), skills: [("programming", 3)]),
        ])
        let trend = Trends.trend(try #require(old.series(.skill("writing"))), in: old, settings: TrendSettings())
        #expect(trend.growth == nil)
        #expect(trend.summary.hasPrefix("Writing: no demand in the last 12 months, so no growth to give; "))
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let object = try #require(try JSONSerialization.jsonObject(with: encoder.encode(trend)) as? [String: Any])
        #expect(object["growth"] is NSNull && object["kind"] as? String == "skill" && object["key"] as? String == "writing")
        #expect((object["forecast"] as? [Any])?.count == 12 && object["recent_opportunities"] as? Int == 0)
    }
}
