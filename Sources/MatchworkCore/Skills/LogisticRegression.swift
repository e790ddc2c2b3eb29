import RealModule

/// Binary logistic regression `P(y = 1 | x) = σ(w₀ + Σ_j w_j (x_j − m_j) / s_j)` on standardised
/// features (`m`, `s`: the training mean and standard deviation), fitted by Newton's method
/// (iteratively reweighted least squares) with an L2 penalty `λ n ‖w‖²` on the non-intercept
/// weights. Each step solves `(XᵀSX + 2λnI) Δ = Xᵀ(y − p) − 2λnw`, `S = diag(p(1 − p))`, by
/// Cholesky: the models here have a handful of features.
public struct LogisticRegression: Sendable, Hashable, Codable {
    /// Weights over `[1, standardised features]`.
    public var weights: [Double]
    public var means: [Double]
    public var scales: [Double]

    /// Fits the model; `features` rows all have the same length.
    public static func fit(_ features: [[Double]], _ labels: [Bool], regularization lambda: Double = 1e-3, iterations: Int = 50) -> LogisticRegression {
        precondition(features.count == labels.count && !features.isEmpty, "one label per feature row, at least one row")
        let d = features[0].count, count = Double(features.count)
        var means = [Double](repeating: 0, count: d), scales = [Double](repeating: 0, count: d)
        for x in features { for j in 0..<d { means[j] += x[j] } }
        for j in 0..<d { means[j] /= count }
        for x in features { for j in 0..<d { scales[j] += (x[j] - means[j]) * (x[j] - means[j]) } }
        for j in 0..<d { scales[j] = max(1e-9, (scales[j] / count).squareRoot()) }
        let n = d + 1
        let positives = Double(labels.filter { $0 }.count)
        var w = [Double](repeating: 0, count: n)
        w[0] = Double.log(max(0.5, positives) / max(0.5, count - positives))
        var x = [Double](repeating: 0, count: n)
        for _ in 0..<iterations {
            var hessian = [Double](repeating: 0, count: n * n), gradient = [Double](repeating: 0, count: n)
            for (row, label) in zip(features, labels) {
                x[0] = 1
                for j in 0..<d { x[j + 1] = (row[j] - means[j]) / scales[j] }
                var z = 0.0
                for j in 0..<n { z += w[j] * x[j] }
                let p = 1 / (1 + Double.exp(-z))
                let r = (label ? 1 : 0) - p, s = max(1e-12, p * (1 - p))
                for i in 0..<n {
                    gradient[i] += r * x[i]
                    for j in 0...i { hessian[i * n + j] += s * x[i] * x[j] }
                }
            }
            for i in 1..<n {
                gradient[i] -= 2 * lambda * count * w[i]
                hessian[i * n + i] += 2 * lambda * count
            }
            for i in 0..<n { for j in 0..<i { hessian[j * n + i] = hessian[i * n + j] } }
            guard let step = solve(hessian, gradient, n: n) else { break }
            var change = 0.0
            for i in 0..<n { w[i] += step[i]; change = max(change, abs(step[i])) }
            if change < 1e-10 { break }
        }
        return LogisticRegression(weights: w, means: means, scales: scales)
    }

    /// Solves the symmetric positive definite system `a x = b` by Cholesky (a few unknowns).
    static func solve(_ a: [Double], _ b: [Double], n: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var sum = a[i * n + j]
                for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
                if i == j {
                    guard sum > 0 else { return nil }
                    l[i * n + i] = sum.squareRoot()
                } else {
                    l[i * n + j] = sum / l[j * n + j]
                }
            }
        }
        var y = b
        for i in 0..<n {
            for k in 0..<i { y[i] -= l[i * n + k] * y[k] }
            y[i] /= l[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            for k in (i + 1)..<n { y[i] -= l[k * n + i] * y[k] }
            y[i] /= l[i * n + i]
        }
        return y
    }

    public func probability(_ features: [Double]) -> Double {
        var z = weights[0]
        for j in 0..<features.count { z += weights[j + 1] * (features[j] - means[j]) / scales[j] }
        return 1 / (1 + Double.exp(-z))
    }
}
