import RealModule

/// The standard normal distribution.
public enum Normal {
    /// `P(Z ≤ x)`, through `erfc` so that both tails keep their relative precision.
    public static func cdf(_ x: Double) -> Double { 0.5 * Double.erfc(-x / 2.0.squareRoot()) }

    /// `P(Z > x)`.
    public static func survival(_ x: Double) -> Double { 0.5 * Double.erfc(x / 2.0.squareRoot()) }

    /// The `p` quantile (`cdf(quantile(p)) == p`), for `0 < p < 1`; `-∞` and `+∞` at 0 and 1,
    /// NaN outside.
    ///
    /// Acklam's rational approximation (relative error below 1.2e-9), then one Halley step on
    /// `cdf(x) − p`, which brings it to double precision; the upper half is the lower half's mirror.
    public static func quantile(_ p: Double) -> Double {
        guard p > 0, p < 1 else { return p == 0 ? -.infinity : p == 1 ? .infinity : .nan }
        if p > 0.5 { return -quantile(1 - p) }
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        var x: Double
        if p < 0.02425 {
            let q = (-2 * Double.log(p)).squareRoot()
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else {
            let q = p - 0.5, r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        }
        // Halley: u = (Φ(x) − p) / φ(x).
        let e = cdf(x) - p
        let u = e * (2 * Double.pi).squareRoot() * Double.exp(x * x / 2)
        x -= u / (1 + x * u / 2)
        return x
    }
}

/// Student's t distribution with `df` degrees of freedom (any positive real, as Welch's test gives).
public enum StudentT {
    /// `P(T > t)`: half the regularised incomplete beta `I_{df/(df+t²)}(df/2, 1/2)` for `t ≥ 0`.
    public static func survival(_ t: Double, df: Double) -> Double {
        guard df > 0, !t.isNaN else { return .nan }
        if t.isInfinite { return t > 0 ? 0 : 1 }
        let tail = 0.5 * IncompleteBeta.regularized(df / (df + t * t), a: df / 2, b: 0.5)
        return t >= 0 ? tail : 1 - tail
    }

    /// `P(|T| > |t|)`.
    public static func twoSided(_ t: Double, df: Double) -> Double { min(1, 2 * survival(abs(t), df: df)) }

    /// The `p` quantile, for `0 < p < 1`: the root of `1 − survival(x) = p`, bracketed from the
    /// normal quantile and found by bisection to double precision.
    public static func quantile(_ p: Double, df: Double) -> Double {
        guard p > 0, p < 1, df > 0 else { return p == 0 ? -.infinity : p == 1 ? .infinity : .nan }
        if p < 0.5 { return -quantile(1 - p, df: df) }
        if p == 0.5 { return 0 }
        let tail = 1 - p
        var lo = 0.0, hi = max(1, 2 * Normal.quantile(p))
        while survival(hi, df: df) > tail { lo = hi; hi *= 2 }
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if mid == lo || mid == hi { break }
            if survival(mid, df: df) > tail { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }
}

/// The chi-square distribution with `df` degrees of freedom.
public enum ChiSquare {
    /// `P(X > x)`: the regularised upper incomplete gamma `Q(df/2, x/2)`.
    public static func survival(_ x: Double, df: Double) -> Double {
        guard df > 0, !x.isNaN else { return .nan }
        return x <= 0 ? 1 : IncompleteGamma.upper(a: df / 2, x: x / 2)
    }
}

/// The regularised incomplete gamma functions `P(a, x)` and `Q(a, x) = 1 − P(a, x)`.
///
/// The series `P = e^{−x} x^a / Γ(a+1) Σ xⁿ / ((a+1)…(a+n))` below `x < a + 1`, else the
/// continued fraction for `Q` by the modified Lentz method (Press et al., Numerical Recipes,
/// §6.2), each to a relative 1e-15.
enum IncompleteGamma {
    static func upper(a: Double, x: Double) -> Double {
        if x < a + 1 { return 1 - series(a: a, x: x) }
        return fraction(a: a, x: x)
    }

    static func lower(a: Double, x: Double) -> Double {
        if x < a + 1 { return series(a: a, x: x) }
        return 1 - fraction(a: a, x: x)
    }

    private static func prefix(a: Double, x: Double) -> Double { Double.exp(-x + a * Double.log(x) - Double.logGamma(a)) }

    private static func series(a: Double, x: Double) -> Double {
        guard x > 0 else { return 0 }
        var term = 1 / a, sum = term, n = a
        for _ in 0..<10_000 {
            n += 1
            term *= x / n
            sum += term
            if abs(term) < abs(sum) * 1e-16 { break }
        }
        return sum * prefix(a: a, x: x)
    }

    private static func fraction(a: Double, x: Double) -> Double {
        let tiny = 1e-300
        var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
        for i in 1..<10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return h * prefix(a: a, x: x)
    }
}

/// The regularised incomplete beta function `I_x(a, b)`, by its continued fraction (modified
/// Lentz; Press et al., §6.4), taken on the side of `x` where it converges fast.
enum IncompleteBeta {
    static func regularized(_ x: Double, a: Double, b: Double) -> Double {
        guard x > 0 else { return 0 }
        guard x < 1 else { return 1 }
        let logFront = Double.logGamma(a + b) - Double.logGamma(a) - Double.logGamma(b) + a * Double.log(x) + b * Double.log(1 - x)
        let front = Double.exp(logFront)
        if x < (a + 1) / (a + b + 2) { return front * fraction(x, a: a, b: b) / a }
        return 1 - front * fraction(1 - x, a: b, b: a) / b
    }

    private static func fraction(_ x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        let qab = a + b, qap = a + 1, qam = a - 1
        var c = 1.0, d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1..<10_000 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return h
    }
}
