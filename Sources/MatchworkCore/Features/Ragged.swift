/// Rows of varying length stored in two flat arrays (compressed rows): row `i` is
/// `values[offsets[i]..<offsets[i + 1]]`.
///
/// Hot loops read rows by index range, so that no per-row array is retained or released.
struct Ragged<Element: BitwiseCopyable & Sendable>: Sendable {
    private(set) var offsets: [Int32] = [0]
    private(set) var values: [Element] = []

    init() {}

    /// Builds the rows in order.
    init<S: Sequence>(_ rows: S) where S.Element: Sequence, S.Element.Element == Element {
        for row in rows { append(row) }
    }

    mutating func append<S: Sequence>(_ row: S) where S.Element == Element {
        values.append(contentsOf: row)
        offsets.append(Int32(values.count))
    }

    var count: Int { offsets.count - 1 }

    /// The positions of row `i` in `values`.
    @inline(__always)
    func range(_ i: Int) -> Range<Int> { Int(offsets[i])..<Int(offsets[i + 1]) }

    /// Row `i`, copied (for code outside hot loops).
    subscript(i: Int) -> [Element] { Array(values[range(i)]) }

    func isEmpty(_ i: Int) -> Bool { offsets[i] == offsets[i + 1] }
}

extension Ragged where Element: Equatable {
    /// Whether row `i` contains `value` (linear: rows are short).
    @inline(__always)
    func row(_ i: Int, contains value: Element) -> Bool {
        for k in range(i) where values[k] == value { return true }
        return false
    }
}

extension RandomAccessCollection where Element: Comparable {
    /// Whether a sorted collection contains `value` (binary search).
    func sortedContains(_ value: Element) -> Bool { sortedIndex(of: value) != nil }

    /// The position of `value` in a sorted collection (binary search), or `nil`.
    func sortedIndex(of value: Element) -> Index? {
        var low = startIndex, high = endIndex
        while low < high {
            let mid = index(low, offsetBy: distance(from: low, to: high) / 2)
            if self[mid] < value { low = index(after: mid) } else { high = mid }
        }
        return low < endIndex && self[low] == value ? low : nil
    }
}
