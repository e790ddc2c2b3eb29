#if canImport(Accelerate)
import Accelerate
#else
import COpenBLAS
#endif

/// The dense algebra Matchwork needs, behind one small facade: OpenBLAS on Linux, Accelerate
/// on macOS. Matrices are row-major `Float` buffers.
///
/// Each routine has a plain scalar reference (`…Reference`) that tests compare it with.
public enum LinearAlgebra {
    /// Has the BLAS library run each routine on the calling thread alone. A server that
    /// already scores on one thread per core calls this: otherwise every product also wakes
    /// the library's own threads, which then compete with the scoring threads (measured: a
    /// fifth of the CPU spent scheduling and yielding). A no-op with Accelerate.
    ///
    /// Call it once at process start, before any product runs: OpenBLAS reallocates its
    /// buffers and must not be inside a product on another thread meanwhile.
    public static func useCallingThreadOnly() {
        #if !canImport(Accelerate)
        openblas_set_num_threads(1)
        #endif
    }

    /// `c = alpha · op(a) · op(b) + beta · c`, with `op(x)` = x or xᵀ; `a` is `m × k` after
    /// `op`, `b` is `k × n` after `op`, `c` is `m × n`, all row-major and contiguous.
    public static func gemm(
        _ a: UnsafeBufferPointer<Float>, transposeA: Bool = false, _ b: UnsafeBufferPointer<Float>, transposeB: Bool = false,
        into c: UnsafeMutableBufferPointer<Float>, m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0
    ) {
        precondition(a.count >= m * k && b.count >= k * n && c.count >= m * n, "gemm: buffers smaller than their shapes")
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            for i in 0..<(m * n) { c[i] *= beta }
            return
        }
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a.baseAddress, Int32(transposeA ? m : k), b.baseAddress, Int32(transposeB ? k : n),
            beta, c.baseAddress, Int32(n))
    }

    /// The scalar reference of ``gemm(_:transposeA:_:transposeB:into:m:n:k:alpha:beta:)``.
    public static func gemmReference(
        _ a: UnsafeBufferPointer<Float>, transposeA: Bool = false, _ b: UnsafeBufferPointer<Float>, transposeB: Bool = false,
        into c: UnsafeMutableBufferPointer<Float>, m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for p in 0..<k {
                    let x = transposeA ? a[p * m + i] : a[i * k + p]
                    let y = transposeB ? b[j * k + p] : b[p * n + j]
                    sum += x * y
                }
                c[i * n + j] = alpha * sum + beta * c[i * n + j]
            }
        }
    }

    /// `y = alpha · op(a) · x + beta · y` for a row-major `m × n` matrix `a`, with `op(a)` = a
    /// (x has n entries, y has m) or aᵀ (x has m, y has n).
    @inline(__always)
    public static func gemv(
        _ a: UnsafeBufferPointer<Float>, transpose: Bool = false, _ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>,
        m: Int, n: Int, alpha: Float = 1, beta: Float = 0
    ) {
        precondition(a.count >= m * n && x.count >= (transpose ? m : n) && y.count >= (transpose ? n : m), "gemv: buffers smaller than their shapes")
        guard m > 0, n > 0 else {
            for i in 0..<(transpose ? n : m) { y[i] *= beta }
            return
        }
        cblas_sgemv(CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), alpha, a.baseAddress, Int32(n), x.baseAddress, 1, beta, y.baseAddress, 1)
    }

    /// The scalar reference of ``gemv(_:transpose:_:into:m:n:alpha:beta:)``.
    public static func gemvReference(
        _ a: UnsafeBufferPointer<Float>, transpose: Bool = false, _ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>,
        m: Int, n: Int, alpha: Float = 1, beta: Float = 0
    ) {
        for i in 0..<(transpose ? n : m) {
            var sum: Float = 0
            for j in 0..<(transpose ? m : n) { sum += (transpose ? a[j * n + i] : a[i * n + j]) * x[j] }
            y[i] = alpha * sum + beta * y[i]
        }
    }

    /// Solves `a · x = b` for a symmetric positive definite `n × n` matrix `a` (only its lower
    /// triangle is read; it is overwritten by its Cholesky factor) and `nrhs` right-hand sides
    /// stored as the rows of `b` (overwritten by the solutions).
    ///
    /// - Returns: `false` when `a` is not positive definite (then `b` is unspecified).
    @discardableResult
    public static func solvePositiveDefinite(_ a: UnsafeMutableBufferPointer<Float>, n: Int, _ b: UnsafeMutableBufferPointer<Float>, nrhs: Int = 1) -> Bool {
        precondition(a.count >= n * n && b.count >= n * nrhs, "solvePositiveDefinite: buffers smaller than their shapes")
        guard n > 0, nrhs > 0 else { return true }
        // Row-major a is column-major aᵀ = a (symmetric): the upper triangle in Fortran's view
        // is our lower one. The rows of b are Fortran's columns.
        var uplo = CChar(UInt8(ascii: "U")), size = Int32(n), count = Int32(nrhs), lda = Int32(n), ldb = Int32(n), info: Int32 = 0
        #if canImport(Accelerate)
        var sizeC = __CLPK_integer(size), countC = __CLPK_integer(count), ldaC = __CLPK_integer(lda), ldbC = __CLPK_integer(ldb), infoC: __CLPK_integer = 0
        sposv_(&uplo, &sizeC, &countC, a.baseAddress, &ldaC, b.baseAddress, &ldbC, &infoC)
        info = Int32(infoC)
        #else
        sposv_(&uplo, &size, &count, a.baseAddress, &lda, b.baseAddress, &ldb, &info)
        #endif
        return info == 0
    }

    /// The scalar reference of ``solvePositiveDefinite(_:n:_:nrhs:)``: Cholesky `a = L Lᵀ` and
    /// two triangular solves per right-hand side.
    @discardableResult
    public static func solvePositiveDefiniteReference(_ a: UnsafeMutableBufferPointer<Float>, n: Int, _ b: UnsafeMutableBufferPointer<Float>, nrhs: Int = 1) -> Bool {
        for j in 0..<n {
            var d = Double(a[j * n + j])
            for k in 0..<j { d -= Double(a[j * n + k]) * Double(a[j * n + k]) }
            guard d > 0 else { return false }
            let ljj = d.squareRoot()
            a[j * n + j] = Float(ljj)
            for i in (j + 1)..<max(j + 1, n) {
                var s = Double(a[i * n + j])
                for k in 0..<j { s -= Double(a[i * n + k]) * Double(a[j * n + k]) }
                a[i * n + j] = Float(s / ljj)
            }
        }
        for r in 0..<nrhs {
            let base = r * n
            for i in 0..<n {
                var s = Double(b[base + i])
                for k in 0..<i { s -= Double(a[i * n + k]) * Double(b[base + k]) }
                b[base + i] = Float(s / Double(a[i * n + i]))
            }
            for i in stride(from: n - 1, through: 0, by: -1) {
                var s = Double(b[base + i])
                for k in (i + 1)..<max(i + 1, n) { s -= Double(a[k * n + i]) * Double(b[base + k]) }
                b[base + i] = Float(s / Double(a[i * n + i]))
            }
        }
        return true
    }

    /// Limits the threads the BLAS library may start; callers that parallelise themselves set 1.
    public static func setLibraryThreads(_ count: Int) {
        #if !canImport(Accelerate)
        openblas_set_num_threads(Int32(max(1, count)))
        #endif
    }
}
