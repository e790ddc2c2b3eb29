import Foundation
public import MatchworkCore

/// What the registry records about one trained model, written beside it as JSON.
public struct ModelMetadata: Sendable, Codable, Hashable {
    /// `neural-000003`: the kind and a number that grows with each training run.
    public var version: String
    public var kind: String
    /// ISO 8601, UTC.
    public var createdAt: String
    public var scenario: String?
    public var formatVersion: Int
    /// SHA-256 of the artifact file (as `sha256sum` prints it) and its size.
    public var sha256: String
    public var bytes: Int
    /// What it was trained on.
    public var data: [String: Int]
    public var hyperParameters: [String: String]
    /// Validation metrics: per kind of list (`opportunities`, `people`, `applicants`), of the
    /// hybrid and of its parts alone (`…/collaborative`, `…/content`), and `rating`.
    public var metrics: [String: NeuralMetrics]
    /// The learned α (collaborative share) per kind of list.
    public var alpha: [String: Double]
    public var trainingSeconds: Double
    /// Embedding row → external id: people, and opportunity keys (the client's id, or the
    /// opportunity's own when it has no client).
    public var idMaps: [String: [String]]

    public init(
        version: String, kind: String, createdAt: String, scenario: String?, formatVersion: Int, sha256: String, bytes: Int, data: [String: Int],
        hyperParameters: [String: String], metrics: [String: NeuralMetrics], alpha: [String: Double], trainingSeconds: Double, idMaps: [String: [String]]
    ) {
        self.version = version
        self.kind = kind
        self.createdAt = createdAt
        self.scenario = scenario
        self.formatVersion = formatVersion
        self.sha256 = sha256
        self.bytes = bytes
        self.data = data
        self.hyperParameters = hyperParameters
        self.metrics = metrics
        self.alpha = alpha
        self.trainingSeconds = trainingSeconds
        self.idMaps = idMaps
    }
}

/// Versioned trained models in a directory (local disk or any mounted path).
///
/// Each training run adds `KIND-NNNNNN.mwm` (the artifact, see ``ModelArtifact``) and
/// `KIND-NNNNNN.json` (its ``ModelMetadata``), both written to a temporary name, flushed and
/// renamed, the metadata last: a version is complete once its metadata exists. The newest
/// version that passes its checks serves, unless `serving.json` pins one
/// (``pin(_:)``). A version that fails a check (missing or unreadable metadata, a size or
/// SHA-256 that differs, a truncated or corrupted file, another format or scenario) is refused
/// with the reason, and the next newest serves instead.
public struct ModelRegistry: Sendable {
    let directory: URL
    /// The directory's path.
    public var path: String { directory.path }

    /// One version and whether it can serve.
    public struct Entry: Sendable {
        public var version: String
        public var metadata: ModelMetadata?
        /// `nil` when it passed every check, else why it was refused.
        public var problem: String?
        public var isUsable: Bool { problem == nil }
    }

    public init(directory: String) {
        self.directory = URL(fileURLWithPath: directory, isDirectory: true)
    }

    /// The registry beside a store: `PATH.models/` for the store file `PATH`.
    public init(besideStore store: String) {
        self.init(directory: store + ".models")
    }

    private var pinFile: URL { directory.appendingPathComponent("serving.json") }

