import Foundation
import Hummingbird

extension MatchworkRequestContext {
    /// The path parameter `name`, percent-decoded once.
    ///
    /// The router matches raw path segments, so an id with a space, `/`, `?`, `#`, `%` or a
    /// non-ASCII letter arrives encoded (`a%20b`, `caf%C3%A9`); it is decoded here, before any
    /// lookup. A malformed escape (`%zz`, bytes that are not UTF-8) is the client's error: 400.
    func pathParameter(_ name: String) throws(APIError) -> String {
        guard let raw = parameters.get(name) else {
            throw APIError.badRequest("The path has no \(name); put the id in the path, percent-encoded.", field: name)
        }
        guard raw.contains("%") else { return raw }
        guard let decoded = raw.removingPercentEncoding else {
            throw APIError.badRequest(
                "The path's \(name) '\(raw)' has a malformed percent escape or is not UTF-8 once decoded; encode each byte of the id's UTF-8 as %XX (a space is %20).",
                field: name)
        }
        return decoded
    }
}
