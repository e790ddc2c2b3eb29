/// Derivative-free minimisation over a box: the Nelder–Mead simplex method (Nelder & Mead 1965)
/// with the dimension-adaptive coefficients of Gao & Han (2012), the optimiser that R's
/// `forecast::ets` and statsforecast use for exponential smoothing.
///
/// Every trial point is clamped into `[lower, upper]`; an objective returns `.infinity` for a
/// point outside a constraint the box cannot express (for ETS, β ≤ α and γ ≤ 1 − α). The search
/// stops when the population standard deviation of the simplex's values falls below
/// `tolerance`, or after `maxIterations`.
struct NelderMead {
    /// The first simplex moves each coordinate by this share of its value (`zeroStep` when 0).
    var initialStep = 0.05
    var zeroStep = 1e-4
    var tolerance = 1e-4
    var maxIterations = 1_000

    struct Result {
        var point: [Double]
        var value: Double
        var iterations: Int
    }

    /// Minimises `objective` from `start`; `objective` reads its point from the buffer it gets
    /// (no allocation per evaluation).
    func minimise(
        from start: [Double], lower: [Double], upper: [Double],
        _ objective: (UnsafeBufferPointer<Double>) -> Double
    ) -> Result {
        let n = start.count
        precondition(lower.count == n && upper.count == n, "bounds must match the point")
        if n == 0 {
            let value = [Double]().withUnsafeBufferPointer(objective)
            return Result(point: [], value: value, iterations: 0)
        }
        func clamp(_ x: inout [Double]) {
            for i in 0..<n { x[i] = min(max(x[i], lower[i]), upper[i]) }
        }
        func evaluate(_ x: [Double]) -> Double {
            let value = x.withUnsafeBufferPointer(objective)
            return value.isNaN ? .infinity : value
        }
        // Adaptive coefficients: reflection 1, expansion 1 + 2/n, contraction 0.75 − 1/(2n),
        // shrink 1 − 1/n.
        let reflection = 1.0
        let expansion = 1.0 + 2.0 / Double(n)
        let contraction = 0.75 - 1.0 / (2.0 * Double(n))
        let shrink = 1.0 - 1.0 / Double(n)

        var origin = start
        clamp(&origin)
        var simplex = [[Double]](repeating: origin, count: n + 1)
        for i in 0..<n {
            let v = simplex[i][i]
            simplex[i][i] = min(max(v == 0 ? zeroStep : v * (1 + initialStep), lower[i]), upper[i])
        }
        var values = simplex.map(evaluate)
        var centroid = [Double](repeating: 0, count: n)
        var trial = [Double](repeating: 0, count: n)
        var second = [Double](repeating: 0, count: n)
        var order = Array(0...n)
        var iteration = 0
        var best = 0
        while iteration < maxIterations {
            if Self.spread(values) < tolerance { break }
            iteration += 1
            order.sort { values[$0] < values[$1] }
            best = order[0]
            let worst = order[n], secondWorst = order[n - 1]
            // x̄ = mean of every vertex but the worst.
            for j in 0..<n {
                var sum = 0.0
                for i in 0...n where i != worst { sum += simplex[i][j] }
                centroid[j] = sum / Double(n)
            }
            // Reflection: x_r = x̄ + ρ(x̄ − x_worst).
            for j in 0..<n { trial[j] = centroid[j] + reflection * (centroid[j] - simplex[worst][j]) }
            clamp(&trial)
            let reflected = evaluate(trial)
            if values[best] <= reflected && reflected < values[secondWorst] {
                simplex[worst] = trial; values[worst] = reflected
                continue
            }
            if reflected < values[best] {
                // Expansion: x_e = x̄ + χ(x_r − x̄).
                for j in 0..<n { second[j] = centroid[j] + expansion * (trial[j] - centroid[j]) }
                clamp(&second)
                let expanded = evaluate(second)
                if expanded < reflected {
                    simplex[worst] = second; values[worst] = expanded
                } else {
                    simplex[worst] = trial; values[worst] = reflected
                }
                continue
            }
            if values[secondWorst] <= reflected && reflected < values[worst] {
                // Outside contraction: x_oc = x̄ + γ(x_r − x̄).
                for j in 0..<n { second[j] = centroid[j] + contraction * (trial[j] - centroid[j]) }
                clamp(&second)
                let contracted = evaluate(second)
                if contracted <= reflected {
                    simplex[worst] = second; values[worst] = contracted
                    continue
                }
            } else {
                // Inside contraction: x_ic = x̄ − γ(x_r − x̄).
                for j in 0..<n { second[j] = centroid[j] - contraction * (trial[j] - centroid[j]) }
                clamp(&second)
                let contracted = evaluate(second)
                if contracted < values[worst] {
                    simplex[worst] = second; values[worst] = contracted
                    continue
                }
            }
            // Shrink every vertex towards the best: x_i = x_best + σ(x_i − x_best).
            for i in 0...n where i != best {
                for j in 0..<n { simplex[i][j] = simplex[best][j] + shrink * (simplex[i][j] - simplex[best][j]) }
                clamp(&simplex[i])
                values[i] = evaluate(simplex[i])
            }
        }
        best = values.indices.min { values[$0] < values[$1] }!
        return Result(point: simplex[best], value: values[best], iterations: iteration)
    }

    /// Population standard deviation; infinite while a vertex is infeasible.
    private static func spread(_ values: [Double]) -> Double {
        var mean = 0.0
        for v in values {
            if !v.isFinite { return .infinity }
            mean += v
        }
        mean /= Double(values.count)
        var sum = 0.0
        for v in values { sum += (v - mean) * (v - mean) }
        return (sum / Double(values.count)).squareRoot()
    }
}