    /// Saves a trained model as the next version and returns its metadata.
    ///
    /// - Parameter describe: fills in the metadata given the version, the SHA-256 and the size.
    public func save(_ model: LearnedModel, kind: String = "neural", describe: (_ version: String, _ sha256: String, _ bytes: Int) -> ModelMetadata) throws -> ModelMetadata {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError(.cannotOpen, "cannot create the model directory '\(directory.path)': \(error.localizedDescription); pass --models with a writable directory.")
        }
        let bytes = try ModelArtifact.encode(model)
        let version = "\(kind)-" + String(format: "%06d", (versions().compactMap { Int($0.split(separator: "-").last ?? "") }.max() ?? 0) + 1)
        let metadata = describe(version, SHA256.hex(bytes), bytes.count)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try write(bytes, to: directory.appendingPathComponent("\(version).mwm"))
        try write(try encoder.encode(metadata), to: directory.appendingPathComponent("\(version).json"))
        return metadata
    }

    /// Every version on disk, newest first (by number), with its checks.
    public func entries(scenario: ScenarioName?) -> [Entry] {
        versions().sorted { number($0) > number($1) }.map { version in
            do {
                let (_, metadata) = try load(version, scenario: scenario)
                return Entry(version: version, metadata: metadata, problem: nil)
            } catch {
                return Entry(version: version, metadata: try? readMetadata(version), problem: (error as? StoreError)?.message ?? "\(error)")
            }
        }
    }

    /// The model that serves: the pinned version, else the newest that passes its checks.
    ///
    /// - Returns: `nil` when no version can serve; `refused` lists the versions skipped and why.
    public func serving(scenario: ScenarioName?) -> (model: LearnedModel, metadata: ModelMetadata, refused: [(version: String, reason: String)])? {
        var refused: [(String, String)] = []
        for version in servingOrder(versions()) {
            do {
                let (model, metadata) = try load(version, scenario: scenario)
                return (model, metadata, refused)
            } catch {
                refused.append((version, (error as? StoreError)?.message ?? "\(error)"))
            }
        }
        return nil
    }

    /// The version that serves among checked `entries` (as ``serving(scenario:)`` chooses it,
    /// without loading the models again).
    public func servingVersion(among entries: [Entry]) -> String? {
        let usable = Set(entries.filter(\.isUsable).map(\.version))
        return servingOrder(Array(usable)).first
    }

    /// The pinned version first, then the others newest first.
    private func servingOrder(_ versions: [String]) -> [String] {
        var order = versions.sorted { number($0) > number($1) }
        if let pinned = pinnedVersion(), let i = order.firstIndex(of: pinned) {
            order.remove(at: i)
            order.insert(pinned, at: 0)
        }
        return order
    }

    /// Loads one version after checking it whole.
    public func load(_ version: String, scenario: ScenarioName?) throws -> (LearnedModel, ModelMetadata) {
        let metadata: ModelMetadata
        do { metadata = try readMetadata(version) } catch {
            throw StoreError(.unreadableFile, "model \(version): its metadata \(version).json is missing or unreadable; train again or delete \(version).mwm.")
        }
        let url = directory.appendingPathComponent("\(version).mwm")
        guard let bytes = try? Data(contentsOf: url) else {
            throw StoreError(.unreadableFile, "model \(version): the artifact \(url.lastPathComponent) is missing or unreadable.")
        }
        guard bytes.count == metadata.bytes else {
            throw StoreError(.unreadableFile, "model \(version): the artifact has \(bytes.count) bytes where its metadata says \(metadata.bytes) (truncated or replaced); train again.")
        }
        guard SHA256.hex(bytes) == metadata.sha256 else {
            throw StoreError(.unreadableFile, "model \(version): the artifact's SHA-256 differs from its metadata's (corrupted or replaced); train again.")
        }
        var model: LearnedModel
        do { model = try ModelArtifact.decode(bytes) } catch {
            throw StoreError(.unreadableFile, "model \(version): \(error.description); train again.")
        }
        guard model.encoder.scenario == scenario else {
            throw StoreError(
                .scenarioMismatch,
                "model \(version) was trained on a \(model.encoder.scenario?.rawValue ?? "scenario-less") marketplace, not this \(scenario?.rawValue ?? "scenario-less") store; train one on this store.")
        }
        model.version = version
        return (model, metadata)
    }

    /// Pins `version` (after checking it can serve), so it serves until unpinned.
    public func pin(_ version: String, scenario: ScenarioName?) throws {
        guard versions().contains(version) else {
            let known = versions().sorted { number($0) > number($1) }.prefix(5).joined(separator: ", ")
            throw StoreError(.notFound, "there is no model \(version) in \(directory.path); \(known.isEmpty ? "train one with `matchwork train`" : "the latest are \(known)").")
        }
        _ = try load(version, scenario: scenario)
        try write(try JSONEncoder().encode(["serving": version]), to: pinFile)
    }

    /// Removes the pin: the newest usable version serves again.
    public func unpin() throws {
        if FileManager.default.fileExists(atPath: pinFile.path) { try FileManager.default.removeItem(at: pinFile) }
    }

    public func pinnedVersion() -> String? {
        guard let data = try? Data(contentsOf: pinFile), let pin = try? JSONDecoder().decode([String: String].self, from: data) else { return nil }
        return pin["serving"]
    }

    func readMetadata(_ version: String) throws -> ModelMetadata {
        try JSONDecoder().decode(ModelMetadata.self, from: Data(contentsOf: directory.appendingPathComponent("\(version).json")))
    }

    /// Versions with an artifact file.
    func versions() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".mwm") }.map { String($0.dropLast(4)) }
    }

    private func number(_ version: String) -> Int { Int(version.split(separator: "-").last ?? "") ?? -1 }

    /// Writes to a temporary file, flushes it and renames it over `url`.
    private func write(_ data: Data, to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        do {
            FileManager.default.createFile(atPath: temporary.path, contents: nil)
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
            if FileManager.default.fileExists(atPath: url.path) { _ = try FileManager.default.replaceItemAt(url, withItemAt: temporary) } else { try FileManager.default.moveItem(at: temporary, to: url) }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw StoreError(.cannotOpen, "cannot write \(url.path): \(error.localizedDescription); check that the model directory is writable and has space.")
        }
    }
}
