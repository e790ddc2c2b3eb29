import Foundation
import Synchronization
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
    static func waitUntilUp(port: Int, process: Process, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for _ in 0..<600 {
            guard process.isRunning else {
                Issue.record("the service exited before it answered", sourceLocation: sourceLocation)
                return
            }
            if let (status, _) = try? await request("GET", "http://127.0.0.1:\(port)/health/live", key: nil), status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the service did not answer within 60 s", sourceLocation: sourceLocation)
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
        // "Created key-… with the write role": an id drawn apart from the secret.
        let id = try #require(created.stderr.split(separator: " ").dropFirst().first.map(String.init))
        #expect(id.hasPrefix("key-") && id.count == 16 && !secret.contains(id.dropFirst(4).prefix(6)))
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
        // The learning service's unprefixed names are read too; the MATCHWORK_ one wins.
        let level = try dir.cli.run(["serve", "--port", "0"], environment: ["LOG_LEVEL": "chatty"])
        #expect(level.status == 1 && level.stderr.contains("LOG_LEVEL 'chatty' is not a log level"), "\(level.stderr)")
        let both = try dir.cli.run(["serve", "--port", "0"], environment: ["LOG_LEVEL": "info", "MATCHWORK_LOG_LEVEL": "loud"])
        #expect(both.status == 1 && both.stderr.contains("MATCHWORK_LOG_LEVEL 'loud' is not a log level"), "\(both.stderr)")
        let help = try dir.cli.run(["serve", "--help"])
        #expect(help.stdout.contains("model_path (MATCHWORK_MODEL_PATH, MODEL_PATH, --models)"), "\(help.stdout)")
        #expect(help.stdout.contains("log_level (MATCHWORK_LOG_LEVEL, LOG_LEVEL, --log-level)"))
        #expect(help.stdout.contains("max_event_skew (MATCHWORK_MAX_EVENT_SKEW)"))
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
        // Eight writers post batches of 20 events with unique ids until the server dies; it is
        // killed once 100 events are acknowledged (however long a loaded machine takes).
        let acknowledgedCount = SharedCount()
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
                        acknowledgedCount.add(20)
                    }
                    return ids
                }
            }
            group.addTask {
                let deadline = ContinuousClock.now + .seconds(120)
                while acknowledgedCount.value < 100, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
                // Writes are still in flight when the kill lands.
                try await Task.sleep(for: .milliseconds(200))
                kill(server.processIdentifier, SIGKILL)
                return []
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        server.waitUntilExit()
        #expect(server.terminationReason == .uncaughtSignal)
        #expect(acknowledged.count >= 100, "100 events were acknowledged before the kill")
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
        // Stopped whatever happens below (a request that throws must not leave it running).
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }
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
        defer { if again.isRunning { kill(again.processIdentifier, SIGKILL) } }
        try await Self.waitUntilUp(port: port2, process: again)
        let (found, _) = try await Self.request("GET", "http://127.0.0.1:\(port2)/api/v1/recommendations/\(id)", key: key)
        kill(again.processIdentifier, SIGTERM)
        again.waitUntilExit()
        #expect(found == 200)
    }

    /// Sends `bytes` on a new connection and returns what the server answers until it closes
    /// the connection or `seconds` pass.
    static func raw(port: Int, _ bytes: String, seconds: Int = 5) -> String {
        guard let connection = Connection(port: port) else { return "" }
        connection.send(bytes)
        return connection.receive(seconds: seconds).text
    }

    @Test("Broken chunked framing is the client's error (400); a port in use stops serve with what to do")
    func brokenFramingAndPortInUse() async throws {
        let dir = Scratch()
        #expect(try dir.cli.run(["generate", "cleaning", "--size", "tiny", "--quiet"]).status == 0)
        let key = try dir.cli.run(["keys", "create", "--role", "write", "--quiet"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let port = Self.freePort()
        let server = try dir.cli.start(["serve", "--port", String(port)], stderrPath: dir.file("serve.log"))
        defer {
            kill(server.processIdentifier, SIGTERM)
            server.waitUntilExit()
        }
        try await Self.waitUntilUp(port: port, process: server)
        let answer = Self.raw(
            port: port,
            "POST /api/v1/events HTTP/1.1\r\nHost: x\r\nX-API-Key: \(key)\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nabc\r\n0\r\n\r\n")
        #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer)")
        #expect(!dir.read("serve.log").contains("error"), "\(dir.read("serve.log"))")
        let clash = try dir.cli.run(["serve", "--port", String(port)])
        #expect(clash.status == 1)
        #expect(clash.stderr.contains("Port \(port) on 127.0.0.1 is in use by another process; choose another with --port"), "\(clash.stderr)")
        #expect(!clash.stderr.contains("Serving"))
    }

    /// A raw TCP connection to the service.
    final class Connection {
        let fd: Int32
        init?(port: Int) {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            if connected != 0 { close(fd); return nil }
        }
        deinit { close(fd) }
        func send(_ text: String) { _ = Array(text.utf8).withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
        /// What arrives within `seconds`, and whether the server closed the connection.
        func receive(seconds: Int) -> (text: String, closed: Bool) {
            var timeout = timeval(tv_sec: seconds, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var answer: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = recv(fd, &buffer, buffer.count, 0)
                if n == 0 { return (String(decoding: answer, as: UTF8.self), true) }
                if n < 0 { return (String(decoding: answer, as: UTF8.self), errno != EAGAIN && errno != EWOULDBLOCK) }
                answer += buffer[0..<n]
            }
        }
    }

    @Test("Idle and half-sent connections are closed after their timeouts; connections over the limit get 503")
    func connectionLimits() async throws {
        let dir = Scratch()
        #expect(try dir.cli.run(["generate", "cleaning", "--size", "tiny", "--quiet"]).status == 0)
        let port = Self.freePort()
        let server = try dir.cli.start(
            ["serve", "--port", String(port)], environment: ["MATCHWORK_IDLE_TIMEOUT": "3s", "MATCHWORK_HEADER_TIMEOUT": "1s", "MATCHWORK_MAX_CONNECTIONS": "3"],
            stderrPath: dir.file("serve.log"))
        defer {
            kill(server.processIdentifier, SIGTERM)
            server.waitUntilExit()
        }
        try await Self.waitUntilUp(port: port, process: server)
        // Keep-alive works: two requests on one connection, two answers.
        let kept = try #require(Connection(port: port))
        kept.send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(kept.receive(seconds: 1).text.hasPrefix("HTTP/1.1 200"))
        kept.send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(kept.receive(seconds: 1).text.hasPrefix("HTTP/1.1 200"))
        // It is then idle (each receive above waited 1 s for more): closed after idle_timeout
        // (3 s), not before.
        #expect(kept.receive(seconds: 1).closed == false)
        #expect(kept.receive(seconds: 4).closed)

        // A head that never completes is closed after header_timeout (1 s).
        let slow = try #require(Connection(port: port))
        slow.send("GET /health/live HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        let cut = slow.receive(seconds: 4)
        #expect(cut.closed && cut.text.isEmpty, "\(cut.text)")

        // Three connections open; a fourth is answered 503 and closed.
        var held = (0..<3).compactMap { _ in Connection(port: port) }
        #expect(held.count == 3)
        try await Task.sleep(for: .milliseconds(200))
        let extra = try #require(Connection(port: port))
        let refused = extra.receive(seconds: 3)
        #expect(refused.text.hasPrefix("HTTP/1.1 503"), "\(refused.text)")
        #expect(refused.text.contains("too_many_connections") && refused.closed)
        // Once they close, connections are admitted again.
        for connection in held { connection.send("GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n") }
        for connection in held { #expect(connection.receive(seconds: 2).text.hasPrefix("HTTP/1.1 200")) }
        held.removeAll()
        try await Task.sleep(for: .milliseconds(300))
        let (status, _) = try await Self.request("GET", "http://127.0.0.1:\(port)/health/live", key: nil)
        #expect(status == 200)
    }
}

/// A count shared by concurrent tasks.
final class SharedCount: Sendable {
    private let storage = Atomic<Int>(0)
    func add(_ n: Int) { storage.add(n, ordering: .relaxed) }
    var value: Int { storage.load(ordering: .relaxed) }
}
