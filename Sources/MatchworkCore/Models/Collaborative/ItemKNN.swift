import Dispatch

/// Item-item neighbours: cosine similarity of the items' user sets with shrinkage,
/// `s(i, j) = |U_i ∩ U_j| / (sqrt(|U_i| |U_j|) + shrink)`, keeping each item's `neighbours`
/// most similar items. A user's score for item `i` is the sum of `s(j, i)` over the items `j`
/// they interacted with. Also answers "similar items".
public struct ItemKNNModel: TopNModel {
    public struct Configuration: Sendable, Hashable, Codable {
        public var neighbours = 100
        public var shrink: Float = 10
        public var threads = 2

        public init() {}

        public func validate() throws(MatchworkError) {
            try check(neighbours, "neighbours", 1...100_000)
            try check(threads, "threads", 1...256)
            guard shrink.isFinite, shrink >= 0 else {
                throw MatchworkError(.invalidConfiguration, "shrink \(shrink) must be a non-negative number.", field: "shrink")
            }
        }
    }

    public let configuration: Configuration
    /// Per item: its neighbours and similarities, most similar first.
    let neighbourOffsets: [Int]
    let neighbourItems: [Int32]
    let neighbourWeights: [Float]
    let train: InteractionMatrix
    public var itemCount: Int { train.items }

    public init(_ train: InteractionMatrix, configuration: Configuration = Configuration()) throws(MatchworkError) {
        try configuration.validate()
        self.configuration = configuration
        self.train = train
        let items = train.items, k = configuration.neighbours, shrink = configuration.shrink
        let workers = max(1, min(configuration.threads, items))
        let lists = NeighbourLists(items)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var common = [Float](repeating: 0, count: items)
            var touched: [Int32] = []
            var i = w
            while i < items {
                defer { i += workers }
                for p in train.column(i) {
                    let u = Int(train.columnUsers[p])
                    for q in train.row(u) {
                        let j = train.rowItems[q]
                        if Int(j) == i { continue }
                        if common[Int(j)] == 0 { touched.append(j) }
                        common[Int(j)] += 1
                    }
                }
                var top = TopK(k)
                let ni = Float(train.column(i).count)
                for j in touched {
                    let nj = Float(train.column(Int(j)).count)
                    top.offer(common[Int(j)] / ((ni * nj).squareRoot() + shrink), j)
                }
                let best = top.sortedWithScores()
                for j in touched { common[Int(j)] = 0 }
                touched.removeAll(keepingCapacity: true)
                lists.store(best, at: i)
            }
        }
        var offsets = [0], neighbourItems: [Int32] = [], weights: [Float] = []
        for i in 0..<items {
            for (item, weight) in lists.list(i) {
                neighbourItems.append(item)
                weights.append(weight)
            }
            offsets.append(neighbourItems.count)
        }
        neighbourOffsets = offsets
        self.neighbourItems = neighbourItems
        neighbourWeights = weights
    }

    public func scores(user u: Int, into scores: UnsafeMutableBufferPointer<Float>) {
        for i in 0..<scores.count { scores[i] = 0 }
        for p in train.row(u) {
            let j = Int(train.rowItems[p])
            for q in neighbourOffsets[j]..<neighbourOffsets[j + 1] { scores[Int(neighbourItems[q])] += neighbourWeights[q] }
        }
    }

    /// The items most similar to `item`, most similar first.
    public func similarItems(to item: Int) -> [(item: Int, similarity: Float)] {
        (neighbourOffsets[item]..<neighbourOffsets[item + 1]).map { (Int(neighbourItems[$0]), neighbourWeights[$0]) }
    }

    /// Per-item lists, each written by one worker.
    final class NeighbourLists: @unchecked Sendable {
        private var lists: [[(Int32, Float)]]
        init(_ count: Int) { lists = Array(repeating: [], count: count) }
        func store(_ list: [(Int32, Float)], at i: Int) { lists[i] = list }
        func list(_ i: Int) -> [(Int32, Float)] { lists[i] }
    }
}

extension TopK {
    /// Items and scores, best first.
    func sortedWithScores() -> [(Int32, Float)] {
        heapItems.sorted { ($0.weight, $1.other) > ($1.weight, $0.other) }.map { ($0.other, Float($0.weight)) }
    }
}
