import Foundation
import Hummingbird

/// The OpenAPI 3.1 document of the API, served at `/api/v1/openapi.json`.
enum OpenAPIDocument {
    static func response() -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
    }

    /// The documented paths, as segments (`nil` for a `{parameter}`), with their methods.
    static let routes: [(segments: [String?], methods: [String])] = {
        guard let document = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
            let paths = document["paths"] as? [String: [String: Any]]
        else { return [] }
        let verbs = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        return paths.keys.sorted().map { path in
            let segments = path.split(separator: "/").map { $0.hasPrefix("{") ? nil : String($0) }
            return (segments, verbs.filter { paths[path]![$0] != nil }.map { $0.uppercased() })
        }
    }()

    /// The methods documented for `path` when it is a documented path, else `nil`.
    static func methods(at path: String) -> [String]? {
        let parts = path.split(separator: "/")
        for route in routes where route.segments.count == parts.count {
            if zip(route.segments, parts).allSatisfy({ $0.0 == nil || $0.0! == $0.1 }) { return route.methods }
        }
        return nil
    }
}
