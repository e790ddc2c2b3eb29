import Dispatch

/// The `k` most similar columns of each column of a sparse matrix by cosine with shrinkage,
/// `s(a, b) = |R_a ∩ R_b| / (√(|R_a| |R_b|) + shrink)`, where `R_a` is the set of rows with an
/// entry in column `a`. Items of an interaction matrix give item-item neighbours; the columns of
/// its transpose give user-user neighbours.
public struct CosineNeighbours: Sendable {
    /// Per column: its neighbours and similarities, most similar first.
    let offsets: [Int]
    let neighbours: [Int32]
    let weights: [Float]

    /// - Complexity: O(Σ over columns of the entries of the rows that touch it), spread over
    ///   `threads` workers, each with its own dense counter.
    public init(columnsOf matrix: InteractionMatrix, neighbours k: Int, shrink: Float, threads: Int) {
        let columns = matrix.items
        let workers = max(1, min(threads, columns))
        let lists = NeighbourLists(columns)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var common = [Float](repeating: 0, count: columns)
            var touched: [Int32] = []
            var a = w
            while a < columns {
                defer { a += workers }
                // |R_a ∩ R_b| for every b sharing a row with a.
                for p in matrix.column(a) {
                    let row = Int(matrix.columnUsers[p])
                    for q in matrix.row(row) {
                        let b = matrix.rowItems[q]
                        if Int(b) == a { continue }
                        if common[Int(b)] == 0 { touched.append(b) }
                        common[Int(b)] += 1
                    }
                }
                var top = TopK(k)
                let na = Float(matrix.column(a).count)
                for b in touched {
                    let nb = Float(matrix.column(Int(b)).count)
                    top.offer(common[Int(b)] / ((na * nb).squareRoot() + shrink), b)
                }
                let best = top.sortedWithScores()
                for b in touched { common[Int(b)] = 0 }
                touched.removeAll(keepingCapacity: true)
                lists.store(best, at: a)
            }
        }
        (offsets, neighbours, weights) = lists.compressed()
    }

    @inline(__always)
    func range(_ a: Int) -> Range<Int> { offsets[a]..<offsets[a + 1] }

    /// Column `a`'s neighbours, most similar first.
    public func list(_ a: Int) -> [(index: Int, similarity: Float)] {
        guard a >= 0, a + 1 < offsets.count else { return [] }
        return range(a).map { (Int(neighbours[$0]), weights[$0]) }
    }

    /// Per-column lists, each written by one worker.
    final class NeighbourLists: @unchecked Sendable {
        private var lists: [[(Int32, Float)]]
        init(_ count: Int) { lists = Array(repeating: [], count: count) }
        func store(_ list: [(Int32, Float)], at i: Int) { lists[i] = list }
        func list(_ i: Int) -> [(Int32, Float)] { lists[i] }

        /// The lists in compressed rows: list `i` is `targets[offsets[i]..<offsets[i + 1]]` with `weights`.
        func compressed() -> (offsets: [Int], targets: [Int32], weights: [Float]) {
            var offsets = [0], targets: [Int32] = [], weights: [Float] = []
            for list in lists {
                for (target, weight) in list {
                    targets.append(target)
                    weights.append(weight)
                }
                offsets.append(targets.count)
            }
            return (offsets, targets, weights)
        }
    }
}

/// Configuration shared by the item-item and user-user neighbour models.
public struct NeighbourConfiguration: Sendable, Hashable, Codable {
    /// Neighbours kept per item (item-kNN) or per user (user-kNN).
    public var neighbours = 100
    public var shrink: Float = 10
    public var threads = 2

    public init() {}

    public func validate() throws(MatchworkError) {
        try check(neighbours, "neighbours", 1...100_000)
        try check(threads, "threads", 1...256)
        try checkNonNegative(shrink, "shrink")
    }
}

/// Neighbour models over ``CosineNeighbours``:
/// - item-based (`item-knn`): a user's score for item `i` is `Σ_{j ∈ I_u} s(j, i)` over the
///   items `j` they interacted with;
/// - user-based (`user-knn`): `Σ_{v ∈ N_u, i ∈ I_v} s(u, v)`, how strongly the users most like
///   them took it.
/// Also answers "similar items" or "similar people" (``similar(to:)``).
public struct NeighbourModel: TopNModel {
    public typealias Configuration = NeighbourConfiguration

    /// What the neighbours are.
    public enum Basis: String, Sendable, Hashable, Codable {
        case item, user
    }

    public let basis: Basis
    public let configuration: Configuration
    let graph: CosineNeighbours
    let train: InteractionMatrix
    public var itemCount: Int { train.items }

    public init(_ train: InteractionMatrix, basis: Basis, configuration: Configuration = Configuration()) throws(MatchworkError) {
        try configuration.validate()
        self.basis = basis
        self.configuration = configuration
        self.train = train
        graph = CosineNeighbours(
            columnsOf: basis == .item ? train : train.transposed, neighbours: configuration.neighbours, shrink: configuration.shrink, threads: configuration.threads)
    }

    public func scores(user u: Int, into scores: UnsafeMutableBufferPointer<Float>) {
        for i in 0..<scores.count { scores[i] = 0 }
        switch basis {
        case .item:
            for p in train.row(u) {
                // score_i += s(j, i) for each item j of u
                for q in graph.range(Int(train.rowItems[p])) { scores[Int(graph.neighbours[q])] += graph.weights[q] }
            }
        case .user:
            for q in graph.range(u) {
                let v = Int(graph.neighbours[q]), s = graph.weights[q]
                // score_i += s(u, v) for each item i of v
                for p in train.row(v) { scores[Int(train.rowItems[p])] += s }
            }
        }
    }

    /// The items (item-based) or users (user-based) most similar to `index`, most similar first.
    public func similar(to index: Int) -> [(index: Int, similarity: Float)] { graph.list(index) }
}

extension TopK {
    /// Items and scores, best first.
    func sortedWithScores() -> [(Int32, Float)] {
        heapItems.sorted { ($0.weight, $1.other) > ($1.weight, $0.other) }.map { ($0.other, Float($0.weight)) }
    }
}
