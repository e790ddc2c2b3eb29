import RealModule

extension Double {
    /// Rounded to `places` decimals.
    func rounded(places: Int) -> Double {
        let f = Double.pow(10, Double(places))
        return (self * f).rounded() / f
    }

    func clamped(_ lo: Double, _ hi: Double) -> Double { Swift.min(hi, Swift.max(lo, self)) }
}
