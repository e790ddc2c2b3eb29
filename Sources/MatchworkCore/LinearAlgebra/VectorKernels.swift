/// Small dense-vector kernels over contiguous `Float` buffers: dot products, norms, batched
/// scoring of one query against the rows of a row-major matrix.
///
/// Each SIMD path has a plain scalar reference beside it (`…Reference`), and tests check that
/// they agree. Rows are padded to a multiple of 8 by ``DenseMatrix``, but the kernels accept any
/// length and handle the tail.
public enum VectorKernels {
    /// `sum(a[i] * b[i])` with `SIMD8<Float>` accumulators and a scalar tail.
    ///
    /// - Precondition: `a.count == b.count`.
    @inlinable @inline(__always)
    public static func dot(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>) -> Float {
        precondition(a.count == b.count, "dot: lengths \(a.count) and \(b.count) differ")
        let n = a.count
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        var i = 0
        guard let pa = a.baseAddress, let pb = b.baseAddress else { return 0 }
        let ra = UnsafeRawPointer(pa), rb = UnsafeRawPointer(pb)
        while i + 16 <= n {
            let x0 = ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            let y0 = rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            let x1 = ra.loadUnaligned(fromByteOffset: (i + 8) * 4, as: SIMD8<Float>.self)
            let y1 = rb.loadUnaligned(fromByteOffset: (i + 8) * 4, as: SIMD8<Float>.self)
            acc0 += x0 * y0
            acc1 += x1 * y1
            i += 16
        }
        if i + 8 <= n {
            acc0 += ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        var total = (acc0 + acc1).sum()
        while i < n {
            total += pa[i] * pb[i]
            i += 1
        }
        return total
    }

    /// `y += a · x` with `SIMD8<Float>` steps and a scalar tail.
    ///
    /// - Precondition: `x.count == y.count`.
    @inlinable @inline(__always)
    public static func axpy(_ a: Float, _ x: UnsafeBufferPointer<Float>, _ y: UnsafeMutableBufferPointer<Float>) {
        precondition(x.count == y.count, "axpy: lengths \(x.count) and \(y.count) differ")
        guard let px = x.baseAddress, let py = y.baseAddress else { return }
        let n = x.count
        let rx = UnsafeRawPointer(px), ry = UnsafeMutableRawPointer(py)
        let scale = SIMD8<Float>(repeating: a)
        var i = 0
        while i + 8 <= n {
            let v = ry.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) + scale * rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            ry.storeBytes(of: v, toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        while i < n {
            py[i] += a * px[i]
            i += 1
        }
    }

    /// One stochastic-gradient step on a pair of factor vectors, both read before either is
    /// written (Funk's update, as in Surprise's SVD):
    ///
    ///     p ← p + η (e·q − λ p)
    ///     q ← q + η (e·p − λ q)
    ///
    /// - Precondition: `p.count == q.count`.
    @inlinable @inline(__always)
    public static func sgdStep(error e: Float, learningRate eta: Float, regularization lambda: Float, _ p: UnsafeMutableBufferPointer<Float>, _ q: UnsafeMutableBufferPointer<Float>) {
        precondition(p.count == q.count, "sgdStep: lengths \(p.count) and \(q.count) differ")
        guard let pp = p.baseAddress, let pq = q.baseAddress else { return }
        let n = p.count
        let rp = UnsafeMutableRawPointer(pp), rq = UnsafeMutableRawPointer(pq)
        let ve = SIMD8<Float>(repeating: e), veta = SIMD8<Float>(repeating: eta), vl = SIMD8<Float>(repeating: lambda)
        var i = 0
        while i + 8 <= n {
            let x = rp.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            let y = rq.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            rp.storeBytes(of: x + veta * (ve * y - vl * x), toByteOffset: i * 4, as: SIMD8<Float>.self)
            rq.storeBytes(of: y + veta * (ve * x - vl * y), toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        while i < n {
            let x = pp[i], y = pq[i]
            pp[i] = x + eta * (e * y - lambda * x)
            pq[i] = y + eta * (e * x - lambda * y)
            i += 1
        }
    }

    /// The scalar reference for ``sgdStep(error:learningRate:regularization:_:_:)``.
    public static func sgdStepReference(error e: Float, learningRate eta: Float, regularization lambda: Float, _ p: UnsafeMutableBufferPointer<Float>, _ q: UnsafeMutableBufferPointer<Float>) {
        precondition(p.count == q.count, "sgdStep: lengths \(p.count) and \(q.count) differ")
        for i in 0..<p.count {
            let x = p[i], y = q[i]
            p[i] = x + eta * (e * y - lambda * x)
            q[i] = y + eta * (e * x - lambda * y)
        }
    }

    /// The scalar reference for ``axpy(_:_:_:)``.
    public static func axpyReference(_ a: Float, _ x: UnsafeBufferPointer<Float>, _ y: UnsafeMutableBufferPointer<Float>) {
        precondition(x.count == y.count, "axpy: lengths \(x.count) and \(y.count) differ")
        for i in 0..<x.count { y[i] += a * x[i] }
    }

    /// The scalar reference for ``dot(_:_:)``.
    public static func dotReference(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>) -> Float {
        precondition(a.count == b.count, "dot: lengths \(a.count) and \(b.count) differ")
        var total: Float = 0
        for i in 0..<a.count { total += a[i] * b[i] }
        return total
    }

    /// Scores `query` against every row of `matrix`: `scores[r] = dot(matrix[r], query)`.
    ///
    /// - Precondition: `query.count == matrix.columns`, `scores.count == matrix.rows`.
    /// - Complexity: O(rows × columns).
    public static func scoreRows(of matrix: DenseMatrix, against query: UnsafeBufferPointer<Float>, into scores: UnsafeMutableBufferPointer<Float>) {
        precondition(query.count == matrix.columns && scores.count == matrix.rows, "scoreRows: shape mismatch")
        matrix.storage.withUnsafeBufferPointer { all in
            for r in 0..<matrix.rows {
                let row = UnsafeBufferPointer(rebasing: all[(r * matrix.columns)..<((r + 1) * matrix.columns)])
                scores[r] = dot(row, query)
            }
        }
    }

    /// The scalar reference for ``scoreRows(of:against:into:)``.
    public static func scoreRowsReference(of matrix: DenseMatrix, against query: [Float]) -> [Float] {
        (0..<matrix.rows).map { r in
            var total: Float = 0
            for c in 0..<matrix.columns { total += matrix[r, c] * query[c] }
            return total
        }
    }

    /// Scales `vector` to unit Euclidean length in place; a zero vector stays zero.
    public static func normalize(_ vector: UnsafeMutableBufferPointer<Float>) {
        var squares: Float = 0
        for v in vector { squares += v * v }
        guard squares > 0 else { return }
        let scale = 1 / squares.squareRoot()
        for i in vector.indices { vector[i] *= scale }
    }

    /// Cosine similarity of two vectors: `a·b / (|a| |b|)`, 0 when either is zero.
    public static func cosine(_ a: [Float], _ b: [Float]) -> Float {
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                let ab = dot(pa, pb), aa = dot(pa, pa), bb = dot(pb, pb)
                guard aa > 0, bb > 0 else { return 0 }
                return ab / (aa.squareRoot() * bb.squareRoot())
            }
        }
    }

    /// Jaccard similarity `|A ∩ B| / |A ∪ B|` of two sorted, duplicate-free index lists; 0 when
    /// both are empty.
    ///
    /// - Complexity: O(|A| + |B|).
    public static func jaccard(_ a: ArraySlice<DenseIndex>, _ b: ArraySlice<DenseIndex>) -> Double {
        if a.isEmpty && b.isEmpty { return 0 }
        var i = a.startIndex, j = b.startIndex, common = 0
        while i < a.endIndex && j < b.endIndex {
            if a[i] == b[j] {
                common += 1
                i += 1
                j += 1
            } else if a[i] < b[j] {
                i += 1
            } else {
                j += 1
            }
        }
        return Double(common) / Double(a.count + b.count - common)
    }
}

/// A row-major matrix of `Float` in one contiguous buffer.
public struct DenseMatrix: Sendable, Hashable {
    public let rows: Int
    public let columns: Int
    public internal(set) var storage: [Float]

    /// A zero matrix.
    public init(rows: Int, columns: Int) {
        precondition(rows >= 0 && columns >= 0, "DenseMatrix: negative shape")
        self.rows = rows
        self.columns = columns
        storage = [Float](repeating: 0, count: rows * columns)
    }

    public subscript(row: Int, column: Int) -> Float {
        get { storage[row * columns + column] }
        set { storage[row * columns + column] = newValue }
    }

    /// A copy of one row.
    public func row(_ r: Int) -> [Float] { Array(storage[(r * columns)..<((r + 1) * columns)]) }

    /// Calls `body` with a read-only view of row `r`; the pointer must not escape.
    @inlinable
    public func withRow<R>(_ r: Int, _ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer { all in
            try body(UnsafeBufferPointer(rebasing: all[(r * columns)..<((r + 1) * columns)]))
        }
    }

    /// Replaces row `r`.
    public mutating func setRow(_ r: Int, _ values: [Float]) {
        precondition(values.count == columns, "setRow: \(values.count) values for \(columns) columns")
        storage.replaceSubrange((r * columns)..<((r + 1) * columns), with: values)
    }
}
