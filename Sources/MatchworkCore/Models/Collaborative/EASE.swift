/// EASE (Steck 2019): the closed-form item-item model `B = I − P · diag(1 / diag(P))` with
/// `P = (XᵀX + λI)⁻¹`, whose diagonal is zero; a user's scores are `x_u · B`.
///
/// The dense `items × items` solve (Cholesky, through LAPACK) limits it to catalogues of at
/// most ``maximumItems`` items; above that, ``fit(_:configuration:)`` refuses and callers fall
/// back to item neighbours.
public struct EASEModel: TopNModel {
    public struct Configuration: Sendable, Hashable, Codable {
        public var regularization: Float = 500
        public var threads = 2

        public init() {}

        public func validate() throws(MatchworkError) {
            guard regularization.isFinite, regularization > 0 else {
                throw MatchworkError(.invalidConfiguration, "regularization \(regularization) must be a positive number.", field: "regularization")
            }
        }
    }

    /// 10,000 items: a 400 MB weight matrix and about 10¹² floating-point operations to solve.
    public static let maximumItems = 10_000

    public let configuration: Configuration
    /// Row-major `items × items`.
    let weights: [Float]
    let train: InteractionMatrix
    public var itemCount: Int { train.items }

    public init(_ train: InteractionMatrix, configuration: Configuration = Configuration()) throws(MatchworkError) {
        try configuration.validate()
        let n = train.items
        guard n <= Self.maximumItems else {
            throw MatchworkError(
                .invalidConfiguration, "EASE solves a dense \(n) × \(n) system; it is limited to \(Self.maximumItems) items. Use item-knn for larger catalogues.",
                field: "model")
        }
        self.configuration = configuration
        self.train = train
        // G = XᵀX + λI, from the sparse rows (binary interactions weigh their values).
        var gram = [Float](repeating: 0, count: n * n)
        for u in 0..<train.users {
            let row = train.row(u)
            for p in row {
                let i = Int(train.rowItems[p]), vi = train.rowValues[p]
                for q in row { gram[i * n + Int(train.rowItems[q])] += vi * train.rowValues[q] }
            }
        }
        for i in 0..<n { gram[i * n + i] += configuration.regularization }
        // P = G⁻¹: solve G P = I.
        var inverse = [Float](repeating: 0, count: n * n)
        for i in 0..<n { inverse[i * n + i] = 1 }
        LinearAlgebra.setLibraryThreads(configuration.threads)
        let solved = gram.withUnsafeMutableBufferPointer { g in inverse.withUnsafeMutableBufferPointer { LinearAlgebra.solvePositiveDefinite(g, n: n, $0, nrhs: n) } }
        LinearAlgebra.setLibraryThreads(1)
        guard solved else {
            throw MatchworkError(.invalidConfiguration, "EASE's system is not positive definite; raise regularization.", field: "regularization")
        }
        // B[i][j] = −P[i][j] / P[j][j], B[j][j] = 0 (P is symmetric, so rows and columns agree).
        var weights = inverse
        for i in 0..<n {
            for j in 0..<n { weights[i * n + j] = i == j ? 0 : -inverse[i * n + j] / inverse[j * n + j] }
        }
        self.weights = weights
    }

    public func scores(user u: Int, into scores: UnsafeMutableBufferPointer<Float>) {
        let n = train.items
        for i in 0..<n { scores[i] = 0 }
        weights.withUnsafeBufferPointer { b in
            for p in train.row(u) {
                let j = Int(train.rowItems[p]), value = train.rowValues[p]
                VectorKernels.axpy(value, UnsafeBufferPointer(rebasing: b[(j * n)..<((j + 1) * n)]), UnsafeMutableBufferPointer(rebasing: scores[0..<n]))
            }
        }
    }
}
