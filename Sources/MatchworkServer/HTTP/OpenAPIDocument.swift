import Foundation
import Hummingbird
import MatchworkCore
import MatchworkStore

/// The OpenAPI 3.1 document of the API, served at `/api/v1/openapi.json`.
///
/// It is the resource `Resources/openapi.json`, read once. Keep it in step with the routes:
/// OpenAPITests checks that every route is documented and every documented route exists;
/// scripts/schemathesis.sh (run by `make test`) checks that generated requests get answers that
/// match it, and that input the schemas refuse is refused.
///
/// The build puts it in the `…_MatchworkServer.resources` directory beside the executable (a
/// `.bundle` on macOS); `make install` copies it to `PREFIX/share/matchwork/openapi.json`. It
/// is found without `Bundle.module`, which stops the process when its bundle is missing: a
/// service whose document cannot be read refuses to start, saying where it looked.
enum OpenAPIDocument {
    /// The document's bytes, or why they could not be read.
    static let loaded: Result<[UInt8], MatchworkError> = load()

    /// The document's bytes (empty when it could not be read; ``MatchworkService/open`` refuses
    /// to start then).
    static var json: [UInt8] { (try? loaded.get()) ?? [] }

    static func response() -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: json)))
    }

    /// Where the document may be, in order: the build's resource directory beside the
    /// executable, then an install's `share/matchwork/`.
    static func candidates(executable: URL) -> [URL] {
        let directory = executable.deletingLastPathComponent()
        var found: [URL] = []
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
        for name in names where name.hasSuffix("_MatchworkServer.resources") || name.hasSuffix("_MatchworkServer.bundle") {
            let bundle = directory.appendingPathComponent(name)
            found.append(bundle.appendingPathComponent("openapi.json"))
            found.append(bundle.appendingPathComponent("Contents/Resources/openapi.json"))
        }
        found.append(directory.deletingLastPathComponent().appendingPathComponent("share/matchwork/openapi.json"))
        return found
    }

    /// Reads the document for the executable at `executable` (this process's by default).
    static func load(executable: URL? = nil) -> Result<[UInt8], MatchworkError> {
        let executable =
            executable ?? Bundle.main.executableURL?.resolvingSymlinksInPath() ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let places = candidates(executable: executable)
        for place in places {
            guard let data = FileManager.default.contents(atPath: place.path) else { continue }
            guard JSONReader.parse(data)?.members != nil else {
                return .failure(MatchworkError(.invalidConfiguration, "The API document '\(place.path)' is not a JSON object; reinstall Matchwork (make install) to restore it."))
            }
            return .success(Array(data))
        }
        return .failure(
            MatchworkError(
                .invalidConfiguration,
                "The API document openapi.json was not found (looked in \(places.map(\.path).joined(separator: ", "))); keep the build's MatchworkServer resources beside the executable, or reinstall with `make install`, which puts it in PREFIX/share/matchwork."))
    }

    /// The documented paths, as segments (`nil` for a `{parameter}`), with their methods.
    static let routes: [(segments: [String?], methods: [String])] = {
        guard let paths = JSONReader.parse(json)?.members?["paths"]?.members else { return [] }
        let verbs = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        return paths.keys.sorted().map { path in
            let segments = path.split(separator: "/").map { $0.hasPrefix("{") ? nil : String($0) }
            let operations = paths[path]!.members ?? [:]
            return (segments, verbs.filter { operations[$0] != nil }.map { $0.uppercased() })
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
