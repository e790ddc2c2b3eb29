import Dispatch

/// Implicit-feedback matrix factorisation by alternating least squares (Hu, Koren and Volinsky
/// 2008), each least-squares problem solved approximately by a few conjugate-gradient steps
/// warm-started from the previous factors (Takács, Pilászy and Tikk 2011).
///
/// The loss, with confidence `c_ui = alpha × r_ui` for observed pairs (preference 1) and 1 for
/// the others (preference 0), is `sum c_ui (p_ui − x_u·y_i)² + λ (|X|² + |Y|²)` — the
/// conventions of the `implicit` library, so that the same hyper-parameters mean the same.
public struct ALSModel: TopNModel {
    public struct Configuration: Sendable, Hashable, Codable {
        public var factors = 64
        public var regularization: Float = 0.01
        /// Confidence per unit of interaction value.
        public var alpha: Float = 1
        public var iterations = 15
        /// Conjugate-gradient steps per least-squares problem.
        public var conjugateGradientSteps = 3
        public var seed: UInt64 = 42
        public var threads = 2

        public init() {}

        public func validate() throws(MatchworkError) {
            try check(factors, "factors", 1...1024)
            try check(iterations, "iterations", 0...1000)
            try check(conjugateGradientSteps, "cg_steps", 1...64)
            try check(threads, "threads", 1...256)
            try checkNonNegative(regularization, "regularization")
            try checkPositive(alpha, "alpha")
        }
    }

    public let configuration: Configuration
    /// Row-major `users × factors` and `items × factors`.
    public private(set) var userFactors: [Float]
    public private(set) var itemFactors: [Float]
    public let users: Int
    public var itemCount: Int { items }
    let items: Int

    /// Trains on `matrix` (users × items, values as interaction strengths).
    public init(_ matrix: InteractionMatrix, configuration: Configuration = Configuration()) throws(MatchworkError) {
        try configuration.validate()
        self.configuration = configuration
        users = matrix.users
        items = matrix.items
        let f = configuration.factors
        var generator = SeededGenerator(seed: configuration.seed)
        // Uniform in [0, 0.01), as implicit starts.
        userFactors = (0..<(users * f)).map { _ in Float(generator.unit() * 0.01) }
        itemFactors = (0..<(items * f)).map { _ in Float(generator.unit() * 0.01) }
        let confidence = matrix.rowValues.map { configuration.alpha * $0 }
        let transposed = matrix.transposed
        let columnConfidence = transposed.rowValues.map { configuration.alpha * $0 }
        LinearAlgebra.setLibraryThreads(1)
        for _ in 0..<configuration.iterations {
            Self.solve(&userFactors, fixed: itemFactors, offsets: matrix.rowOffsets, others: matrix.rowItems, confidence: confidence, configuration: configuration)
            Self.solve(&itemFactors, fixed: userFactors, offsets: transposed.rowOffsets, others: transposed.rowItems, confidence: columnConfidence, configuration: configuration)
        }
    }

    public func scores(user u: Int, into scores: UnsafeMutableBufferPointer<Float>) {
        FactorScores.score(user: u, users: userFactors, items: itemFactors, factors: configuration.factors, into: scores)
    }

    /// Which factors a fold-in solves for.
    public enum Side: Sendable {
        /// A user's factors, against the item factors.
        case user
        /// An item's factors, against the user factors.
        case item
    }

    /// The factors of a user (or item) from their interactions, without retraining: the exact
    /// solution of the least-squares problem one ALS half-step approximates,
    ///
    ///     x = (YᵀY + λI + Σ_i (c_i − 1) y_i y_iᵀ)⁻¹ Σ_i c_i y_i,   c_i = alpha × value_i
    ///
    /// over the rows `y_i` of the other side's factors. Entries whose index the model does not
    /// know are skipped; with none left the factors are zero.
    ///
    /// - Parameter gram: `YᵀY` of the other side (``gram(of:)``), computed once per model.
    /// - Complexity: O(n f² + f³) for `n` entries and `f` factors.
    public func foldIn(_ entries: [(index: Int32, value: Float)], side: Side, gram: [Float]) -> [Float] {
        Self.foldIn(
            entries, against: side == .user ? itemFactors : userFactors, gram: gram, factors: configuration.factors,
            regularization: configuration.regularization, alpha: configuration.alpha)
    }

