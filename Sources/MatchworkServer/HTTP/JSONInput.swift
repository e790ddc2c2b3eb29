import Foundation
import Hummingbird
import MatchworkCore
import MatchworkStore
import NIOCore

/// Reads a request body as JSON: 413 above the size limit, 415 when sent as another media type,
/// 400 when it is not JSON or names a member twice.
enum JSONInput {
    static func read(_ request: Request, limit: Int) async throws -> JSONValue {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError(
                .contentTooLarge, code: "body_too_large",
                "The request body is larger than \(limit) bytes; send fewer records per request (at most \(limit / 1_048_576) MiB).")
        } catch {
            // The body's framing is broken (a chunk size that is not hex, a connection closed
            // mid-body): the client's fault, not the service's.
            throw APIError(
                .badRequest, code: "malformed_body",
                "The request body could not be read (\(error)); send it with a Content-Length, or as well-formed chunks (hexadecimal sizes, CRLF after each).")
        }
        guard buffer.readableBytes > 0 else {
            throw APIError.badRequest("The request body is empty; send a JSON object with Content-Type: application/json.")
        }
        if let type = request.headers[.contentType], !isJSON(type) {
            throw APIError(
                .unsupportedMediaType, code: "unsupported_media_type",
                "The request body is sent as '\(type.prefix(100))', not JSON; send it with Content-Type: application/json (curl: -H 'Content-Type: application/json').")
        }
        guard let parsed = JSONReader.parse(buffer.readableBytesView) else {
            throw APIError(
                .badRequest, code: "malformed_json",
                "The request body is not valid JSON (in UTF-8, nested at most \(JSONReader.maximumDepth) levels); send a JSON object with Content-Type: application/json.")
        }
        if let member = JSONDuplicates.firstDuplicate(in: buffer.readableBytesView) {
            throw APIError(.badRequest, code: "duplicate_member", "The request body names \(member) twice; send each member once.", field: member)
        }
        return parsed
    }

    /// `application/json`, any `…+json` type, with or without parameters (`; charset=utf-8`).
    static func isJSON(_ contentType: String) -> Bool {
        let media = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return media == "application/json" || (media.hasPrefix("application/") && media.hasSuffix("+json"))
    }

    /// The objects of a bulk body `{"<key>": [{…}, …]}` (1 to `limit` of them), each with its
    /// path (`events[3]`) for errors; `nil` when the body has no such member (one record).
    static func bulk(_ object: [String: JSONValue], key: String, limit: Int) throws(APIError) -> [(fields: [String: JSONValue], path: String)]? {
        guard let list = object[key] else { return nil }
        guard object.count == 1 else {
            let extra = object.keys.sorted().first { $0 != key }!
            throw APIError(.badRequest, code: "unknown_field", "\(extra) is not a known field beside \(key); send {\"\(key)\": [...]} alone.", field: extra)
        }
        guard case .array(let items) = list else { throw APIError(.badRequest, code: "invalid_type", "\(key) must be an array of objects.", field: key) }
        guard !items.isEmpty, items.count <= limit else {
            throw APIError.unprocessable("\(key) holds \(items.count) records; send 1 to \(limit) per request.", field: key)
        }
        var out: [(fields: [String: JSONValue], path: String)] = []
        out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            let path = "\(key)[\(i)]"
            guard let fields = item.members else {
                throw APIError(.badRequest, code: "invalid_type", "\(path) is \(JSONKind.describe(item.kind)), but it must be an object.", field: path)
            }
            out.append((fields, path))
        }
        return out
    }

    /// The body as one JSON object.
    @inline(never)
    static func object(_ request: Request, limit: Int) async throws -> JSONFields {
        try JSONFields(try await read(request, limit: limit), path: nil)
    }
}

/// A JSON object read member by member, strictly: each accessor checks the member's type and
/// range and names it on failure, and ``finish()`` refuses members no accessor asked for.
///
/// The accessors are `@inline(never)`: inlined into the async routes, they made Swift 6.3's
/// release build crash (signal 11 in LLVM, splitting the routes' coroutines).
struct JSONFields {
    let object: [String: JSONValue]
    let path: String?
    private var asked: Set<String> = []

    @inline(never) init(_ value: JSONValue, path: String?) throws(APIError) {
        guard let object = value.members else {
            throw APIError(
                .badRequest, code: "invalid_type", "\(path ?? "The body") is \(JSONKind.describe(value.kind)), but it must be a JSON object.", field: path)
        }
        self.object = object
        self.path = path
    }

    @inline(never) func name(_ key: String) -> String { path.map { "\($0).\(key)" } ?? key }

    @inline(never) private mutating func value(_ key: String) -> JSONValue? {
        asked.insert(key)
        guard let value = object[key], value.kind != .null else { return nil }
        return value
    }

    @inline(never) private func wrongType(_ key: String, _ value: JSONValue, _ expected: String) -> APIError {
        APIError(.badRequest, code: "invalid_type", "\(name(key)) is \(JSONKind.describe(value.kind)), but it must be \(expected).", field: name(key))
    }

    @inline(never) func missing(_ key: String, _ hint: String) -> APIError {
        APIError(.badRequest, code: "missing_value", "\(name(key)) is missing; \(hint).", field: name(key))
    }

    @inline(never) mutating func string(_ key: String) throws(APIError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else { throw wrongType(key, value, "a string") }
        return text
    }

    @inline(never) mutating func string(_ key: String, required hint: String) throws(APIError) -> String {
        guard let text = try string(key) else { throw missing(key, hint) }
        return text
    }

