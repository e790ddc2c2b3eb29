import Foundation
import Hummingbird
import MatchworkCore
import MatchworkStore

/// Builds JSON answers.
enum Reply {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A JSON answer written by `write`.
    static func json(status: HTTPResponse.Status = .ok, _ write: (inout [UInt8]) -> Void) -> Response {
        var out: [UInt8] = []
        write(&out)
        return json(out, status: status)
    }

    static func encode(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        json(Array(try encoder.encode(value)), status: status)
    }

    /// `{"items":[…],"next_cursor":"…"|null}` with each item written by `write`.
    static func page<T>(_ page: Page<T>, write: (T, inout [UInt8]) -> Void) -> Response {
        var out: [UInt8] = Array(#"{"items":["#.utf8)
        for (i, item) in page.items.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            write(item, &out)
        }
        out.append(contentsOf: #"],"next_cursor":"#.utf8)
        if let next = page.next { RecordJSON.writeString(String(next), into: &out) } else { out.append(contentsOf: "null".utf8) }
        out.append(UInt8(ascii: "}"))
        return json(out)
    }

    /// Appends an Encodable value's JSON.
    static func write(_ value: some Encodable, into out: inout [UInt8]) {
        if let data = try? encoder.encode(value) { out.append(contentsOf: data) } else { out.append(contentsOf: "null".utf8) }
    }
}
