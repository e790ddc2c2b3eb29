import Foundation
import HummingbirdTesting
@testable import MatchworkServer
import Testing

@Suite("OpenAPI document")
struct OpenAPITests {
    @Test("the served document is OpenAPI 3.1, documents every route the router has, and no route it lacks")
    func routesMatch() async throws {
        let fixture = try await ServiceFixture.make()
        let router = fixture.service.router()
        // The dashboard's HTML pages (behind a session cookie, not a key) are not part of the JSON API.
        let routes = Set(router.routes.map { route in
            let path = route.path.description.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
            return "\(route.method.rawValue.lowercased()) /\(path)"
        }.filter { !$0.contains(" /dashboard") })
        try await fixture.test { client in
            let response = try await client.call(.get, "/api/v1/openapi.json", key: nil)
            let document = response.object
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            var documented = Set<String>()
            for (path, item) in paths {
                for method in item.keys where ["get", "post", "patch", "put", "delete"].contains(method) { documented.insert("\(method) \(path)") }
            }
            #expect(routes.subtracting(documented).sorted() == [], "routes missing from the document")
            #expect(documented.subtracting(routes).sorted() == [], "documented routes the router lacks")
            // Every operation under /api/v1 but the document itself declares the key schemes and the error answers.
            for (path, item) in paths where path.hasPrefix("/api/v1/") && path != "/api/v1/openapi.json" {
                for (method, operation) in item where method != "parameters" {
                    let op = try #require(operation as? [String: Any])
                    #expect(op["security"] != nil, "\(method) \(path) has no security")
                    let responses = try #require(op["responses"] as? [String: Any])
                    #expect(responses["401"] != nil && responses["403"] != nil && responses["422"] != nil, "\(method) \(path) lacks error answers")
                }
            }
        }
    }

    @Test("the document is read from the build's resources or an install's share/matchwork, and its absence is said plainly")
    func documentLocations() throws {
        let root = NSTemporaryDirectory() + "matchwork-openapi-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bin = root + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let executable = URL(fileURLWithPath: bin + "/matchwork")
        // Nothing installed: a failure naming every place looked at.
        guard case .failure(let missing) = OpenAPIDocument.load(executable: executable) else {
            Issue.record("a missing document was found")
            return
        }
        #expect(missing.message.contains("The API document openapi.json was not found (looked in \(root)/share/matchwork/openapi.json)"), "\(missing.message)")
        #expect(missing.message.contains("reinstall with `make install`"))
        // As `make install` lays it out.
        try FileManager.default.createDirectory(atPath: root + "/share/matchwork", withIntermediateDirectories: true)
        let document = try #require(try? OpenAPIDocument.loaded.get())
        try Data(document).write(to: URL(fileURLWithPath: root + "/share/matchwork/openapi.json"))
        #expect(try OpenAPIDocument.load(executable: executable).get() == document)
        // As the build lays it out, beside the executable: found first.
        try FileManager.default.createDirectory(atPath: bin + "/Matchwork_MatchworkServer.resources", withIntermediateDirectories: true)
        try Data("{\"openapi\": \"3.1.0\"}".utf8).write(to: URL(fileURLWithPath: bin + "/Matchwork_MatchworkServer.resources/openapi.json"))
        #expect(try OpenAPIDocument.load(executable: executable).get() == Array("{\"openapi\": \"3.1.0\"}".utf8))
        // A damaged file is refused, not served.
        try Data("not json".utf8).write(to: URL(fileURLWithPath: bin + "/Matchwork_MatchworkServer.resources/openapi.json"))
        guard case .failure(let damaged) = OpenAPIDocument.load(executable: executable) else {
            Issue.record("a damaged document was accepted")
            return
        }
        #expect(damaged.message == "The API document '\(bin)/Matchwork_MatchworkServer.resources/openapi.json' is not a JSON object; reinstall Matchwork (make install) to restore it.")
    }
}
