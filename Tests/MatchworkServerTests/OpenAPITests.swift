import Foundation
import HummingbirdTesting
import MatchworkServer
import Testing

@Suite("OpenAPI document")
struct OpenAPITests {
    @Test("the served document is OpenAPI 3.1, documents every route the router has, and no route it lacks")
    func routesMatch() async throws {
        let fixture = try await ServiceFixture.make()
        let router = fixture.service.router()
        let routes = Set(router.routes.map { route in
            let path = route.path.description.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
            return "\(route.method.rawValue.lowercased()) /\(path)"
        })
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
}
