import HeapModule

/// A bounded min-heap keeping the `capacity` largest weights (of equal weights, the smaller
/// index), on swift-collections' `Heap`: it replaced a binary heap of our own that took 1.4 to
/// 2 times as long for the same items (`swift run -c release TopK` in `Benchmarks/`).
///
/// ``items`` come in no particular order: every user sorts them (or sums them in an order of
/// its own).
struct MinHeap {
    private struct Entry: Comparable {
        let weight: Double
        let other: DenseIndex

        /// The smaller weight first; of equal weights the larger index, so that it goes first.
        static func < (a: Entry, b: Entry) -> Bool { (a.weight, b.other) < (b.weight, a.other) }
    }

    private var heap = Heap<Entry>()
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        heap.reserveCapacity(capacity)
    }

    var isFull: Bool { heap.count >= capacity }
    /// The smallest weight kept (`-inf` when empty).
    var minimum: Double { heap.min?.weight ?? -.infinity }
    var items: [(weight: Double, other: DenseIndex)] { heap.unordered.map { ($0.weight, $0.other) } }

    mutating func offer(_ item: (weight: Double, other: DenseIndex)) {
        let entry = Entry(weight: item.weight, other: item.other)
        if heap.count < capacity {
            heap.insert(entry)
        } else if let least = heap.min, least < entry {
            heap.replaceMin(with: entry)
        }
    }
}
