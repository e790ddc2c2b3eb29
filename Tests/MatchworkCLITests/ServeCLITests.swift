import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite("matchwork serve and keys", .serialized)
struct ServeCLITests {
    /// A free port from the kernel.
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func request(_ method: String, _ url: String, key: String?, body: String? = nil) async throws -> (Int, String) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.timeoutInterval = 10
        if let key { request.setValue(key, forHTTPHeaderField: "X-API-Key") }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// Waits until the service answers /health/live.
    static func waitUntilUp(port: Int, process: Process) async throws {
        for _ in 0..<300 {
            guard process.isRunning else { return }
            if let (status, _) = try? await request("GET", "http://127.0.0.1:\(port)/health/live", key: nil), status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    @Test("keys create prints a key once; list shows ids and roles but no secret; revoke marks it; bad input exits 1")
    func keys() throws {
        let dir = Scratch()
        #expect(try dir.cli.run(["generate", "cleaning", "--size", "tiny", "--quiet"]).status == 0)
        let created = try dir.cli.run(["keys", "create", "--role", "write", "--name", "ingest"])
        #expect(created.status == 0, "\(created.stderr)")
        let secret = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(secret.hasPrefix("mwk_") && secret.count == 44)
        #expect(created.stderr.contains("shown once"))
        let list = try dir.cli.run(["keys", "list"])
        #expect(list.stdout.contains("write") && list.stdout.contains("ingest") && !list.stdout.contains(secret))
        let id = "key-" + secret.dropFirst(4).prefix(8)
        #expect(try dir.cli.run(["keys", "revoke", id]).status == 0)
        #expect(try dir.cli.run(["keys", "list"]).stdout.contains("revoked"))
        let badRole = try dir.cli.run(["keys", "create", "--role", "owner"])
        #expect(badRole.status == 1 && badRole.stderr.contains("--role 'owner' is not a role; use read, write or admin."))
        let unknown = try dir.cli.run(["keys", "revoke", "key-00000000"])
        #expect(unknown.status == 1 && unknown.stderr.contains("No key 'key-00000000'"))
    }

    @Test("serve refuses a bad setting by name before starting")
    func badSettings() throws {
        let dir = Scratch()
        #expect(try dir.cli.run(["generate", "cleaning", "--size", "tiny", "--quiet"]).status == 0)
        let ttl = try dir.cli.run(["serve", "--port", "0"], environment: ["MATCHWORK_CACHE_TTL": "forever"])
        #expect(ttl.status == 1)
        #expect(ttl.stderr.contains("MATCHWORK_CACHE_TTL 'forever' is not a cache lifetime"))
        dir.write("service.json", #"{"port": 8080, "colour": "red"}"#)
        let file = try dir.cli.run(["serve", "--config", "service.json"])
        #expect(file.status == 1 && file.stderr.contains("service.json: colour is not a setting"))
        let missing = try dir.cli.run(["serve", "--store", "nothing.sqlite", "--port", "0"])
        #expect(missing.status == 1 && missing.stderr.contains("There is no store at 'nothing.sqlite'"))
    }

    @Test("SIGKILL during a burst of POST /api/v1/events: every acknowledged event is in the store afterwards")
    func killDuringEventBurst() async throws {
        let dir = Scratch()
        #expect(try dir.cli.run(["generate", "cleaning", "--size", "tiny", "--quiet"]).status == 0)
        let key = try dir.cli.run(["keys", "create", "--role", "write", "--quiet"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let port = Self.freePort()
        let server = try dir.cli.start(["serve", "--port", String(port), "--log-level", "warning"], stderrPath: dir.file("serve.log"))
        try await Self.waitUntilUp(port: port, process: server)
        #expect(server.isRunning, "\(dir.read("serve.log"))")
        let url = "http://127.0.0.1:\(port)/api/v1/events"
        // Eight writers post batches of 20 events with unique ids until the server dies.
        let acknowledged = try await withThrowingTaskGroup(of: [String].self) { group in
            for writer in 0..<8 {
                group.addTask {
                    var ids: [String] = []
                    for batch in 0..<10_000 {
                        let events = (0..<20).map { n in
                            #"{"event_id":"w\#(writer)-b\#(batch)-\#(n)","person_id":"cleaner-1","opportunity_id":"job-1","type":"view","timestamp":\#(1_767_225_600 + batch)}"#
                        }
                        guard let (status, _) = try? await Self.request("POST", url, key: key, body: #"{"events":[\#(events.joined(separator: ","))]}"#) else { break }
                        guard status == 201 || status == 200 else { break }
                        ids += (0..<20).map { "w\(writer)-b\(batch)-\($0)" }
                    }
                    return ids
                }
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(1500))
                kill(server.processIdentifier, SIGKILL)
                return []
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        server.waitUntilExit()
        #expect(server.terminationReason == .uncaughtSignal)
        #expect(acknowledged.count >= 20, "some batches were acknowledged before the kill")
        let exported = try dir.cli.run(["export", "--out", "after", "--format", "jsonl"])
        #expect(exported.status == 0, "\(exported.stderr)")
        let stored = Set(dir.read("after/interactions.jsonl").split(separator: "\n").compactMap { line -> String? in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["event_id"] as? String
        })
        let lost = acknowledged.filter { !stored.contains($0) }
        #expect(lost.isEmpty, "\(lost.count) of \(acknowledged.count) acknowledged events are missing, e.g. \(lost.prefix(3))")
        #expect(try dir.cli.run(["stats"]).status == 0)
    }

    @Test("SIGTERM: the service stops cleanly and the served lists are in the store")
    func gracefulStop() async throws {
        let dir = Scratch()
        #expect(try dir.cli.run(["generate", "cleaning", "--size", "tiny", "--quiet"]).status == 0)
        let key = try dir.cli.run(["keys", "create", "--role", "read", "--quiet"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let port = Self.freePort()
        let server = try dir.cli.start(["serve", "--port", String(port)], environment: ["MATCHWORK_LOG_LEVEL": "info"], stderrPath: dir.file("serve.log"))
        try await Self.waitUntilUp(port: port, process: server)
        let (status, body) = try await Self.request("POST", "http://127.0.0.1:\(port)/api/v1/recommendations/generate", key: key, body: #"{"opportunity_id":"job-1"}"#)
        #expect(status == 200, "\(body)")
        let id = try #require((try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["recommendation_id"] as? String)
        kill(server.processIdentifier, SIGTERM)
        server.waitUntilExit()
        #expect(server.terminationStatus == 0)
        #expect(dir.read("serve.log").contains("Stopped: every served list written"))
        let port2 = Self.freePort()
        let again = try dir.cli.start(["serve", "--port", String(port2)], stderrPath: dir.file("serve2.log"))
        try await Self.waitUntilUp(port: port2, process: again)
        let (found, _) = try await Self.request("GET", "http://127.0.0.1:\(port2)/api/v1/recommendations/\(id)", key: key)
        kill(again.processIdentifier, SIGTERM)
        again.waitUntilExit()
        #expect(found == 200)
    }
}
