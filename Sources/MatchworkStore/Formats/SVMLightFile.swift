import Foundation
public import MatchworkCore

/// A learning-to-rank file in svmlight/LETOR text (../shared/PROTOCOL.md, `--task ltr`): one
/// document per line, `label [qid:Q] index:value ...`, indices from 0 or 1, an absent feature
/// is 0, `#` starts a comment. Query groups come from `qid:`, or when no line has one, from the
/// sibling `FILE.query` (one group size per line, in file order, LightGBM's layout).
public struct SVMLightFile: Sendable {
    /// Graded relevance per document.
    public var labels: [Float]
    /// Per document, its (index, value) pairs as written.
    public var features: [[(index: Int, value: Float)]]
    /// Consecutive documents per query.
    public var groups: [Int]
    /// The largest feature index written (−1 when none).
    public var maxIndex: Int

    /// Reads `path`.
    /// - Throws: naming the file, line and token at fault.
    public static func read(_ path: String) throws(StoreError) -> SVMLightFile {
        let name = RecordFile.fileName(path)
        let text = String(decoding: try RecordFile.bytes(of: path), as: UTF8.self)
        var labels: [Float] = [], features: [[(index: Int, value: Float)]] = []
        var qids: [Substring] = []
        var withQid = 0, maxIndex = -1
        var lineNumber = 0
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let tokens = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard let first = tokens.first else { continue }
            guard let label = Float(first), label.isFinite, label >= 0 else {
                throw StoreError(.unreadableFile, "\(name), line \(lineNumber): label '\(first)' is not a relevance grade; start each line with a number 0 or more, e.g. 2 qid:1 1:0.5.")
            }
            var row: [(index: Int, value: Float)] = []
            var qid: Substring?
            var previous = -1
            for token in tokens.dropFirst() {
                if token.hasPrefix("qid:") {
                    qid = token.dropFirst(4)
                    continue
                }
                guard let colon = token.firstIndex(of: ":"), let index = Int(token[..<colon]), index >= 0,
                    let value = Float(token[token.index(after: colon)...]), value.isFinite
                else {
                    throw StoreError(.unreadableFile, "\(name), line \(lineNumber): '\(token)' is not index:value; write a whole index 0 or more and a finite number, e.g. 12:0.25.")
                }
                guard index > previous else {
                    throw StoreError(.unreadableFile, "\(name), line \(lineNumber): feature \(index) comes after \(previous); write each line's indices once, ascending.")
                }
                previous = index
                maxIndex = max(maxIndex, index)
                if value != 0 { row.append((index, value)) }
            }
            if let qid { withQid += 1; qids.append(qid) }
            labels.append(label)
            features.append(row)
        }
        guard !labels.isEmpty else { throw StoreError(.unreadableFile, "\(name) holds no document; write one per line: label qid:Q index:value ...") }
        var groups: [Int] = []
        if withQid == labels.count {
            var start = 0
            for i in 1...labels.count where i == labels.count || qids[i] != qids[i - 1] {
                groups.append(i - start)
                start = i
            }
        } else if withQid > 0 {
            throw StoreError(.unreadableFile, "\(name): \(withQid) of \(labels.count) lines give qid:; give it on every line or on none (with the group sizes in \(name).query).")
        } else {
            let queryPath = path + ".query"
            guard FileManager.default.fileExists(atPath: queryPath) else {
                throw StoreError(.unreadableFile, "\(name) gives no qid: and has no \(name).query beside it; add qid:Q to each line or write the group sizes there, one per line.")
            }
            let sizes = String(decoding: try RecordFile.bytes(of: queryPath), as: UTF8.self).split(whereSeparator: \.isNewline)
            for (n, size) in sizes.enumerated() {
                guard let g = Int(size.filter { $0 != " " && $0 != "\r" }), g >= 1 else {
                    throw StoreError(.unreadableFile, "\(name).query, line \(n + 1): '\(size)' is not a group size; write a whole number 1 or more per line.")
                }
                groups.append(g)
            }
            let total = groups.reduce(0, +)
            guard total == labels.count else {
                throw StoreError(.unreadableFile, "\(name).query: its groups hold \(total) documents, \(name) \(labels.count); the sizes must add up to the file's lines.")
            }
        }
        return SVMLightFile(labels: labels, features: features, groups: groups, maxIndex: maxIndex)
    }

    /// The documents as dense rows of `columns` features (absent ones 0), with labels and groups.
    public func boostingData(columns: Int) throws(MatchworkError) -> BoostingData {
        var values = [Float](repeating: 0, count: labels.count * columns)
        for (r, row) in features.enumerated() {
            for (index, value) in row where index < columns { values[r * columns + index] = value }
        }
        return try BoostingData(rows: labels.count, columns: columns, values: values, labels: labels, groups: groups)
    }
}
