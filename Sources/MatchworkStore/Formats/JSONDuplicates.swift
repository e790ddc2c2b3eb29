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
    /// closing quote.
    private static func string(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> (String, Int)? {
        var i = start
        var plain = true
        while i < b.count, b[i] != UInt8(ascii: "\"") {
            if b[i] == UInt8(ascii: "\\") { plain = false; i += 1 }
            i += 1
        }
        guard i < b.count else { return nil }
        if plain { return (String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self), i + 1) }
        var out: [UInt8] = []
        var j = start
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= i else { return nil }
            var v: UInt32 = 0
            for k in at..<(at + 4) {
                guard let d = Character(Unicode.Scalar(b[k])).hexDigitValue else { return nil }
                v = v << 4 | UInt32(d)
            }
            return v
        }
        while j < i {
            let c = b[j]
            guard c == UInt8(ascii: "\\"), j + 1 < i else { out.append(c); j += 1; continue }
            let e = b[j + 1]
            j += 2
            switch e {
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "u"):
                guard var scalar = hex4(j) else { return nil }
                j += 4
                if (0xD800..<0xDC00).contains(scalar), j + 6 <= i, b[j] == UInt8(ascii: "\\"), b[j + 1] == UInt8(ascii: "u"), let low = hex4(j + 2),
                    (0xDC00..<0xE000).contains(low)
                {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    j += 6
                }
                out.append(contentsOf: Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8))
            default: out.append(e)
            }
        }
        return (String(decoding: out, as: UTF8.self), i + 1)
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
