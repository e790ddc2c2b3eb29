/// Classical seasonal decomposition and the seasonality test that decides whether to use it.
///
/// Decomposition by moving averages (Kendall & Stuart; statsmodels' `seasonal_decompose`):
/// the trend is the centred moving average of order m (a 2×m average when m is even), the
/// seasonal index of each phase is the mean of the detrended values of that phase (y − trend,
/// or y / trend when multiplicative), normalised to sum to 0 (additive) or to average 1
/// (multiplicative). Phases count from the first observation.
public enum SeasonalDecomposition {
    public enum Kind: String, Sendable, Hashable {
        case additive, multiplicative
    }

    /// The seasonal component for every observation (length n), or nil when the series is
    /// shorter than two full cycles.
    public static func seasonal(_ y: [Double], period m: Int, kind: Kind) -> [Double]? {
        let n = y.count
        guard m >= 2, n >= 2 * m else { return nil }
        // Centred moving average: weights 1/m (odd m) or [½, 1, …, 1, ½]/m (even m).
        let half = m / 2
        var trend = [Double](repeating: .nan, count: n)
        if m % 2 == 0 {
            for t in half..<(n - half) {
                var sum = 0.5 * y[t - half] + 0.5 * y[t + half]
                for k in (t - half + 1)..<(t + half) { sum += y[k] }
                trend[t] = sum / Double(m)
            }
        } else {
            for t in half..<(n - half) {
                var sum = 0.0
                for k in (t - half)...(t + half) { sum += y[k] }
                trend[t] = sum / Double(m)
            }
        }
        // Phase means of the detrended series over the points that have a trend.
        var sums = [Double](repeating: 0, count: m)
        var counts = [Int](repeating: 0, count: m)
        for t in 0..<n where !trend[t].isNaN {
            let detrended = kind == .additive ? y[t] - trend[t] : y[t] / trend[t]
            guard detrended.isFinite else { continue }
            sums[t % m] += detrended
            counts[t % m] += 1
        }
        var indices = [Double](repeating: 0, count: m)
        for p in 0..<m { indices[p] = counts[p] > 0 ? sums[p] / Double(counts[p]) : (kind == .additive ? 0 : 1) }
        let mean = indices.reduce(0, +) / Double(m)
        for p in 0..<m { indices[p] = kind == .additive ? indices[p] - mean : indices[p] / mean }
        return (0..<n).map { indices[$0 % m] }
    }

    /// Sample autocorrelations r₁…r_lags: r_k = Σ(y_t − ȳ)(y_{t+k} − ȳ) / Σ(y_t − ȳ)².
    public static func autocorrelations(_ y: [Double], lags: Int) -> [Double] {
        let n = y.count
        let mean = y.reduce(0, +) / Double(n)
        var denominator = 0.0
        for v in y { denominator += (v - mean) * (v - mean) }
        guard denominator > 0 else { return [Double](repeating: 0, count: lags) }
        return (1...lags).map { k in
            guard k < n else { return 0 }
            var sum = 0.0
            for t in 0..<(n - k) { sum += (y[t] - mean) * (y[t + k] - mean) }
            return sum / denominator
        }
    }

    /// The 90% one-sided test of the Theta method (Assimakopoulos & Nikolopoulos 2000): seasonal
    /// when |r_m| > 1.645 · √((1 + 2 Σ_{k<m} r_k²) / n), for m ≥ 4 and n ≥ 2m.
    public static func isSeasonal(_ y: [Double], period m: Int) -> Bool {
        guard m >= 4, y.count >= 2 * m else { return false }
        let r = autocorrelations(y, lags: m)
        var sum = 0.0
        for k in 0..<(m - 1) { sum += r[k] * r[k] }
        let limit = ((1 + 2 * sum) / Double(y.count)).squareRoot()
        return abs(r[m - 1]) / limit > 1.6448536269514722
    }
}

/// Ordinary least squares for a handful of columns, by the normal equations and Gaussian
/// elimination with partial pivoting (the designs here have 2 or 4 columns).
enum SmallLeastSquares {
    /// β minimising ‖Xβ − y‖² for the row-major `rows × columns` design `x`.
    static func solve(_ x: [Double], rows: Int, columns p: Int, _ y: [Double]) -> [Double] {
        var a = [Double](repeating: 0, count: p * (p + 1))
        for r in 0..<rows {
            for i in 0..<p {
                let xi = x[r * p + i]
                for j in 0..<p { a[i * (p + 1) + j] += xi * x[r * p + j] }
                a[i * (p + 1) + p] += xi * y[r]
            }
        }
        for c in 0..<p {
            var pivot = c
            for r in (c + 1)..<max(c + 1, p) where abs(a[r * (p + 1) + c]) > abs(a[pivot * (p + 1) + c]) { pivot = r }
            if pivot != c { for k in 0...p { a.swapAt(c * (p + 1) + k, pivot * (p + 1) + k) } }
            let d = a[c * (p + 1) + c]
            guard abs(d) > 1e-300 else { continue }
            for r in 0..<p where r != c {
                let f = a[r * (p + 1) + c] / d
                if f == 0 { continue }
                for k in c...p { a[r * (p + 1) + k] -= f * a[c * (p + 1) + k] }
            }
        }
        return (0..<p).map { i in
            let d = a[i * (p + 1) + i]
            return abs(d) > 1e-300 ? a[i * (p + 1) + p] / d : 0
        }
    }
}
