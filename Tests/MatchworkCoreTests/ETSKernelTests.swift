import Foundation
@testable import MatchworkCore
import Testing

@Suite("ETS: the specialised recursions, in-sample forecasts and the combination's interval scale")
struct ETSKernelTests {
    static let shapes: [ETSModel] = ETSModel.Error.allCases.flatMap { e in
        ETSModel.Trend.allCases.flatMap { t in ETSModel.Season.allCases.map { ETSModel(error: e, trend: t, season: $0) } }
    }

    /// A positive seasonal series with a trend and deterministic wiggles.
    static func series(_ n: Int, period m: Int) -> [Double] {
        (0..<n).map { t in
            let season = 1 + 0.2 * sin(2 * Double.pi * Double(t % m) / Double(m))
            return (300 + 2 * Double(t)) * season + Double((t * 7919) % 17) - 8
        }
    }

    @Test("Each of the 18 model shapes' loop gives the plain loop's errors, Σe², Σ log|ŷ| and final state", arguments: shapes)
    func kernelMatchesReference(model: ETSModel) {
        let m = model.hasSeason ? 4 : 1
        let y = Self.series(203, period: 4)
        var seeds = SeededGenerator(seed: 7)
        for _ in 0..<5 {
            let alpha = 0.05 + 0.9 * seeds.unit(), beta = alpha * seeds.unit(), gamma = (1 - alpha) * seeds.unit()
            let phi = 0.8 + 0.18 * seeds.unit()
            let seasons = model.season == .multiplicative ? [1.1, 0.9, 0.95, 1.05] : [20, -15, -10, 5]
            var fastRing = model.hasSeason ? seasons : [0], plainRing = fastRing
            var fastErrors = [Double](repeating: 0, count: y.count), plainErrors = fastErrors
            var fastLevel = 290.0, fastSlope = 1.5, plainLevel = 290.0, plainSlope = 1.5
            let fast = y.withUnsafeBufferPointer { yb in
                fastRing.withUnsafeMutableBufferPointer { rb in
                    fastErrors.withUnsafeMutableBufferPointer { eb in
                        ETSRecursion.run(yb, model: model, period: m, alpha: alpha, beta: beta, gamma: gamma, phi: phi,
                                         level: &fastLevel, slope: &fastSlope, ring: rb, errors: eb)
                    }
                }
            }
            let plain = y.withUnsafeBufferPointer { yb in
                plainRing.withUnsafeMutableBufferPointer { rb in
                    plainErrors.withUnsafeMutableBufferPointer { eb in
                        ETSRecursion.reference(yb, model: model, period: m, alpha: alpha, beta: beta, gamma: gamma, phi: phi,
                                               level: &plainLevel, slope: &plainSlope, ring: rb, errors: eb)
                    }
                }
            }
            #expect(fast.sse == plain.sse)
            #expect(fastErrors == plainErrors)
            #expect(fastLevel == plainLevel && fastSlope == plainSlope && fastRing == plainRing)
            if model.error == .multiplicative {
                // One logarithm of a product per 512 steps instead of one per step.
                #expect(abs(fast.logSum - plain.logSum) <= 1e-12 * abs(plain.logSum))
            } else {
                #expect(fast.logSum == 0)
            }
        }
    }

    @Test("A zero forecast takes the plain logarithm's floor in Σ log|ŷ|, as the plain loop does")
    func zeroForecastLogarithm() {
        let model = ETSModel(error: .multiplicative, trend: .none, season: .none)
        let y: [Double] = [1, 2, 3]
        var sums: [Double] = []
        for run in [ETSRecursion.run, ETSRecursion.reference] {
            var level = 0.0, slope = 0.0, ring = [0.0]
            let result = y.withUnsafeBufferPointer { yb in
                ring.withUnsafeMutableBufferPointer { rb in
                    run(yb, model, 1, 0.5, 0, 0, 1, &level, &slope, rb, nil)
                }
            }
            sums.append(result.logSum)
        }
        #expect(abs(sums[0] - sums[1]) <= 1e-12 * abs(sums[1]))
        #expect(sums[0] < log(1e-7))
    }

