/// A streaming RFC 4180 CSV reader over an in-memory UTF-8 buffer.
///
/// Handles quoted fields with `""` escapes and embedded newlines, `\n` and `\r\n` line ends and
/// a UTF-8 byte-order mark. Each row reports the line on which it starts.
struct CSVReader {
    struct Failure: Error {
        let line: Int
        let reason: String
    }

    private let bytes: [UInt8]
    private var position: Int
    private let end: Int
    private(set) var line: Int

    init(bytes: [UInt8]) {
        self.bytes = bytes
        position = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        end = bytes.count
        line = 1
    }

    /// A reader of the rows in `range`, which must start and end on row boundaries; `line` is
    /// the line number at `range.lowerBound`.
    init(bytes: [UInt8], range: Range<Int>, line: Int) {
        self.bytes = bytes
        position = range.lowerBound
        end = range.upperBound
        self.line = line
    }

    /// The byte offset of the next row.
    var offset: Int { position }

    /// Reads the next row into `fields`, returning its first line number, or `nil` at the end.
    /// Blank lines are skipped.
    mutating func nextRow(into fields: inout [String]) throws(Failure) -> Int? {
        fields.removeAll(keepingCapacity: true)
        let count = end
        // Skip blank lines.
        while position < count, bytes[position] == 0x0A || bytes[position] == 0x0D {
            if bytes[position] == 0x0A { line += 1 }
            position += 1
        }
        guard position < count else { return nil }
        let startLine = line
        try bytes.withUnsafeBufferPointer { (buffer) throws(Failure) in
            while true {
                if position < count, buffer[position] == 0x22 {
                    // Quoted field.
                    position += 1
                    var field: [UInt8] = []
                    while true {
                        guard position < count else {
                            throw Failure(line: startLine, reason: "a quoted field is never closed; add the closing '\"'")
                        }
                        let c = buffer[position]
                        if c == 0x22 {
                            if position + 1 < count, buffer[position + 1] == 0x22 {
                                field.append(0x22)
                                position += 2
                                continue
                            }
                            position += 1
                            break
                        }
                        if c == 0x0A { line += 1 }
                        field.append(c)
                        position += 1
                    }
                    fields.append(try Self.string(field[...], line: startLine))
                    guard position < count else { return }
                    let c = buffer[position]
                    if c == 0x2C { position += 1; continue }
                    if c == 0x0A || c == 0x0D { consumeLineEnd(buffer); return }
                    throw Failure(line: startLine, reason: "unexpected text after a closing quote; quote the whole field")
                } else {
                    let start = position
                    while position < count {
                        let c = buffer[position]
                        if c == 0x2C || c == 0x0A || c == 0x0D { break }
                        position += 1
                    }
                    fields.append(try Self.string(UnsafeBufferPointer(rebasing: buffer[start..<position]), line: startLine))
                    guard position < count else { return }
                    if buffer[position] == 0x2C {
                        position += 1
                        if position == count { fields.append("") ; return }
                        continue
                    }
                    consumeLineEnd(buffer)
                    return
                }
            }
        }
        return startLine
    }

    private mutating func consumeLineEnd(_ buffer: UnsafeBufferPointer<UInt8>) {
        if buffer[position] == 0x0D { position += 1 }
        if position < end, buffer[position] == 0x0A { position += 1 }
        line += 1
    }

    private static func string(_ bytes: some Collection<UInt8>, line: Int) throws(Failure) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw Failure(line: line, reason: "the row is not valid UTF-8; save the file as UTF-8")
        }
        return text
    }
}

/// Writes CSV rows, quoting fields only when needed.
struct CSVWriter {
    private(set) var output: [UInt8] = []

    mutating func writeRow(_ fields: [String]) {
        for (i, field) in fields.enumerated() {
            if i > 0 { output.append(0x2C) }
            if field.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) {
                output.append(0x22)
                for byte in field.utf8 {
                    if byte == 0x22 { output.append(0x22) }
                    output.append(byte)
                }
                output.append(0x22)
            } else {
                output.append(contentsOf: field.utf8)
            }
        }
        output.append(0x0A)
    }

    mutating func take() -> [UInt8] {
        defer { output.removeAll(keepingCapacity: true) }
        return output
    }
}

/// Splits a buffer of CSV or JSON Lines rows into chunks that start and end on row boundaries,
/// so that chunks can be decoded in parallel.
enum RowChunker {
    struct Chunk: Sendable {
        var range: Range<Int>
        /// The line number of the chunk's first byte.
        var line: Int
    }

    /// Chunks of about `target` bytes covering `start..<bytes.count`. A newline inside a quoted
    /// CSV field is not a boundary (`quoted: true`); JSON Lines has none (`quoted: false`).
    static func chunks(_ bytes: [UInt8], from start: Int, line firstLine: Int, target: Int, quoted: Bool) -> [Chunk] {
        var chunks: [Chunk] = []
        bytes.withUnsafeBufferPointer { b in
            var chunkStart = start, line = firstLine, chunkLine = firstLine
            var inQuotes = false
            var i = start
            while i < b.count {
                let c = b[i]
                if quoted, c == 0x22 { inQuotes.toggle() }
                if c == 0x0A {
                    line += 1
                    if !inQuotes, i + 1 - chunkStart >= target {
                        chunks.append(Chunk(range: chunkStart..<(i + 1), line: chunkLine))
                        chunkStart = i + 1
                        chunkLine = line
                    }
                }
                i += 1
            }
            if chunkStart < b.count { chunks.append(Chunk(range: chunkStart..<b.count, line: chunkLine)) }
        }
        return chunks
    }
}
