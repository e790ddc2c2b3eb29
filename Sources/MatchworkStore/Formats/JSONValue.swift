/// A JSON value with ordered object keys: what every JSON input is read into (request bodies,
/// JSON Lines imports, config files, the store's JSON columns, by ``JSONReader``) and what the
/// JSON Lines export and the store's columns are written from, deterministically.
public enum JSONValue: Sendable {
    case string(String)
    /// A number with a fraction or an exponent, or an integer beyond 64 bits.
    case number(Double)
    /// A number written without a fraction or exponent that fits in 64 bits.
    case integer(Int64)
    case bool(Bool)
    case null
    case array([JSONValue])
    /// Members in the order written.
    case object([(String, JSONValue)])

    func write(into out: inout [UInt8]) {
        switch self {
        case .string(let s): JSONValue.writeString(s, into: &out)
        case .number(let d): out.append(contentsOf: FieldText.format(d).utf8)
        case .integer(let i): out.append(contentsOf: String(i).utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .null: out.append(contentsOf: "null".utf8)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let pairs):
            out.append(UInt8(ascii: "{"))
            for (i, (key, value)) in pairs.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                value.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let hex = Array("0123456789abcdef".utf8)

    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(0x22)
        // Most strings need no escape: copy them whole.
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C }) {
            out.append(contentsOf: s.utf8)
            out.append(0x22)
            return
        }
        for byte in s.utf8 {
            switch byte {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: out.append(byte)
            }
        }
        out.append(0x22)
    }

    /// Converts a parsed JSON value to the CSV text form of the same field, so that one decoder
    /// serves both formats: objects become `key=value;…` (keys sorted), arrays `a|b` inside
    /// objects and `a;b` at the top.
    static func text(of value: JSONValue, nested: Bool = false) -> String? {
        switch value {
        case .null: return nil
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .number(let d): return FieldText.format(d)
        case .integer(let i): return FieldText.format(Double(i))
        case .array(let items):
            return items.compactMap { text(of: $0, nested: true) }.joined(separator: nested ? "|" : ";")
        case .object(let members):
            return members.sorted { $0.0 < $1.0 }.map { key, member in
                guard let value = text(of: member, nested: true) else { return key }
                return "\(key)=\(value)"
            }.joined(separator: ";")
        }
    }

    /// The members of an object by name (the last of a repeated name; inputs refuse repeats
    /// first, see ``JSONDuplicates``), or `nil` for another kind of value.
    public var members: [String: JSONValue]? {
        guard case .object(let members) = self else { return nil }
        return Dictionary(members, uniquingKeysWith: { $1 })
    }

    /// The value's JSON type, as messages name it. A number with no fraction below 9×10¹⁵ in
    /// magnitude counts as an integer however it is written (`5.0` is an integer).
    public var kind: JSONKind {
        switch self {
        case .null: .null
        case .bool: .boolean
        case .string: .string
        case .array: .array
        case .object: .object
        case .integer(let i): abs(Double(i)) < 9e15 ? .integer : .number
        case .number(let d): d.rounded() == d && abs(d) < 9e15 ? .integer : .number
        }
    }

    /// The number as a `Double`, for either kind of number.
    public var double: Double? {
        switch self {
        case .number(let value): value
        case .integer(let value): Double(value)
        default: nil
        }
    }

    /// The number as it reads in a message: integers without a fraction.
    public var numberText: String {
        switch self {
        case .integer(let i): return String(i)
        case .number(let d): return d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
        default: return ""
        }
    }
}
