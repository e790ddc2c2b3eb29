/// Rows of an interaction file of ../shared/PROTOCOL.md (`user,item,rating,timestamp`), with
/// dense user and item indices.
///
/// ```swift
/// var builder = RatingTable.Builder()
/// try builder.append(user: "u1", item: "i9", rating: 4, timestamp: 1_700_000_000, line: 2)
/// let table = builder.table
/// ```
public struct RatingTable: Sendable {
    /// External ids by dense index.
    public private(set) var userIDs: [String] = []
    public private(set) var itemIDs: [String] = []
    /// One entry per row, in file order.
    public private(set) var users: [Int32] = []
    public private(set) var items: [Int32] = []
    public private(set) var ratings: [Float] = []
    public private(set) var timestamps: [Int64] = []

    public var count: Int { users.count }

    /// Builds a table row by row, refusing a `(user, item)` pair seen before.
    public struct Builder: Sendable {
        public private(set) var table = RatingTable()
        private var userIndex: [String: Int32] = [:]
        private var itemIndex: [String: Int32] = [:]
        /// The line of each pair, to name both lines of a duplicate.
        private var pairs: [UInt64: Int] = [:]

        public init() {}

        /// A builder whose user and item indices start as `table`'s, so that a test file reads
        /// into its train file's index space (new ids are appended).
        public init(indexedLike table: RatingTable) {
            self.table.userIDs = table.userIDs
            self.table.itemIDs = table.itemIDs
            for (i, id) in table.userIDs.enumerated() { userIndex[id] = Int32(i) }
            for (i, id) in table.itemIDs.enumerated() { itemIndex[id] = Int32(i) }
        }

        /// Adds one row; `line` is its line in the file, for error messages.
        public mutating func append(user: String, item: String, rating: Float, timestamp: Int64, line: Int) throws(MatchworkError) {
            let u = Self.index(of: user, in: &userIndex, ids: &table.userIDs)
            let i = Self.index(of: item, in: &itemIndex, ids: &table.itemIDs)
            let key = UInt64(UInt32(bitPattern: u)) << 32 | UInt64(UInt32(bitPattern: i))
            if let first = pairs[key] {
                throw MatchworkError(
                    .invalidValue, "line \(line): user '\(user)' and item '\(item)' were already paired on line \(first); keep one row per (user, item) pair.",
                    field: "user,item")
            }
            pairs[key] = line
            table.users.append(u)
            table.items.append(i)
            table.ratings.append(rating)
            table.timestamps.append(timestamp)
        }

        private static func index(of id: String, in map: inout [String: Int32], ids: inout [String]) -> Int32 {
            if let i = map[id] { return i }
            let i = Int32(ids.count)
            map[id] = i
            ids.append(id)
            return i
        }
    }

    /// The table of the given rows (positions in this table), keeping every user and item id.
    public func subset(_ rows: [Int]) -> RatingTable {
        var result = RatingTable()
        result.userIDs = userIDs
        result.itemIDs = itemIDs
        result.users = rows.map { users[$0] }
        result.items = rows.map { items[$0] }
        result.ratings = rows.map { ratings[$0] }
        result.timestamps = rows.map { timestamps[$0] }
        return result
    }
}

/// The splits of ../shared/PROTOCOL.md, as row positions.
public enum RatingSplit {
    public enum Method: String, Sendable, CaseIterable {
        /// Shuffled with a fixed seed; the first 80% train (rating prediction).
        case random
        /// Per user, the latest `max(1, floor(0.2 n))` rows by (timestamp, item) are test
        /// (top-N ranking).
        case temporal

        public static func parse(_ text: String, field: String = "method") throws(MatchworkError) -> Method {
            guard let method = Method(rawValue: text) else {
                throw MatchworkError(.invalidValue, "\(field) '\(text)' is not a split method; use random or temporal.", field: field)
            }
            return method
        }
    }

    /// Train and test row positions of `rows` (all rows of `table` when `nil`), each in
    /// ascending order.
    public static func split(_ table: RatingTable, rows: [Int]? = nil, method: Method, seed: UInt64 = 42) -> (train: [Int], test: [Int]) {
        let rows = rows ?? Array(0..<table.count)
        switch method {
        case .random:
            var generator = SeededGenerator(seed: seed)
            let shuffled = generator.shuffled(rows)
            let cut = Int((Double(rows.count) * 0.8).rounded(.down))
            return (shuffled[..<cut].sorted(), shuffled[cut...].sorted())
        case .temporal:
            var byUser: [Int32: [Int]] = [:]
            for r in rows { byUser[table.users[r], default: []].append(r) }
            var train: [Int] = [], test: [Int] = []
            train.reserveCapacity(rows.count)
            for (_, own) in byUser {
                let ordered = own.sorted { a, b in
                    (table.timestamps[a], table.itemIDs[Int(table.items[a])]) < (table.timestamps[b], table.itemIDs[Int(table.items[b])])
                }
                let held = max(1, Int((0.2 * Double(ordered.count)).rounded(.down)))
                train += ordered[..<(ordered.count - held)]
                test += ordered[(ordered.count - held)...]
            }
            return (train.sorted(), test.sorted())
        }
    }

    /// The four files of `matchwork split`: train and test, and the validation pair made by the
    /// same rule applied to train alone. With `positiveThreshold`, every file keeps only rows
    /// rated at least that much (the split is made first).
    public static func files(_ table: RatingTable, method: Method, positiveThreshold: Float? = nil, seed: UInt64 = 42) -> [(name: String, rows: [Int])] {
        let (train, test) = split(table, method: method, seed: seed)
        let (validationTrain, validationTest) = split(table, rows: train, method: method, seed: seed &+ 1)
        func kept(_ rows: [Int]) -> [Int] {
            guard let threshold = positiveThreshold else { return rows }
            return rows.filter { table.ratings[$0] >= threshold }
        }
        return [("train.csv", kept(train)), ("test.csv", kept(test)), ("val_train.csv", kept(validationTrain)), ("val_test.csv", kept(validationTest))]
    }
}
