/// A sparse users × items matrix of interaction values, in compressed rows (per user) and
/// compressed columns (per item), with indices sorted within each row and column.
public struct InteractionMatrix: Sendable {
    public let users: Int
    public let items: Int
    /// Per user `u`: items `rowItems[rowOffsets[u]..<rowOffsets[u + 1]]` with `rowValues`.
    public let rowOffsets: [Int]
    public let rowItems: [Int32]
    public let rowValues: [Float]
    /// Per item `i`: users `columnUsers[columnOffsets[i]..<columnOffsets[i + 1]]` with `columnValues`.
    public let columnOffsets: [Int]
    public let columnUsers: [Int32]
    public let columnValues: [Float]

    public var count: Int { rowItems.count }

    /// Builds the matrix from `(user, item, value)` triples; a repeated pair keeps the sum.
    public init(users: Int, items: Int, entries: [(user: Int32, item: Int32, value: Float)]) {
        self.users = users
        self.items = items
        let sorted = entries.sorted { ($0.user, $0.item) < ($1.user, $1.item) }
        var merged: [(user: Int32, item: Int32, value: Float)] = []
        merged.reserveCapacity(sorted.count)
        for e in sorted {
            if let last = merged.last, last.user == e.user, last.item == e.item {
                merged[merged.count - 1].value += e.value
            } else {
                merged.append(e)
            }
        }
        var rowOffsets = [Int](repeating: 0, count: users + 1)
        var columnOffsets = [Int](repeating: 0, count: items + 1)
        for e in merged {
            rowOffsets[Int(e.user) + 1] += 1
            columnOffsets[Int(e.item) + 1] += 1
        }
        for u in 0..<users { rowOffsets[u + 1] += rowOffsets[u] }
        for i in 0..<items { columnOffsets[i + 1] += columnOffsets[i] }
        self.rowOffsets = rowOffsets
        self.columnOffsets = columnOffsets
        rowItems = merged.map(\.item)
        rowValues = merged.map(\.value)
        var cursor = columnOffsets
        var columnUsers = [Int32](repeating: 0, count: merged.count)
        var columnValues = [Float](repeating: 0, count: merged.count)
        // Rows are visited in user order, so each column's users come out sorted.
        for e in merged {
            let k = cursor[Int(e.item)]
            columnUsers[k] = e.user
            columnValues[k] = e.value
            cursor[Int(e.item)] += 1
        }
        self.columnUsers = columnUsers
        self.columnValues = columnValues
    }

    /// The matrix of some rows of a rating table, over all of its users and items.
    ///
    /// - Parameter value: maps a rating to the stored value (for example 1 for implicit data).
    public init(_ table: RatingTable, rows: [Int]? = nil, value: (Float) -> Float = { $0 }) {
        let rows = rows ?? Array(0..<table.count)
        self.init(
            users: table.userIDs.count, items: table.itemIDs.count,
            entries: rows.map { (table.users[$0], table.items[$0], value(table.ratings[$0])) })
    }

    @inline(__always)
    public func row(_ u: Int) -> Range<Int> { rowOffsets[u]..<rowOffsets[u + 1] }

    @inline(__always)
    public func column(_ i: Int) -> Range<Int> { columnOffsets[i]..<columnOffsets[i + 1] }

    /// The transposed matrix (items × users).
    public var transposed: InteractionMatrix {
        InteractionMatrix(users: items, items: users, rowOffsets: columnOffsets, rowItems: columnUsers, rowValues: columnValues, columnOffsets: rowOffsets, columnUsers: rowItems, columnValues: rowValues)
    }

    private init(users: Int, items: Int, rowOffsets: [Int], rowItems: [Int32], rowValues: [Float], columnOffsets: [Int], columnUsers: [Int32], columnValues: [Float]) {
        self.users = users
        self.items = items
        self.rowOffsets = rowOffsets
        self.rowItems = rowItems
        self.rowValues = rowValues
        self.columnOffsets = columnOffsets
        self.columnUsers = columnUsers
        self.columnValues = columnValues
    }
}
