import MatchworkCore
import Testing

@Suite("BLAS and LAPACK facade against scalar references")
struct LinearAlgebraTests {
    func random(_ count: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Float(generator.uniform(-1, 1)) }
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func gemmMatchesReference(transposeA: Bool, transposeB: Bool) {
        let (m, n, k) = (13, 7, 19)
        let a = random(m * k, seed: 1), b = random(k * n, seed: 2)
        var fast = random(m * n, seed: 3), slow = fast
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                fast.withUnsafeMutableBufferPointer { LinearAlgebra.gemm(a, transposeA: transposeA, b, transposeB: transposeB, into: $0, m: m, n: n, k: k, alpha: 0.5, beta: 2) }
                slow.withUnsafeMutableBufferPointer { LinearAlgebra.gemmReference(a, transposeA: transposeA, b, transposeB: transposeB, into: $0, m: m, n: n, k: k, alpha: 0.5, beta: 2) }
            }
        }
        for i in fast.indices { #expect(abs(fast[i] - slow[i]) < 1e-4) }
    }

    @Test(arguments: [false, true])
    func gemvMatchesReference(transpose: Bool) {
        let (m, n) = (11, 70)
        let a = random(m * n, seed: 6), x = random(transpose ? m : n, seed: 7)
        var fast = random(transpose ? n : m, seed: 8), slow = fast
        a.withUnsafeBufferPointer { a in
            x.withUnsafeBufferPointer { x in
                fast.withUnsafeMutableBufferPointer { LinearAlgebra.gemv(a, transpose: transpose, x, into: $0, m: m, n: n, alpha: 2, beta: -1) }
                slow.withUnsafeMutableBufferPointer { LinearAlgebra.gemvReference(a, transpose: transpose, x, into: $0, m: m, n: n, alpha: 2, beta: -1) }
            }
        }
        for i in fast.indices { #expect(abs(fast[i] - slow[i]) < 1e-4) }
    }

    @Test func axpyMatchesReference() {
        for n in [0, 5, 8, 67] {
            let x = random(n, seed: 9)
            var fast = random(n, seed: 10), slow = fast
            x.withUnsafeBufferPointer { x in
                fast.withUnsafeMutableBufferPointer { VectorKernels.axpy(0.75, x, $0) }
                slow.withUnsafeMutableBufferPointer { VectorKernels.axpyReference(0.75, x, $0) }
            }
            for i in fast.indices { #expect(abs(fast[i] - slow[i]) < 1e-6) }
        }
    }

    @Test func sgdStepMatchesReference() {
        for n in [0, 3, 8, 50] {
            var p1 = random(n, seed: 11), q1 = random(n, seed: 12)
            var p2 = p1, q2 = q1
            p1.withUnsafeMutableBufferPointer { p in q1.withUnsafeMutableBufferPointer { q in VectorKernels.sgdStep(error: 0.7, learningRate: 0.05, regularization: 0.1, p, q) } }
            p2.withUnsafeMutableBufferPointer { p in q2.withUnsafeMutableBufferPointer { q in VectorKernels.sgdStepReference(error: 0.7, learningRate: 0.05, regularization: 0.1, p, q) } }
            for i in 0..<n {
                #expect(abs(p1[i] - p2[i]) < 1e-6 && abs(q1[i] - q2[i]) < 1e-6)
            }
        }
    }

    @Test("Cholesky solves agree, and recover x from a · x")
    func choleskyMatchesReference() {
        let n = 24, nrhs = 3
        // a = mᵀm + n·I is symmetric positive definite.
        let m = random(n * n, seed: 4)
        var a = [Float](repeating: 0, count: n * n)
        m.withUnsafeBufferPointer { mm in a.withUnsafeMutableBufferPointer { LinearAlgebra.gemmReference(mm, transposeA: true, mm, into: $0, m: n, n: n, k: n) } }
        for i in 0..<n { a[i * n + i] += Float(n) }
        let x = random(n * nrhs, seed: 5)
        // b's rows are a · x_r.
        var b = [Float](repeating: 0, count: n * nrhs)
        for r in 0..<nrhs { for i in 0..<n { for j in 0..<n { b[r * n + i] += a[i * n + j] * x[r * n + j] } } }
        var a1 = a, b1 = b, a2 = a, b2 = b
        let ok1 = a1.withUnsafeMutableBufferPointer { a in b1.withUnsafeMutableBufferPointer { LinearAlgebra.solvePositiveDefinite(a, n: n, $0, nrhs: nrhs) } }
        let ok2 = a2.withUnsafeMutableBufferPointer { a in b2.withUnsafeMutableBufferPointer { LinearAlgebra.solvePositiveDefiniteReference(a, n: n, $0, nrhs: nrhs) } }
        #expect(ok1 && ok2)
        for i in x.indices {
            #expect(abs(b1[i] - x[i]) < 1e-3)
            #expect(abs(b2[i] - x[i]) < 1e-3)
        }
        // Not positive definite: refused by both.
        var bad: [Float] = [1, 2, 2, 1], rhs: [Float] = [1, 1]
        #expect(!bad.withUnsafeMutableBufferPointer { a in rhs.withUnsafeMutableBufferPointer { LinearAlgebra.solvePositiveDefinite(a, n: 2, $0) } })
        bad = [1, 2, 2, 1]
        #expect(!bad.withUnsafeMutableBufferPointer { a in rhs.withUnsafeMutableBufferPointer { LinearAlgebra.solvePositiveDefiniteReference(a, n: 2, $0) } })
    }
}
