internal import Foundation

/// A JSON value with ordered object keys, for deterministic JSON Lines output.
enum JSONValue {
    case string(String)
    case number(Double)
    case integer(Int64)
    case null
    case array([JSONValue])
    case object([(String, JSONValue)])

    func write(into out: inout [UInt8]) {
        switch self {
        case .string(let s): JSONValue.writeString(s, into: &out)
        case .number(let d): out.append(contentsOf: FieldText.format(d).utf8)
        case .integer(let i): out.append(contentsOf: String(i).utf8)
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
    /// serves both formats: objects become `key=value;…`, arrays `a|b` inside objects and
    /// `a;b` at the top.
    static func text(of any: Any, nested: Bool = false) -> String? {
        switch any {
        case is NSNull: return nil
        case let s as String: return s
        case let n as NSNumber:
            if String(cString: n.objCType) == "c" { return n.boolValue ? "true" : "false" }
            return FieldText.format(n.doubleValue)
        case let a as [Any]:
            return a.compactMap { text(of: $0, nested: true) }.joined(separator: nested ? "|" : ";")
        case let d as [String: Any]:
            return d.keys.sorted().map { key in
                guard let value = text(of: d[key]!, nested: true) else { return key }
                return "\(key)=\(value)"
            }.joined(separator: ";")
        default: return "\(any)"
        }
    }
}