    /// ``foldIn(_:side:gram:)`` against any factor rows `fixed` (row-major, `factors` wide) with
    /// their `gram = fixedᵀ fixed`.
    public static func foldIn(_ entries: [(index: Int32, value: Float)], against fixed: [Float], gram: [Float], factors f: Int, regularization: Float, alpha: Float) -> [Float] {
        let count = fixed.count / f
        var a = gram
        for d in 0..<f { a[d * f + d] += regularization }
        var b = [Float](repeating: 0, count: f)
        let valid = entries.filter { $0.index >= 0 && Int($0.index) < count }
        let any = !valid.isEmpty
        // A += Σ (c − 1) y yᵀ as one product Hᵀ S (H: the history's rows, S: each scaled by
        // c − 1), and b = Σ c y.
        var h = [Float](repeating: 0, count: valid.count * f), scaled = h
        fixed.withUnsafeBufferPointer { y in
            h.withUnsafeMutableBufferPointer { h in
                scaled.withUnsafeMutableBufferPointer { s in
                    b.withUnsafeMutableBufferPointer { b in
                        for (k, (index, value)) in valid.enumerated() {
                            let c = alpha * value
                            let row = Int(index) * f, out = k * f
                            for d in 0..<f {
                                let v = y[row + d]
                                h[out + d] = v
                                s[out + d] = (c - 1) * v
                                b[d] += c * v
                            }
                        }
                    }
                }
            }
        }
        if any {
            h.withUnsafeBufferPointer { h in
                scaled.withUnsafeBufferPointer { s in
                    a.withUnsafeMutableBufferPointer { LinearAlgebra.gemm(h, transposeA: true, s, into: $0, m: f, n: f, k: valid.count, beta: 1) }
                }
            }
        }
        guard any else { return b }
        let solved = a.withUnsafeMutableBufferPointer { a in b.withUnsafeMutableBufferPointer { LinearAlgebra.solvePositiveDefinite(a, n: f, $0) } }
        return solved ? b : [Float](repeating: 0, count: f)
    }

    /// `YᵀY` of row-major factor rows `f` wide.
    public static func gram(of rows: [Float], factors f: Int) -> [Float] {
        var gram = [Float](repeating: 0, count: f * f)
        rows.withUnsafeBufferPointer { y in
            gram.withUnsafeMutableBufferPointer { LinearAlgebra.gemm(y, transposeA: true, y, into: $0, m: f, n: f, k: rows.count / f) }
        }
        return gram
    }

    /// `YᵀY` of one side's factors, for ``foldIn(_:side:gram:)`` (the other side of `side`).
    public func gram(for side: Side) -> [Float] {
        Self.gram(of: side == .user ? itemFactors : userFactors, factors: configuration.factors)
    }

