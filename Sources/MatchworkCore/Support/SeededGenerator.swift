import RealModule

/// xoshiro256** seeded through SplitMix64: a fast generator whose stream depends only on the
/// seed, on every platform and Swift version, so the same seed gives byte-identical data.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0, s1, s2, s3: UInt64

    public init(seed: UInt64) {
        var x = seed
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitmix(); s1 = splitmix(); s2 = splitmix(); s3 = splitmix()
    }

    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// A child generator for an independent sub-stream (one per entity kind).
    public mutating func fork() -> SeededGenerator { SeededGenerator(seed: next()) }

    /// Uniform in [0, 1), 53 bits.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in [a, b).
    public mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * unit() }

    /// Uniform integer in `range`.
    public mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// Standard normal by Box-Muller.
    public mutating func normal(mean: Double = 0, sd: Double = 1) -> Double {
        let u1 = max(unit(), 1e-300), u2 = unit()
        return mean + sd * (-2 * Double.log(u1)).squareRoot() * Double.cos(2 * Double.pi * u2)
    }

    /// Exponential with the given mean.
    public mutating func exponential(mean: Double) -> Double { -mean * Double.log(1 - unit()) }

    /// Poisson by inversion (small means) or a rounded normal (large means).
    public mutating func poisson(mean: Double) -> Int {
        if mean > 30 { return max(0, Int(normal(mean: mean, sd: mean.squareRoot()).rounded())) }
        let limit = Double.exp(-mean)
        var k = 0, p = unit()
        while p > limit { k += 1; p *= unit() }
        return k
    }

    /// An index drawn with probability proportional to `weights` (all non-negative, some positive).
    public mutating func weightedIndex(_ weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var r = unit() * total
        for (i, w) in weights.enumerated() {
            r -= w
            if r < 0 { return i }
        }
        return weights.lastIndex { $0 > 0 } ?? 0
    }

    /// An element drawn uniformly.
    public mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }

    /// `k` distinct indices of `0..<n` drawn with probability proportional to `weights`.
    public mutating func sampleWithoutReplacement(_ weights: [Double], count k: Int) -> [Int] {
        var w = weights
        var chosen: [Int] = []
        for _ in 0..<min(k, w.filter { $0 > 0 }.count) {
            let i = weightedIndex(w)
            chosen.append(i)
            w[i] = 0
        }
        return chosen
    }

    /// A shuffled copy (Fisher-Yates).
    public mutating func shuffled<T>(_ items: [T]) -> [T] {
        var a = items
        if a.count < 2 { return a }
        for i in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(i, Int(next() % UInt64(i + 1))) }
        return a
    }
}
