import MatchworkCore
import Testing

@Suite("Vector kernels")
struct KernelTests {
    /// A small deterministic generator (SplitMix64) so that failures reproduce.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test("SIMD dot product agrees with the scalar reference", arguments: [0, 1, 7, 8, 15, 16, 17, 40, 64, 129])
    func dot(length: Int) {
        for seed in UInt64(1)...20 {
            var rng = SplitMix(state: seed)
            let a = (0..<length).map { _ in Float.random(in: -1...1, using: &rng) }
            let b = (0..<length).map { _ in Float.random(in: -1...1, using: &rng) }
            let fast = a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { VectorKernels.dot(pa, $0) } }
            let slow = a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { VectorKernels.dotReference(pa, $0) } }
            #expect(abs(fast - slow) <= 1e-5 * Float(max(1, length)), "seed \(seed)")
        }
    }

    @Test("Scoring every row agrees with the scalar reference")
    func scoreRows() {
        var rng = SplitMix(state: 7)
        var matrix = DenseMatrix(rows: 37, columns: 24)
        for r in 0..<37 { matrix.setRow(r, (0..<24).map { _ in Float.random(in: -1...1, using: &rng) }) }
        let query = (0..<24).map { _ in Float.random(in: -1...1, using: &rng) }
        var scores = [Float](repeating: 0, count: 37)
        query.withUnsafeBufferPointer { q in scores.withUnsafeMutableBufferPointer { VectorKernels.scoreRows(of: matrix, against: q, into: $0) } }
        let reference = VectorKernels.scoreRowsReference(of: matrix, against: query)
        for r in 0..<37 { #expect(abs(scores[r] - reference[r]) < 1e-5) }
    }

    @Test("Cosine and Jaccard on known values")
    func similarities() {
        #expect(abs(VectorKernels.cosine([1, 0, 1], [1, 1, 0]) - 0.5) < 1e-6)
        #expect(VectorKernels.cosine([0, 0], [1, 1]) == 0)
        #expect(VectorKernels.jaccard([1, 2, 3][...], [2, 3, 4, 5][...]) == 2.0 / 5.0)
        #expect(VectorKernels.jaccard([][...], [][...]) == 0)
        #expect(VectorKernels.jaccard([1][...], [1][...]) == 1)
    }
}
