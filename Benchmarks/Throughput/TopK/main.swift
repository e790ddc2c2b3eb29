// Keeping the k largest of n scored items: the bounded binary heap MatchworkCore used until issue
// 22 (BinaryHeap.swift) against swift-collections' Heap, which replaced it (MinHeap in
// MatchworkCore/Support wraps it), on the same pseudo-random weights. Each offers every item and
// reads the k kept, best first, as the engine's top-k cut and neighbour search do.
//
//     swift run -c release TopK
import HeapModule

#if canImport(Glibc)
import Glibc  // rounding (libm)
#endif

typealias DenseIndex = Int32

/// A weight and its item, ordered as MinHeap orders them (smaller weight first; ties: the larger
/// index first, so that the smaller index is kept).
struct Scored: Comparable {
    let weight: Double
    let other: DenseIndex
    static func < (a: Scored, b: Scored) -> Bool { (a.weight, b.other) < (b.weight, a.other) }
}

/// The k largest by swift-collections' min-max heap: insert until full, then replace the minimum.
func collectionsTop(_ k: Int, _ weights: [Double]) -> [Scored] {
    var heap = Heap<Scored>()
    heap.reserveCapacity(k)
    for (i, w) in weights.enumerated() {
        let item = Scored(weight: w, other: DenseIndex(i))
        if heap.count < k { heap.insert(item) } else if heap.min! < item { heap.replaceMin(with: item) }
    }
    return heap.unordered.sorted(by: >)
}

func ourTop(_ k: Int, _ weights: [Double]) -> [Scored] {
    var heap = BinaryHeap(capacity: k)
    for (i, w) in weights.enumerated() { heap.offer((w, DenseIndex(i))) }
    return heap.items.map { Scored(weight: $0.weight, other: $0.other) }.sorted(by: >)
}

/// A fixed sequence (SplitMix64), rounded to 3 decimals so that ties occur.
func weights(_ n: Int, seed: UInt64) -> [Double] {
    var state = seed
    return (0..<n).map { _ in
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return (Double((z ^ (z >> 31)) >> 11) / Double(1 << 53) * 1000).rounded() / 1000
    }
}

let clock = ContinuousClock()
print("k      n        binary heap ms  Heap ms  Heap/binary")
for (k, n, rounds) in [(10, 2_000, 2_000), (50, 2_000, 2_000), (50, 50_000, 100), (250, 50_000, 100), (20, 1_000_000, 5)] {
    let data = (0..<4).map { weights(n, seed: UInt64(42 + $0)) }
    // Same kept items, same order.
    for w in data { precondition(ourTop(k, w) == collectionsTop(k, w), "the two heaps disagree at k \(k), n \(n)") }
    var ours: [Double] = [], theirs: [Double] = []
    var sink = 0
    for _ in 0..<7 {
        let a = clock.measure { for r in 0..<rounds { sink &+= Int(ourTop(k, data[r % 4]).last!.other) } }
        let b = clock.measure { for r in 0..<rounds { sink &+= Int(collectionsTop(k, data[r % 4]).last!.other) } }
        ours.append(Double(a.components.attoseconds) / 1e15 + Double(a.components.seconds) * 1000)
        theirs.append(Double(b.components.attoseconds) / 1e15 + Double(b.components.seconds) * 1000)
    }
    let m = ours.sorted()[3], h = theirs.sorted()[3]
    func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(0, w - s.count)) }
    print(pad("\(k)", 7) + pad("\(n)", 9) + pad(String(Int(m.rounded())), 16) + pad(String(Int(h.rounded())), 9) + "\((h / m * 100).rounded() / 100)" + (sink == 42 ? " " : ""))
}