    @inline(never) mutating func integer(_ key: String, in range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let value = value(key) else { return nil }
        guard value.kind == .integer, let n = value.double else { throw wrongType(key, value, "an integer") }
        guard n >= Double(range.lowerBound), n <= Double(range.upperBound) else {
            throw APIError.unprocessable("\(name(key)) is \(value.numberText), outside \(range.lowerBound)...\(range.upperBound).", field: name(key))
        }
        return Int(n)
    }

    @inline(never) mutating func number(_ key: String, in range: ClosedRange<Double>) throws(APIError) -> Double? {
        guard let value = value(key) else { return nil }
        guard let n = value.double else { throw wrongType(key, value, "a number") }
        guard n.isFinite, range.contains(n) else {
            throw APIError.unprocessable("\(name(key)) is \(value.numberText), outside \(range.lowerBound)...\(range.upperBound).", field: name(key))
        }
        return n
    }

    /// An ISO 8601 date or time, or whole seconds since 1970.
    @inline(never) mutating func timestamp(_ key: String) throws -> Timestamp? {
        guard let value = value(key) else { return nil }
        switch (value.kind, value) {
        case (.integer, _):
            let seconds = Int64(value.double!)
            guard (0..<4_102_444_800).contains(seconds) else {
                throw APIError.unprocessable("\(name(key)) is \(seconds) seconds since 1970, outside 1970 to 2099.", field: name(key))
            }
            return Timestamp(secondsSinceEpoch: seconds)
        case (_, .string(let text)):
            let time = try Timestamp.parse(text, field: name(key))
            guard (0..<4_102_444_800).contains(time.secondsSinceEpoch) else {
                throw APIError.unprocessable("\(name(key)) is \(time), outside 1970 to 2099.", field: name(key))
            }
            return time
        default: throw wrongType(key, value, "an ISO 8601 date or time, or seconds since 1970")
        }
    }

    @inline(never) mutating func bool(_ key: String) throws(APIError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let flag) = value else { throw wrongType(key, value, "true or false") }
        return flag
    }

    @inline(never) mutating func object(_ key: String) throws(APIError) -> JSONFields? {
        guard let value = value(key) else { return nil }
        guard value.kind == .object else { throw wrongType(key, value, "an object") }
        return try JSONFields(value, path: name(key))
    }

    @inline(never) mutating func array(_ key: String) throws(APIError) -> [JSONValue]? {
        guard let value = value(key) else { return nil }
        guard case .array(let items) = value else { throw wrongType(key, value, "an array") }
        return items
    }

    @inline(never) mutating func strings(_ key: String) throws(APIError) -> [String]? {
        guard let items = try array(key) else { return nil }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            guard case .string(let text) = item else {
                throw APIError(.badRequest, code: "invalid_type", "\(name(key))[\(i)] is \(JSONKind.describe(item.kind)), but it must be a string.", field: "\(name(key))[\(i)]")
            }
            out.append(text)
        }
        return out
    }

    /// Refuses members that no accessor read.
    @inline(never) func finish() throws(APIError) {
        if let extra = object.keys.sorted().first(where: { !asked.contains($0) }) {
            throw APIError(
                .badRequest, code: "unknown_field", "\(name(extra)) is not a known field; the fields are \(asked.sorted().joined(separator: ", ")).", field: name(extra))
        }
    }
}

/// Reads a query parameter strictly.
struct QueryFields {
    let parameters: [String: String]
    private var asked: Set<String> = []

    init(_ request: Request) throws(APIError) {
        var parameters: [String: String] = [:]
        for (key, value) in request.uri.queryParameters {
            let key = String(key)
            guard parameters[key] == nil else {
                throw APIError.badRequest("Query parameter \(key) is given twice; give it once.", field: key)
            }
            parameters[key] = String(value)
        }
        self.parameters = parameters
    }

    /// The parameter's value; an empty value (`?cursor=`) is refused rather than read as absent.
    mutating func string(_ key: String) throws(APIError) -> String? {
        asked.insert(key)
        guard let value = parameters[key] else { return nil }
        guard !value.isEmpty else { throw APIError.badRequest("Query parameter \(key) is empty; give a value or leave it out.", field: key) }
        return value
    }

    mutating func integer(_ key: String, in range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let text = try string(key) else { return nil }
        guard let n = Int(text) else { throw APIError.badRequest("Query parameter \(key) is '\(text)', not an integer.", field: key) }
        guard range.contains(n) else { throw APIError.unprocessable("Query parameter \(key) is \(n), outside \(range.lowerBound)...\(range.upperBound).", field: key) }
        return n
    }

    mutating func bool(_ key: String) throws(APIError) -> Bool? {
        guard let text = try string(key) else { return nil }
        switch text {
        case "true", "1": return true
        case "false", "0": return false
        default: throw APIError.badRequest("Query parameter \(key) is '\(text)'; use true or false.", field: key)
        }
    }

    /// The page asked for with `limit` (1-1000, default 100) and `cursor`.
    mutating func page() throws(APIError) -> PageRequest {
        let limit = try integer("limit", in: 1...PageRequest.maximumLimit) ?? 100
        var after: Int64?
        if let cursor = try string("cursor") {
            guard cursor.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let value = Int64(cursor) else {
                throw APIError.badRequest("Query parameter cursor is '\(cursor)'; pass the next_cursor of the previous page unchanged.", field: "cursor")
            }
            after = value
        }
        return PageRequest(limit: limit, after: after)
    }

    func finish() throws(APIError) {
        if let extra = parameters.keys.sorted().first(where: { !asked.contains($0) }) {
            let known = asked.isEmpty ? "this route takes none" : "the parameters are \(asked.sorted().joined(separator: ", "))"
            throw APIError.badRequest("Query parameter \(extra) is not known here; \(known).", field: extra)
        }
    }

    /// For a route that takes no query parameters: refuses any.
    static func none(_ request: Request) throws(APIError) {
        try QueryFields(request).finish()
    }
}
