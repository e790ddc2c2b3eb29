public import MatchworkCore

/// Interaction files of ../shared/PROTOCOL.md: CSV with the header `user,item,rating,timestamp`
/// (columns in any order), read whole and refused with the line and the reason when a column is
/// missing, a number does not parse or a `(user, item)` pair repeats.
public enum RatingFile {
    public static let columns = ["user", "item", "rating", "timestamp"]

    /// Reads a file; with `indexedLike`, its users and items keep that table's indices.
    public static func read(_ path: String, indexedLike base: RatingTable? = nil) throws(StoreError) -> RatingTable {
        let name = RecordFile.fileName(path)
        var reader = CSVReader(bytes: try RecordFile.bytes(of: path))
        var fields: [String] = []
        func fail(_ line: Int, _ reason: String) -> StoreError { StoreError(.unreadableFile, "\(name), line \(line): \(reason)") }
        do {
            guard try reader.nextRow(into: &fields) != nil else {
                throw StoreError(.unreadableFile, "\(name) is empty; it needs the header user,item,rating,timestamp and one row per interaction.")
            }
            let header = fields.map { $0.trimmingSpaces }
            var position: [String: Int] = [:]
            for column in columns {
                guard let i = header.firstIndex(of: column) else {
                    throw fail(1, "the header has no '\(column)' column; the header must name user,item,rating,timestamp.")
                }
                position[column] = i
            }
            let (u, i, r, t) = (position["user"]!, position["item"]!, position["rating"]!, position["timestamp"]!)
            var builder = base.map { RatingTable.Builder(indexedLike: $0) } ?? RatingTable.Builder()
            while let line = try reader.nextRow(into: &fields) {
                guard fields.count == header.count else {
                    throw fail(line, "the row has \(fields.count) fields, the header \(header.count); quote fields that contain commas.")
                }
                guard !fields[u].isEmpty, !fields[i].isEmpty else {
                    throw fail(line, "the \(fields[u].isEmpty ? "user" : "item") is empty; every row needs a user and an item.")
                }
                guard let rating = Float(fields[r].trimmingSpaces), rating.isFinite else {
                    throw fail(line, "rating '\(fields[r])' is not a number; write for example 4 or 3.5 (1 for an implicit event).")
                }
                guard let timestamp = Int64(fields[t].trimmingSpaces) else {
                    throw fail(line, "timestamp '\(fields[t])' is not an integer number of Unix seconds; write for example 1700000000.")
                }
                do {
                    try builder.append(user: fields[u], item: fields[i], rating: rating, timestamp: timestamp, line: line)
                } catch {
                    throw StoreError(.unreadableFile, "\(name), \(error.message)")
                }
            }
            return builder.table
        } catch let failure as CSVReader.Failure {
            throw fail(failure.line, failure.reason)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.unreadableFile, "\(name): \(error)")
        }
    }

    /// Writes `rows` of `table` (positions, in order) with the protocol's header.
    public static func write(_ table: RatingTable, rows: [Int], to path: String) throws(StoreError) {
        var writer = CSVWriter()
        writer.writeRow(columns)
        for row in rows {
            let rating = table.ratings[row]
            let text = rating == rating.rounded() && abs(rating) < 1e9 ? String(Int(rating)) : "\(rating)"
            writer.writeRow([table.userIDs[Int(table.users[row])], table.itemIDs[Int(table.items[row])], text, String(table.timestamps[row])])
        }
        try Exporter.writeAtomically(writer.take(), to: path)
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
