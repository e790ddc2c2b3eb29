/// The bounded binary min-heap MatchworkCore used before swift-collections' Heap (issue 22), kept
/// here as the baseline: it keeps the `capacity` largest weights.
struct BinaryHeap {
    private(set) var items: [(weight: Double, other: DenseIndex)] = []
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        items.reserveCapacity(capacity)
    }

    var isFull: Bool { items.count >= capacity }
    /// The smallest weight kept (`-inf` when empty).
    var minimum: Double { items.first?.weight ?? -.infinity }

    private static func less(_ a: (weight: Double, other: DenseIndex), _ b: (weight: Double, other: DenseIndex)) -> Bool {
        (a.weight, b.other) < (b.weight, a.other)
    }

    mutating func offer(_ item: (weight: Double, other: DenseIndex)) {
        if items.count < capacity {
            items.append(item)
            var i = items.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                guard Self.less(items[i], items[parent]) else { break }
                items.swapAt(i, parent)
                i = parent
            }
        } else if Self.less(items[0], item) {
            items[0] = item
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var smallest = i
                if l < items.count, Self.less(items[l], items[smallest]) { smallest = l }
                if r < items.count, Self.less(items[r], items[smallest]) { smallest = r }
                guard smallest != i else { break }
                items.swapAt(i, smallest)
                i = smallest
            }
        }
    }
}
