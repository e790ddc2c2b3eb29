internal import Foundation
import MatchworkCore

/// The file formats Matchwork reads and writes.
public enum RecordFileFormat: String, Sendable, CaseIterable {
    case csv
    /// JSON Lines: one JSON object per line.
    case jsonLines = "jsonl"

    /// The format named by a file's extension: `.csv`, or `.jsonl` / `.ndjson`.
    public static func infer(path: String) throws(StoreError) -> RecordFileFormat {
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") { return .csv }
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") { return .jsonLines }
        throw StoreError(.unreadableFile, "Cannot tell the format of '\(path)' from its name; rename it to end in .csv or .jsonl.")
    }

    public var fileExtension: String { rawValue }
}

/// A row that could not be imported: where it is, which column, which value, and why.
public struct RejectedRow: Sendable, Hashable {
    public var file: String
    public var line: Int
    public var column: String?
    public var value: String?
    public var reason: String

    /// `people.csv, line 3, column 'latitude', value '95': latitude 95.0 is outside …`
    public var text: String {
        var where_ = "\(file), line \(line)"
        if let column { where_ += ", column '\(column)'" }
        if let value { where_ += ", value '\(value.count > 60 ? value.prefix(60) + "…" : Substring(value))'" }
        return "\(where_): \(reason)"
    }
}

/// One parsed row of a file: its line and its values aligned with a format's columns.
struct ParsedRow {
    var line: Int
    var row: RecordRow
}

/// Reads a whole record file into rows aligned with a list of known columns.
enum RecordFileReader {
    static func bytes(of path: String) throws(StoreError) -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError(.unreadableFile, "File '\(path)' does not exist; check the path.")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StoreError(.unreadableFile, "File '\(path)' cannot be read; check its permissions.")
        }
        return [UInt8](data)
    }

    static func fileName(_ path: String) -> String { (path as NSString).lastPathComponent }

    /// The header of a CSV file, or the keys of the first JSON Lines object.
    static func header(of bytes: [UInt8], format: RecordFileFormat, path: String) throws(StoreError) -> [String] {
        switch format {
        case .csv:
            var reader = CSVReader(bytes: bytes)
            var fields: [String] = []
            do {
                guard try reader.nextRow(into: &fields) != nil else {
                    throw StoreError(.unreadableFile, "File '\(path)' is empty; it needs a header row.")
                }
            } catch let failure as CSVReader.Failure {
                throw StoreError(.unreadableFile, "\(fileName(path)), line \(failure.line): \(failure.reason).")
            } catch { throw error as! StoreError }
            return fields.map { $0.trimmingCharacters(in: .whitespaces) }
        case .jsonLines:
            return []
        }
    }

    /// Reads every row. Structural failures of a single row (bad quoting, bad JSON) become
    /// rejected rows; a bad header fails the whole file.
    static func read(
        path: String, format: RecordFileFormat, columns: [String], required: [String],
        rejected: inout [RejectedRow]
    ) throws(StoreError) -> [ParsedRow] {
        let bytes = try bytes(of: path)
        let file = fileName(path)
        switch format {
        case .csv: return try readCSV(bytes, file: file, path: path, columns: columns, required: required, rejected: &rejected)
        case .jsonLines: return try readJSONLines(bytes, file: file, columns: columns, required: required, rejected: &rejected)
        }
    }

    static func checkHeader(_ header: [String], file: String, columns: [String], required: [String]) throws(StoreError) -> [Int] {
        var positions: [Int] = []
        var seen = Set<String>()
        for name in header {
            guard let position = columns.firstIndex(of: name) else {
                throw StoreError(.unreadableFile, "\(file): unknown column '\(name)'; the columns are \(columns.joined(separator: ", ")).")
            }
            guard seen.insert(name).inserted else {
                throw StoreError(.unreadableFile, "\(file): column '\(name)' appears twice in the header; keep one.")
            }
            positions.append(position)
        }
        for name in required where !seen.contains(name) {
            throw StoreError(.unreadableFile, "\(file): the header has no '\(name)' column; it needs \(required.joined(separator: ", ")).")
        }
        return positions
    }

    private static func readCSV(
        _ bytes: [UInt8], file: String, path: String, columns: [String], required: [String], rejected: inout [RejectedRow]
    ) throws(StoreError) -> [ParsedRow] {
        let header = try header(of: bytes, format: .csv, path: path)
        let positions = try checkHeader(header, file: file, columns: columns, required: required)
        var reader = CSVReader(bytes: bytes)
        var fields: [String] = []
        var rows: [ParsedRow] = []
        rows.reserveCapacity(bytes.count / 48)
        _ = try? reader.nextRow(into: &fields)
        while true {
            let line: Int?
            do { line = try reader.nextRow(into: &fields) } catch {
                rejected.append(RejectedRow(file: file, line: error.line, column: nil, value: nil, reason: error.reason))
                // The rest of the file cannot be framed reliably after a broken quote.
                break
            }
            guard let line else { break }
            guard fields.count == header.count else {
                rejected.append(RejectedRow(file: file, line: line, column: nil, value: nil,
                    reason: "the row has \(fields.count) fields but the header has \(header.count); quote fields that contain commas"))
                continue
            }
            var values = [String?](repeating: nil, count: columns.count)
            for (i, field) in fields.enumerated() where !field.isEmpty { values[positions[i]] = field }
            rows.append(ParsedRow(line: line, row: RecordRow(values: values)))
        }
        return rows
    }

    private static func readJSONLines(
        _ bytes: [UInt8], file: String, columns: [String], required: [String], rejected: inout [RejectedRow]
    ) throws(StoreError) -> [ParsedRow] {
        var rows: [ParsedRow] = []
        var line = 0
        var start = 0
        let known = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })
        while start < bytes.count {
            line += 1
            var end = start
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            defer { start = end + 1 }
            let slice = bytes[start..<end]
            if slice.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(slice)) as? [String: Any] else {
                rejected.append(RejectedRow(file: file, line: line, column: nil, value: nil, reason: "the line is not a JSON object; write one {…} object per line"))
                continue
            }
            var values = [String?](repeating: nil, count: columns.count)
            var bad: RejectedRow?
            for (key, value) in object {
                guard let position = known[key] else {
                    bad = RejectedRow(file: file, line: line, column: key, value: nil, reason: "unknown key '\(key)'; the keys are \(columns.joined(separator: ", "))")
                    break
                }
                if let text = JSONValue.text(of: value), !text.isEmpty { values[position] = text }
            }
            if bad == nil, let missing = required.first(where: { values[known[$0]!] == nil }) {
                bad = RejectedRow(file: file, line: line, column: missing, value: nil, reason: "\(missing) is missing; every object needs \(required.joined(separator: ", "))")
            }
            if let bad { rejected.append(bad); continue }
            rows.append(ParsedRow(line: line, row: RecordRow(values: values)))
        }
        return rows
    }
}
