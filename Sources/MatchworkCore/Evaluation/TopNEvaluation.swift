import Dispatch

/// A model that scores every item for a user seen in training.
public protocol TopNModel: Sendable {
    /// The number of items scored.
    var itemCount: Int { get }
    /// Writes user `u`'s score of every item into `scores` (`itemCount` values); higher is better.
    func scores(user u: Int, into scores: UnsafeMutableBufferPointer<Float>)
}

extension TopNModel {
    /// User `u`'s best `count` items with their scores, best first (ties: smaller index),
    /// leaving out the items `u` has in `train` and every item in `excluding` (filters).
    ///
    /// - Complexity: O(items) to score, and O(items log count) to select.
    public func recommend(user u: Int, count: Int, train: InteractionMatrix, excluding: Set<Int32> = []) -> [(item: Int32, score: Float)] {
        var scores = [Float](repeating: 0, count: itemCount)
        scores.withUnsafeMutableBufferPointer { self.scores(user: u, into: $0) }
        if u >= 0 && u < train.users {
            for p in train.row(u) where Int(train.rowItems[p]) < scores.count { scores[Int(train.rowItems[p])] = -.infinity }
        }
        for item in excluding where item >= 0 && Int(item) < scores.count { scores[Int(item)] = -.infinity }
        var top = TopK(max(1, count))
        for i in scores.indices where scores[i] > -.infinity { top.offer(scores[i], Int32(i)) }
        return count > 0 ? top.sortedWithScores().map { ($0.0, $0.1) } : []
    }
}

/// Top-N metrics of ../shared/PROTOCOL.md, averaged over the evaluated users.
public struct TopNMetrics: Sendable, Hashable, Codable {
    public var k: Int
    public var precision: Double
    public var recall: Double
    public var ndcg: Double
    public var map: Double
    public var hitRate: Double
    public var coverage: Double
    public var usersEvaluated: Int
    /// Mean wall time to score and rank one user's top K, in milliseconds.
    public var recommendMillisecondsPerUser: Double

    /// `precision@10`, `recall@10`… as the evaluate contract names them.
    public var named: [String: Double] {
        ["precision@\(k)": precision, "recall@\(k)": recall, "ndcg@\(k)": ndcg, "map@\(k)": map, "hitrate@\(k)": hitRate, "coverage@\(k)": coverage]
    }
}

public enum TopNEvaluation {
    /// Scores `model` on `test`: for each user with at least one row in `train` and one in
    /// `test`, the top `k` items after removing the user's train items, against the user's test
    /// items (items only in test stay relevant). Users are spread over `threads` workers.
    public static func evaluate(_ model: some TopNModel, train: InteractionMatrix, test: InteractionMatrix, k: Int = 10, threads: Int = 2) -> TopNMetrics {
        let evaluated = (0..<min(train.users, test.users)).filter { !train.row($0).isEmpty && !test.row($0).isEmpty }
        let workers = max(1, min(threads, evaluated.count))
        // The workers parallelise; BLAS calls inside them stay on their thread.
        LinearAlgebra.setLibraryThreads(1)
        let partials = PartialSums(workers)
        let clock = ContinuousClock()
        let started = clock.now
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var sums = Sums(items: train.items)
            var scores = [Float](repeating: 0, count: model.itemCount)
            var top = TopK(k)
            scores.withUnsafeMutableBufferPointer { buffer in
                var index = w
                while index < evaluated.count {
                    let u = evaluated[index]
                    index += workers
                    model.scores(user: u, into: buffer)
                    for p in train.row(u) where Int(train.rowItems[p]) < buffer.count { buffer[Int(train.rowItems[p])] = -.infinity }
                    top.reset()
                    for i in 0..<buffer.count where buffer[i] > -.infinity { top.offer(buffer[i], Int32(i)) }
                    let list = top.sorted()
                    let relevant = test.row(u)
                    var hits = 0.0, dcg = 0.0, ap = 0.0
                    for (rank, item) in list.enumerated() {
                        sums.recommended[Int(item)] = true
                        guard test.rowItems[relevant].sortedContains(item) else { continue }
                        hits += 1
                        dcg += 1 / Self.log2(Double(rank + 2))
                        ap += hits / Double(rank + 1)
                    }
                    var idcg = 0.0
                    for rank in 0..<min(relevant.count, k) { idcg += 1 / Self.log2(Double(rank + 2)) }
                    sums.precision += hits / Double(k)
                    sums.recall += hits / Double(relevant.count)
                    sums.ndcg += dcg / idcg
                    sums.map += ap / Double(min(relevant.count, k))
                    sums.hitRate += hits > 0 ? 1 : 0
                }
            }
            partials.store(sums, at: w)
        }
        let elapsed = started.duration(to: clock.now)
        let total = partials.total(items: train.items)
        let n = Double(max(1, evaluated.count))
        var trainItems = Set<Int32>()
        for item in train.rowItems { trainItems.insert(item) }
        let recommended = total.recommended.enumerated().count { $0.element }
        let seconds = elapsed.inSeconds
        return TopNMetrics(
            k: k, precision: total.precision / n, recall: total.recall / n, ndcg: total.ndcg / n, map: total.map / n, hitRate: total.hitRate / n,
            coverage: trainItems.isEmpty ? 0 : Double(recommended) / Double(trainItems.count), usersEvaluated: evaluated.count,
            recommendMillisecondsPerUser: evaluated.isEmpty ? 0 : seconds * 1000 * Double(workers) / Double(evaluated.count))
    }

    static func log2(_ x: Double) -> Double { RankingMetrics.log2(x) }

    struct Sums: Sendable {
        var precision = 0.0, recall = 0.0, ndcg = 0.0, map = 0.0, hitRate = 0.0
        var recommended: [Bool]
        init(items: Int) { recommended = [Bool](repeating: false, count: items) }
    }

    /// Per-worker sums, written once by each worker.
    final class PartialSums: @unchecked Sendable {
        // Each slot is written by exactly one worker, and read after all have finished.
        private var slots: [Sums?]
        init(_ count: Int) { slots = [Sums?](repeating: nil, count: count) }
        func store(_ sums: Sums, at index: Int) { slots[index] = sums }
        func total(items: Int) -> Sums {
            var total = Sums(items: items)
            for case let s? in slots {
                total.precision += s.precision
                total.recall += s.recall
                total.ndcg += s.ndcg
                total.map += s.map
                total.hitRate += s.hitRate
                for i in 0..<items where s.recommended[i] { total.recommended[i] = true }
            }
            return total
        }
    }
}

/// The `k` largest scores, ties broken by the smaller item index.
struct TopK {
    private var heap = MinHeap(capacity: 1)
    let k: Int

    init(_ k: Int) {
        self.k = k
        heap = MinHeap(capacity: k)
    }

    mutating func reset() { heap = MinHeap(capacity: k) }

    @inline(__always)
    mutating func offer(_ score: Float, _ item: Int32) {
        if heap.isFull, Double(score) < heap.minimum { return }
        heap.offer((Double(score), item))
    }

    var heapItems: [(weight: Double, other: DenseIndex)] { heap.items }

    /// Items, best first.
    func sorted() -> [Int32] { heap.items.sorted { ($0.weight, $1.other) > ($1.weight, $0.other) }.map(\.other) }
}
