import Foundation
import Testing

/// Runs the `matchwork` executable built beside the test bundle.
struct CLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let executable: URL = {
        let exe = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        var dir = exe.deletingLastPathComponent()
        // On macOS the tests run inside an .xctest bundle.
        while dir.pathExtension == "xctest" || dir.lastPathComponent == "MacOS" || dir.lastPathComponent == "Contents" { dir.deleteLastPathComponent() }
        return dir.appendingPathComponent("matchwork")
    }()

    let directory: String

    /// Runs to completion.
    @discardableResult
    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = directory + "/.stdout-\(UUID().uuidString)", err = directory + "/.stderr-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        _ = FileManager.default.createFile(atPath: err, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        defer {
            try? FileManager.default.removeItem(atPath: out)
            try? FileManager.default.removeItem(atPath: err)
        }
        return Result(status: process.terminationStatus, stdout: try String(contentsOfFile: out, encoding: .utf8), stderr: try String(contentsOfFile: err, encoding: .utf8))
    }

    /// Starts without waiting; stderr goes to `stderrPath`.
    func start(_ arguments: [String], environment: [String: String] = [:], stderrPath: String) throws -> Process {
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }
}

/// A fresh temporary directory, removed when released.
final class Scratch: @unchecked Sendable {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "matchwork-cli-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { path + "/" + name }
    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        try! text.write(toFile: file(name), atomically: true, encoding: .utf8)
        return file(name)
    }
    /// The file's text; a missing or unreadable file fails the test (two missing files must not
    /// compare equal).
    func read(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        do { return try String(contentsOfFile: file(name), encoding: .utf8) } catch {
            Issue.record("\(name) cannot be read: \(error)", sourceLocation: sourceLocation)
            return "<\(name) missing>"
        }
    }
    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: file(name)) }
    var cli: CLI { CLI(directory: path) }
}

let sharedData: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("shared/data").path
}()

extension CLITests {
    /// Reads `--json` output, whose keys are snake_case.
    static var snakeCase: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }
}

extension EventsCLITests {
    static var snakeCase: JSONDecoder { CLITests.snakeCase }
}