    /// One half-iteration: each row of `factors` is improved by conjugate gradient on its
    /// least-squares problem against `fixed`, rows spread over the configured threads.
    static func solve(_ factors: inout [Float], fixed: [Float], offsets: [Int], others: [Int32], confidence: [Float], configuration: Configuration) {
        let f = configuration.factors
        let rows = offsets.count - 1
        // YᵀY + λI, shared by every row.
        var gram = [Float](repeating: 0, count: f * f)
        fixed.withUnsafeBufferPointer { y in
            gram.withUnsafeMutableBufferPointer { LinearAlgebra.gemm(y, transposeA: true, y, into: $0, m: f, n: f, k: fixed.count / f) }
        }
        for d in 0..<f { gram[d * f + d] += configuration.regularization }
        let workers = max(1, min(configuration.threads, rows))
        let gramMatrix = gram
        factors.withUnsafeMutableBufferPointer { out in
            let target = SharedRows(out)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                fixed.withUnsafeBufferPointer { y in
                    gramMatrix.withUnsafeBufferPointer { gram in
                        var scratch = ConjugateGradientScratch(factors: f)
                        var row = w
                        while row < rows {
                            conjugateGradient(
                                row: row, into: target, fixed: y, gram: gram, offsets: offsets, others: others, confidence: confidence,
                                steps: configuration.conjugateGradientSteps, f: f, scratch: &scratch)
                            row += workers
                        }
                    }
                }
            }
        }
    }

    /// Per-worker buffers: the CG vectors, and the row's interacted factor rows gathered into
    /// one block with their confidences, so that each CG step is two BLAS matrix-vector products.
    struct ConjugateGradientScratch {
        var x: [Float], r: [Float], p: [Float], ap: [Float]
        var block: [Float] = []
        var confidence: [Float] = []
        var t: [Float] = []

        init(factors f: Int) {
            x = [Float](repeating: 0, count: f)
            r = x
            p = x
            ap = x
        }
    }

    static func conjugateGradient(
        row: Int, into target: SharedRows, fixed y: UnsafeBufferPointer<Float>, gram: UnsafeBufferPointer<Float>, offsets: [Int], others: [Int32],
        confidence: [Float], steps: Int, f: Int, scratch: inout ConjugateGradientScratch
    ) {
        let lo = offsets[row], hi = offsets[row + 1], n = hi - lo
        // A row without interactions gets zero factors (it scores 0 everywhere).
        guard n > 0 else {
            for d in 0..<f { target.buffer[row * f + d] = 0 }
            return
        }
        if scratch.block.count < n * f {
            scratch.block = [Float](repeating: 0, count: n * f)
            scratch.confidence = [Float](repeating: 0, count: n)
            scratch.t = scratch.confidence
        }
        scratch.block.withUnsafeMutableBufferPointer { block in
            scratch.confidence.withUnsafeMutableBufferPointer { c in
                for k in 0..<n {
                    let i = Int(others[lo + k])
                    _ = UnsafeMutableBufferPointer(rebasing: block[(k * f)..<((k + 1) * f)]).update(fromContentsOf: y[(i * f)..<((i + 1) * f)])
                    c[k] = confidence[lo + k]
                }
            }
        }
        scratch.x.withUnsafeMutableBufferPointer { x in
            for d in 0..<f { x[d] = target.buffer[row * f + d] }
        }
        scratch.block.withUnsafeBufferPointer { block in
            scratch.confidence.withUnsafeBufferPointer { c in
                scratch.t.withUnsafeMutableBufferPointer { t in
                    scratch.x.withUnsafeMutableBufferPointer { x in
                        scratch.r.withUnsafeMutableBufferPointer { r in
                            scratch.p.withUnsafeMutableBufferPointer { p in
                                scratch.ap.withUnsafeMutableBufferPointer { ap in
                                    let block = UnsafeBufferPointer(rebasing: block[0..<(n * f)])
                                    let t = UnsafeMutableBufferPointer(rebasing: t[0..<n])
                                    // r = b − A x, with A = YᵀY + λI + Yᵀ(C − I)Y and b = Yᵀ C p:
                                    // r = −(YᵀY + λI) x + Y_uᵀ (c − (c − 1) ⊙ Y_u x).
                                    LinearAlgebra.gemv(block, UnsafeBufferPointer(x), into: t, m: n, n: f)
                                    for k in 0..<n { t[k] = c[k] - (c[k] - 1) * t[k] }
                                    LinearAlgebra.gemv(gram, UnsafeBufferPointer(x), into: r, m: f, n: f)
                                    LinearAlgebra.gemv(block, transpose: true, UnsafeBufferPointer(t), into: r, m: n, n: f, alpha: 1, beta: -1)
                                    for d in 0..<f { p[d] = r[d] }
                                    var rsOld = VectorKernels.dot(UnsafeBufferPointer(r), UnsafeBufferPointer(r))
                                    guard rsOld > 1e-20 else { return }
                                    for _ in 0..<steps {
                                        // Ap = (YᵀY + λI) p + Y_uᵀ ((c − 1) ⊙ Y_u p).
                                        LinearAlgebra.gemv(block, UnsafeBufferPointer(p), into: t, m: n, n: f)
                                        for k in 0..<n { t[k] *= c[k] - 1 }
                                        LinearAlgebra.gemv(gram, UnsafeBufferPointer(p), into: ap, m: f, n: f)
                                        LinearAlgebra.gemv(block, transpose: true, UnsafeBufferPointer(t), into: ap, m: n, n: f, alpha: 1, beta: 1)
                                        let step = rsOld / VectorKernels.dot(UnsafeBufferPointer(p), UnsafeBufferPointer(ap))
                                        VectorKernels.axpy(step, UnsafeBufferPointer(p), x)
                                        VectorKernels.axpy(-step, UnsafeBufferPointer(ap), r)
                                        let rsNew = VectorKernels.dot(UnsafeBufferPointer(r), UnsafeBufferPointer(r))
                                        if rsNew < 1e-20 { break }
                                        let beta = rsNew / rsOld
                                        for d in 0..<f { p[d] = r[d] + beta * p[d] }
                                        rsOld = rsNew
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        scratch.x.withUnsafeBufferPointer { x in
            for d in 0..<f { target.buffer[row * f + d] = x[d] }
        }
    }
}

/// Scores of every item for one user of a factor model: `items · x_u`, one BLAS gemv.
enum FactorScores {
    static func score(user u: Int, users: [Float], items: [Float], factors f: Int, into scores: UnsafeMutableBufferPointer<Float>) {
        users.withUnsafeBufferPointer { x in
            items.withUnsafeBufferPointer { y in
                LinearAlgebra.gemv(y, UnsafeBufferPointer(rebasing: x[(u * f)..<((u + 1) * f)]), into: scores, m: items.count / f, n: f)
            }
        }
    }
}

/// A row-major buffer whose rows are written by different workers, each row by one worker only.
struct SharedRows: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Float>
    init(_ buffer: UnsafeMutableBufferPointer<Float>) { self.buffer = buffer }
}
