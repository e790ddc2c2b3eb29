public import MatchworkCore

/// Writes JSON straight into bytes, for the answers and rows written on every request, where
/// `JSONEncoder` (type metadata, key conversion, an intermediate tree) cost most of the time.
///
/// Commas are placed by the writer: `key` and each value inside an array add one when needed.
/// Keys are written as given; callers write them in sorted order so that the output matches
/// `JSONEncoder` with `.sortedKeys`.
///
/// ```swift
/// var json = JSONWriter()
/// json.object { o in
///     o.key("id"); o.string("job-7")
///     o.key("score"); o.number(81.5)
/// }
/// // {"id":"job-7","score":81.5}
/// ```
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8]
    private var needsComma = false

    public init(capacity: Int = 1024) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
    }

    /// `{…}`, its members written by `body`.
    public mutating func object(_ body: (inout JSONWriter) -> Void) {
        container(UInt8(ascii: "{"), UInt8(ascii: "}"), body)
    }

    /// `[…]`, its elements written by `body`.
    public mutating func array(_ body: (inout JSONWriter) -> Void) {
        container(UInt8(ascii: "["), UInt8(ascii: "]"), body)
    }

    private mutating func container(_ open: UInt8, _ close: UInt8, _ body: (inout JSONWriter) -> Void) {
        separate()
        bytes.append(open)
        needsComma = false
        body(&self)
        bytes.append(close)
        needsComma = true
    }

    /// An array of `items`, each written by `write`.
    public mutating func array<S: Sequence>(_ items: S, _ write: (inout JSONWriter, S.Element) -> Void) {
        array { a in for item in items { write(&a, item) } }
    }

    /// A member's key; the next call writes its value.
    public mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        needsComma = false
    }

    /// A member's key that is not known at compile time (escaped).
    public mutating func key(_ name: String) {
        separate()
        JSONValue.writeString(name, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    public mutating func string(_ value: String) {
        separate()
        JSONValue.writeString(value, into: &bytes)
    }

    public mutating func string(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    /// A number: integral values without a fraction (`12`, as `JSONEncoder` writes them), others
    /// in Swift's shortest round-trip form; `null` for a non-finite value, which JSON cannot hold.
    public mutating func number(_ value: Double) {
        separate()
        guard value.isFinite else {
            bytes.append(contentsOf: "null".utf8)
            return
        }
        if value == value.rounded(), abs(value) < 1e15 {
            Self.appendInteger(Int64(value), to: &bytes)
        } else {
            bytes.append(contentsOf: value.description.utf8)
        }
    }

    public mutating func number(_ value: Double?) {
        if let value { number(value) } else { null() }
    }

    public mutating func integer(_ value: Int) {
        separate()
        Self.appendInteger(Int64(value), to: &bytes)
    }

    public mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    public mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
    }

    /// Already-encoded JSON, written as one value.
    public mutating func raw(_ json: [UInt8]) {
        separate()
        bytes.append(contentsOf: json)
    }

    /// An array of strings.
    public mutating func strings(_ values: [String]) {
        array(values) { $0.string($1) }
    }

    private static func appendInteger(_ value: Int64, to bytes: inout [UInt8]) {
        if value == 0 {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        var magnitude = value.magnitude
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            while magnitude > 0 {
                buffer[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            }
            for i in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[i]) }
        }
    }
}

extension JSONWriter {
    /// A score part as `JSONEncoder` writes it with snake-case, sorted keys.
    public mutating func write(_ part: ScorePart) {
        object { o in
            o.key("assumed"); o.bool(part.assumed)
            o.key("component"); o.string(part.component)
            o.key("parts"); o.array(part.parts) { $0.write($1) }
            o.key("points"); o.number(part.points)
            o.key("value"); o.number(part.value)
            o.key("weight"); o.number(part.weight)
        }
    }

    /// A score breakdown, the array of its parts, as its own JSON value.
    public static func breakdown(_ parts: [ScorePart]) -> [UInt8] {
        var writer = JSONWriter(capacity: 160 * parts.count + 2)
        writer.array(parts) { $0.write($1) }
        return writer.bytes
    }

    /// A served list's item, as stored.
    public mutating func write(_ item: ServedItem) {
        write(item, breakdown: Self.breakdown(item.breakdown))
    }

    /// A served list's item, as stored, its breakdown already written.
    mutating func write(_ item: ServedItem, breakdown: [UInt8]) {
        object { o in
            o.key("breakdown"); o.raw(breakdown)
            o.key("id"); o.string(item.id)
            o.key("rank"); o.integer(item.rank)
            o.key("score"); o.number(item.score)
        }
    }

    public mutating func write(_ subject: RecommendationSubject) {
        object { o in
            switch subject {
            case .person(let id):
                o.key("id"); o.string(id.rawValue)
                o.key("kind"); o.string("person")
            case .opportunity(let id):
                o.key("id"); o.string(id.rawValue)
                o.key("kind"); o.string("opportunity")
            }
        }
    }
}
