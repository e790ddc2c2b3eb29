/// A dense internal index (row of a factor matrix, position in a feature table).
///
/// Kept apart from external identifiers: models index arrays by `DenseIndex`, never by strings.
public typealias DenseIndex = Int32

/// A two-way map between external identifiers and dense indices `0..<count`, in insertion order.
///
/// ```swift
/// var index = IDIndex<PersonID>()
/// let i = index.insert("w_42")   // 0
/// index[i]                        // "w_42"
/// index.index(of: "w_42")         // 0
/// ```
public struct IDIndex<ID: Hashable & Sendable>: Sendable {
    private var ids: [ID] = []
    private var positions: [ID: DenseIndex] = [:]

    public init() {}

    public init(_ ids: some Sequence<ID>) {
        for id in ids { insert(id) }
    }

    /// The number of identifiers mapped.
    public var count: Int { ids.count }

    /// Returns the dense index of `id`, adding it at the end when it is new.
    @discardableResult
    public mutating func insert(_ id: ID) -> DenseIndex {
        if let existing = positions[id] { return existing }
        let next = DenseIndex(ids.count)
        ids.append(id)
        positions[id] = next
        return next
    }

    /// The dense index of `id`, or `nil` when it is not mapped.
    public func index(of id: ID) -> DenseIndex? { positions[id] }

    /// The identifier at a dense index.
    ///
    /// - Precondition: `index` is in `0..<count`.
    public subscript(index: DenseIndex) -> ID { ids[Int(index)] }

    /// All identifiers, ordered by dense index.
    public var identifiers: [ID] { ids }
}
