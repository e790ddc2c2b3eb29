/// A table of learned vectors, one row per entity (a person, an opportunity, a category).
public struct EmbeddingTable: Sendable, Hashable, Codable {
    public let rows: Int
    public let width: Int
    /// Row-major `rows × width`.
    public var values: [Float]

    /// Starts every value uniform in `±scale`.
    public init(rows: Int, width: Int, scale: Float = 0.05, generator: inout SeededGenerator) {
        precondition(rows >= 0 && width > 0, "EmbeddingTable: rows ≥ 0 and width > 0")
        self.rows = rows
        self.width = width
        values = (0..<(rows * width)).map { _ in Float(generator.unit() * 2 - 1) * scale }
    }

    /// Copies row `indices[r]` into row `r` of `output` (rows `stride` wide), from column `offset`.
    public func gather(_ indices: [Int32], into output: UnsafeMutableBufferPointer<Float>, stride: Int, offset: Int = 0) {
        values.withUnsafeBufferPointer { table in
            for (r, index) in indices.enumerated() {
                let source = Int(index) * width, target = r * stride + offset
                for d in 0..<width { output[target + d] = table[source + d] }
            }
        }
    }
}

/// The gradients of the embedding rows one batch touched; a row met twice gets the sum.
public struct RowGradients: Sendable {
    public let width: Int
    /// The rows touched, in first-touch order, and their gradients (`rows.count × width`).
    public private(set) var rows: [Int32] = []
    public private(set) var values: [Float] = []
    private var slots: [Int32: Int] = [:]

    public init(width: Int) { self.width = width }

    /// Adds ∂loss/∂row for each batch row `r` (`indices[r]`), read from `gradient` (rows
    /// `stride` wide) at column `offset`.
    public mutating func add(_ indices: [Int32], from gradient: UnsafeBufferPointer<Float>, stride: Int, offset: Int = 0) {
        for (r, index) in indices.enumerated() { add(index, from: gradient, at: r * stride + offset) }
    }

    /// Adds ∂loss/∂row for row `index`, read from `gradient` at `start` (`width` values).
    public mutating func add(_ index: Int32, from gradient: UnsafeBufferPointer<Float>, at start: Int) {
        let slot: Int
        if let known = slots[index] {
            slot = known
        } else {
            slot = rows.count
            slots[index] = slot
            rows.append(index)
            values += repeatElement(0, count: width)
        }
        for d in 0..<width { values[slot * width + d] += gradient[start + d] }
    }

    public mutating func removeAll() {
        rows.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        slots.removeAll(keepingCapacity: true)
    }
}
