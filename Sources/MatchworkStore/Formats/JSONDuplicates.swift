/// Finds an object member named twice in a JSON text.
///
/// `JSONSerialization` keeps the last of two members with the same name, so
/// `{"role":"read","role":"admin"}` would read as an admin key. Every JSON input (request
/// bodies, JSON Lines imports, config files) is checked by this scan before it is parsed.
public enum JSONDuplicates {
    /// The path of the first member named twice in its object (`role`, `events[2].type`), or
    /// `nil` when there is none. Names are compared after their escapes are decoded, so
    /// `"r\u006fle"` repeats `"role"`.
    ///
    /// The text is expected to be valid JSON (checked before or after by the parser); on
    /// anything else the scan stops without finding a duplicate.
    ///
    /// - Complexity: O(n) in the text's length.
    public static func firstDuplicate(in bytes: some Collection<UInt8>) -> String? {
        let found: String?? = bytes.withContiguousStorageIfAvailable { scan($0) }
        if let found { return found }
        return Array(bytes).withUnsafeBufferPointer { scan($0) }
    }

    private enum Frame {
        case object(names: Set<String>, current: String?, expectingName: Bool)
        case array(index: Int)
    }

    private static func scan(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        var stack: [Frame] = []
        var i = 0
        while i < b.count {
            let c = b[i]
            switch c {
            case UInt8(ascii: "{"):
                stack.append(.object(names: [], current: nil, expectingName: true))
            case UInt8(ascii: "["):
                stack.append(.array(index: 0))
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if stack.popLast() == nil { return nil }
            case UInt8(ascii: ","):
                switch stack.last {
                case .object(let names, let current, _)?: stack[stack.count - 1] = .object(names: names, current: current, expectingName: true)
                case .array(let index)?: stack[stack.count - 1] = .array(index: index + 1)
                case nil: return nil
                }
            case UInt8(ascii: "\""):
                guard let (text, end) = string(b, from: i + 1) else { return nil }
                i = end
                if case .object(var names, _, true)? = stack.last {
                    if !names.insert(text).inserted { return path(stack, member: text) }
                    stack[stack.count - 1] = .object(names: names, current: text, expectingName: false)
                }
                continue
            default:
                break
            }
            i += 1
        }
        return nil
    }

    /// Decodes the string whose contents start at `start`; returns it and the index after its
    /// closing quote. A name with escapes is decoded by ``JSONReader``, as stored columns are.
    private static func string(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> (String, Int)? {
        var i = start
        var plain = true
        while i < b.count, b[i] != UInt8(ascii: "\"") {
            if b[i] == UInt8(ascii: "\\") { plain = false; i += 1 }
            i += 1
        }
        guard i < b.count else { return nil }
        let raw = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
        if plain { return (raw, i + 1) }
        guard case .array(let items)? = JSONReader.parse("[\"" + raw + "\"]"), case .string(let decoded)? = items.first else { return nil }
        return (decoded, i + 1)
    }

    private static func path(_ stack: [Frame], member: String) -> String {
        var out = ""
        for frame in stack.dropLast() {
            switch frame {
            case .object(_, let current, _): if let current { out += out.isEmpty ? current : ".\(current)" }
            case .array(let index): out += "[\(index)]"
            }
        }
        return out.isEmpty ? member : out + "." + member
    }
}