    @Test("In-sample forecasts from an origin equal the forecasts of the same model run over the points before it")
    func rollingForecasts() throws {
        let y = Self.series(96, period: 12)
        for model in [ETSModel(error: .multiplicative, trend: .damped, season: .multiplicative),
                      ETSModel(error: .additive, trend: .additive, season: .additive),
                      ETSModel(error: .additive, trend: .none, season: .none)] {
            let m = model.hasSeason ? 12 : 1
            let fit = try #require(ETS.fit(y, period: 12, model: model))
            let origins = [70, 30, 84]
            let rolling = fit.rollingForecasts(y, origins: origins, horizon: 12)
            // [ℓ₀, b₀?, s₀ … s_{m−2}] with s_k = ring[m − 1 − k].
            var states = [fit.initialLevel]
            if model.hasTrend { states.append(fit.initialSlope) }
            if model.hasSeason { states += (0..<(m - 1)).map { fit.initialSeasons[m - 1 - $0] } }
            for (row, o) in origins.enumerated() {
                let prefix = try #require(ETS.filter(
                    Array(y[0..<o]), period: 12, model: model, alpha: fit.alpha, beta: fit.beta, gamma: fit.gamma, phi: fit.phi, states: states))
                let expected = prefix.forecast(horizon: 12)
                for i in 0..<12 {
                    #expect(abs(rolling[row * 12 + i] - expected[i]) <= 1e-9 * abs(expected[i]), "\(model) origin \(o) step \(i + 1)")
                }
            }
        }
    }

    @Test("The combination's scale is 1 for a model combined with itself and small for members with opposite biases")
    func combinationScale() throws {
        let y = (0..<80).map { 100 + Double(($0 * 7919) % 7) - 3 }
        let model = ETSModel(error: .additive, trend: .none, season: .none)
        let high = try #require(ETS.filter(y, period: 1, model: model, alpha: 1e-4, states: [110]))
        let low = try #require(ETS.filter(y, period: 1, model: model, alpha: 1e-4, states: [90]))
        let same = Forecaster.combinationScale(y, fits: [high, high], horizon: 6, period: 1)
        #expect(same.steps == 1 && same.total == 1)
        // Each member is 10 off; their mean is off by the noise only (rms 2).
        let opposite = Forecaster.combinationScale(y, fits: [high, low], horizon: 6, period: 1)
        #expect(opposite.steps > 0.1 && opposite.steps < 0.25)
        #expect(opposite.total > 0 && opposite.total < 0.25)
        // Too few origins: unscaled.
        let short = Forecaster.combinationScale(Array(y.prefix(15)), fits: [high, low], horizon: 6, period: 1)
        #expect(short.steps == 1 && short.total == 1)
    }

    @Test("The default's intervals are ETS's around the combined mean, scaled, and hold the mean")
    func combinationIntervals() throws {
        let y = Self.series(120, period: 12)
        let settings = ForecastSettings(horizon: 12, period: 12, method: .auto, levels: [80, 95])
        let combined = Forecaster.forecast(y, settings)
        var ets = settings
        ets.method = .ets
        let alone = Forecaster.forecast(y, ets)
        #expect(combined.model.hasPrefix("combination of \(alone.model) and Holt-Winters"))
        let a80 = try #require(alone.interval(at: 80)), c80 = try #require(combined.interval(at: 80))
        // Widths are ETS's times one factor k ∈ (0, 2).
        let k = (c80.upper[0] - c80.lower[0]) / (a80.upper[0] - a80.lower[0])
        #expect(k > 0 && k < 2)
        for i in 0..<12 {
            #expect(abs((c80.upper[i] - c80.lower[i]) - k * (a80.upper[i] - a80.lower[i])) <= 1e-9 * (a80.upper[i] - a80.lower[i]))
            #expect(c80.lower[i] < combined.mean[i] && combined.mean[i] < c80.upper[i])
        }
        let total = try #require(combined.total.interval(at: 80))
        #expect(total.lower < combined.total.mean && combined.total.mean < total.upper)
    }
}
