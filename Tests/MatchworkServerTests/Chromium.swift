import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`:
/// the browser reads commands on file descriptor 3 and writes answers and events on 4, each
/// message a JSON object ended by a NUL byte), for the dashboard's browser check.
final class Chromium: @unchecked Sendable {
    /// The installed browser: Debian's `chromium` or `chromium-headless-shell`, or `CHROMIUM`.
    static let executable: String? = {
        if let path = ProcessInfo.processInfo.environment["CHROMIUM"], FileManager.default.isExecutableFile(atPath: path) { return path }
        for path in ["/usr/bin/chromium-headless-shell", "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/headless_shell"]
        where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        return nil
    }()

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let pid: pid_t
    private let input: Int32
    private let output: Int32
    private let profile: String
    /// Messages read from the browser, not yet taken.
    final class Inbox: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [[String: Any]] = []
        func withLock<R>(_ body: (inout [[String: Any]]) -> R) -> R {
            lock.lock()
            defer { lock.unlock() }
            return body(&items)
        }
    }
    private let messages = Inbox()
    private let nextID = Mutex(0)
    private var session: String?

    init() throws {
        guard let executable = Self.executable else { throw Failure(description: "no Chromium is installed") }
        profile = NSTemporaryDirectory() + "matchwork-chromium-" + UUID().uuidString
        var toBrowser: [Int32] = [0, 0], fromBrowser: [Int32] = [0, 0]
        guard pipe(&toBrowser) == 0, pipe(&fromBrowser) == 0 else { throw Failure(description: "pipe() failed") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toBrowser[0], 3)
        posix_spawn_file_actions_adddup2(&actions, fromBrowser[1], 4)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let arguments = [
            executable, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
            "--hide-scrollbars", "--remote-debugging-pipe", "--user-data-dir=\(profile)", "about:blank",
        ]
        var argv = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        // Its own process group, so that closing it ends its zygote and renderers too (they
        // outlived a SIGTERM to the browser alone, one orphan per run).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        var child: pid_t = 0
        let spawned = posix_spawn(&child, executable, &actions, &attributes, &argv, environ)
        close(toBrowser[0])
        close(fromBrowser[1])
        guard spawned == 0 else { throw Failure(description: "\(executable) did not start (posix_spawn \(spawned))") }
        pid = child
        input = toBrowser[1]
        output = fromBrowser[0]
        let fd = output
        let inbox = messages
        Thread.detachNewThread {
            var buffer: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = read(fd, &chunk, chunk.count)
                guard n > 0 else { return }
                buffer += chunk[0..<n]
                while let end = buffer.firstIndex(of: 0) {
                    let data = Data(buffer[..<end])
                    buffer.removeSubrange(...end)
                    if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] { inbox.withLock { $0.append(object) } }
                }
            }
        }
    }

    deinit {
        close(input)
        kill(-pid, SIGTERM)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        // Whatever of the group is left.
        kill(-pid, SIGKILL)
        close(output)
        try? FileManager.default.removeItem(atPath: profile)
    }

    /// Sends a command (to the attached page, once there is one) and waits for its answer.
    @discardableResult
    func call(_ method: String, _ params: [String: Any] = [:], page: Bool = true, timeout: Double = 30) async throws -> [String: Any] {
        let id = nextID.withLock { n in
            n += 1
            return n
        }
        var message: [String: Any] = ["id": id, "method": method, "params": params]
        if page, let session { message["sessionId"] = session }
        var bytes = [UInt8](try JSONSerialization.data(withJSONObject: message))
        bytes.append(0)
        let written = bytes.withUnsafeBytes { write(input, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw Failure(description: "the browser stopped reading (\(method))") }
        let answer = try await wait(timeout: timeout, what: method) { $0["id"] as? Int == id }
        if let error = answer["error"] as? [String: Any] { throw Failure(description: "\(method) failed: \(error["message"] ?? error)") }
        return answer["result"] as? [String: Any] ?? [:]
    }

    /// Waits for a message matching `predicate`, removing it and returning it.
    func wait(timeout: Double = 30, what: String, _ predicate: @escaping ([String: Any]) -> Bool) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let found = messages.withLock { all -> [String: Any]? in
                guard let k = all.firstIndex(where: predicate) else { return nil }
                return all.remove(at: k)
            }
            if let found { return found }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw Failure(description: "no answer from the browser for \(what) within \(Int(timeout)) s")
    }

    /// The events received so far with one of `methods`, removed.
    func drain(_ methods: Set<String>) -> [[String: Any]] {
        messages.withLock { all in
            let taken = all.filter { ($0["method"] as? String).map(methods.contains) ?? false }
            all.removeAll { ($0["method"] as? String).map(methods.contains) ?? false }
            return taken
        }
    }

    /// Opens a page and attaches to it, with console, log and page events on.
    func openPage(width: Int = 1200, height: Int = 900, mobile: Bool = false) async throws {
        let target = try await call("Target.createTarget", ["url": "about:blank"], page: false)
        guard let id = target["targetId"] as? String else { throw Failure(description: "no target") }
        let attached = try await call("Target.attachToTarget", ["targetId": id, "flatten": true], page: false)
        session = attached["sessionId"] as? String
        for domain in ["Page.enable", "Runtime.enable", "Log.enable"] { try await call(domain) }
        try await call("Emulation.setDeviceMetricsOverride", ["width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile])
    }

    /// Loads `url` and waits for its load event.
    func navigate(_ url: String) async throws {
        _ = drain(["Page.loadEventFired"])
        try await call("Page.navigate", ["url": url])
        _ = try await wait(what: "loading \(url)") { $0["method"] as? String == "Page.loadEventFired" }
    }

    /// Runs `expression` in the page and returns its value.
    func evaluate(_ expression: String) async throws -> Any? {
        let result = try await call("Runtime.evaluate", ["expression": expression, "returnByValue": true, "awaitPromise": true])
        if let exception = result["exceptionDetails"] as? [String: Any] { throw Failure(description: "script failed: \(exception["text"] ?? exception)") }
        return (result["result"] as? [String: Any])?["value"]
    }

    /// The errors the page reported since the last call: uncaught exceptions, `console.error`,
    /// and the browser's own error log (failed loads, blocked by the content security policy).
    func errors() -> [String] {
        drain(["Runtime.exceptionThrown", "Runtime.consoleAPICalled", "Log.entryAdded"]).compactMap { event in
            let params = event["params"] as? [String: Any] ?? [:]
            switch event["method"] as? String {
            case "Runtime.exceptionThrown": return "exception: \((params["exceptionDetails"] as? [String: Any])?["text"] ?? "?")"
            case "Runtime.consoleAPICalled":
                guard params["type"] as? String == "error" else { return nil }
                return "console.error: \((params["args"] as? [[String: Any]])?.compactMap { $0["value"] as? String }.joined(separator: " ") ?? "")"
            default:
                guard let entry = params["entry"] as? [String: Any], entry["level"] as? String == "error" else { return nil }
                return "\(entry["source"] ?? "log"): \(entry["text"] ?? "") \(entry["url"] ?? "")"
            }
        }
    }

    /// A PNG of the whole page.
    func screenshot() async throws -> Data {
        let shot = try await call("Page.captureScreenshot", ["format": "png", "captureBeyondViewport": true])
        guard let base64 = shot["data"] as? String, let data = Data(base64Encoded: base64) else { throw Failure(description: "no screenshot") }
        return data
    }
}
