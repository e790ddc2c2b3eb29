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

/// A record file read into memory and split into chunks of rows that decode independently.
///
/// Rows are aligned with a format's known columns. Structural failures of a single row (bad
/// quoting, wrong field count, bad JSON) become rejected rows; a bad header fails the file.
struct RecordFile: Sendable {
    let path: String
    let file: String
    let format: RecordFileFormat
    let bytes: [UInt8]
    let columns: [String]
    let required: [String]
    /// CSV only: the header's columns and their positions among `columns`.
    let header: [String]
    let positions: [Int]
    let chunks: [RowChunker.Chunk]

    /// About 1 MiB per chunk: enough work per chunk, and enough chunks to share between cores.
    static let chunkBytes = 1 << 20

    init(path: String, columns: [String], required: [String]) throws(StoreError) {
        self.path = path
        file = RecordFile.fileName(path)
        format = try RecordFileFormat.infer(path: path)
        bytes = try RecordFile.bytes(of: path)
        self.columns = columns
        self.required = required
        switch format {
        case .csv:
            var reader = CSVReader(bytes: bytes)
            var fields: [String] = []
            do {
                guard try reader.nextRow(into: &fields) != nil else {
                    throw StoreError(.unreadableFile, "File '\(path)' is empty; it needs a header row.")
                }
            } catch let failure as CSVReader.Failure {
                throw StoreError(.unreadableFile, "\(RecordFile.fileName(path)), line \(failure.line): \(failure.reason).")
            } catch { throw error as! StoreError }
            header = fields.map { $0.trimmingCharacters(in: .whitespaces) }
            positions = try RecordFile.checkHeader(header, file: RecordFile.fileName(path), columns: columns, required: required)
            chunks = RowChunker.chunks(bytes, from: reader.offset, line: reader.line, target: RecordFile.chunkBytes, quoted: true)
        case .jsonLines:
            header = []
            positions = []
            chunks = RowChunker.chunks(bytes, from: 0, line: 1, target: RecordFile.chunkBytes, quoted: false)
        }
    }

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

    /// The header of a CSV file, read from its first 64 KiB.
    static func peekHeader(_ path: String) throws(StoreError) -> [String] {
        guard let handle = FileHandle(forReadingAtPath: path) else { _ = try bytes(of: path); return [] }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 1 << 16)) ?? Data())
        let end = head.firstIndex(of: 0x0A) ?? head.count
        var reader = CSVReader(bytes: Array(head[..<end]))
        var fields: [String] = []
        _ = try? reader.nextRow(into: &fields)
        return fields.map { $0.trimmingCharacters(in: .whitespaces) }
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

    /// The rows of chunk `index`.
    func rows(inChunk index: Int, rejected: inout [RejectedRow]) -> [ParsedRow] {
        switch format {
        case .csv: csvRows(chunks[index], rejected: &rejected)
        case .jsonLines: jsonRows(chunks[index], rejected: &rejected)
        }
    }

    private func csvRows(_ chunk: RowChunker.Chunk, rejected: inout [RejectedRow]) -> [ParsedRow] {
        var reader = CSVReader(bytes: bytes, range: chunk.range, line: chunk.line)
        var fields: [String] = []
        var rows: [ParsedRow] = []
        rows.reserveCapacity(chunk.range.count / 40)
        while true {
            let line: Int?
            do { line = try reader.nextRow(into: &fields) } catch {
                rejected.append(RejectedRow(file: file, line: error.line, column: nil, value: nil, reason: error.reason))
                // The rest of the chunk cannot be framed reliably after a broken quote.
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

    private func jsonRows(_ chunk: RowChunker.Chunk, rejected: inout [RejectedRow]) -> [ParsedRow] {
        var rows: [ParsedRow] = []
        var line = chunk.line - 1
        var start = chunk.range.lowerBound
        let known = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })
        while start < chunk.range.upperBound {
            line += 1
            var end = start
            while end < chunk.range.upperBound, bytes[end] != 0x0A { end += 1 }
            defer { start = end + 1 }
            let slice = bytes[start..<end]
            if slice.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
            guard let object = JSONReader.parse(slice)?.members else {
                rejected.append(RejectedRow(file: file, line: line, column: nil, value: nil, reason: "the line is not a JSON object; write one {…} object per line"))
                continue
            }
            if let member = JSONDuplicates.firstDuplicate(in: slice) {
                rejected.append(RejectedRow(file: file, line: line, column: member, value: nil, reason: "\(member) is given twice; give each key once"))
                continue
            }
            var values = [String?](repeating: nil, count: columns.count)
            var bad: RejectedRow?
            for key in object.keys.sorted() {
                guard let position = known[key] else {
                    bad = RejectedRow(file: file, line: line, column: key, value: nil, reason: "unknown key '\(key)'; the keys are \(columns.joined(separator: ", "))")
                    break
                }
                if let text = JSONValue.text(of: object[key]!), !text.isEmpty { values[position] = text }
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
