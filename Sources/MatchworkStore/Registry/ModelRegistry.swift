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
    /// Validation metrics. Neural: per kind of list (`opportunities`, `people`, `applicants`),
    /// of the hybrid and of its parts alone (`…/collaborative`, `…/content`), `rating` and
    /// `bid`. Collaborative kinds: `validation`, on their held-out share.
    public var metrics: [String: NeuralMetrics]
    /// The learned α (collaborative share) per kind of list (neural only).
    public var alpha: [String: Double]
    public var trainingSeconds: Double
    /// Embedding row → external id: people, and opportunity keys (the client's id, or the
    /// opportunity's own when it has no client).
    public var idMaps: [String: [String]]
    /// The validation loss per epoch of each part trained (neural: per kind of list, `rating`),
    /// for the dashboard's training curves; absent in versions saved before it was kept.
    public var curves: [String: [Double]]?
    /// Each stage's features by gain, largest first, at most 15 (ranker only).
    public var importance: [String: [RankerModel.Importance]]?

    public init(
        version: String, kind: String, createdAt: String, scenario: String?, formatVersion: Int, sha256: String, bytes: Int, data: [String: Int],
        hyperParameters: [String: String], metrics: [String: NeuralMetrics], alpha: [String: Double], trainingSeconds: Double, idMaps: [String: [String]],
        curves: [String: [Double]]? = nil, importance: [String: [RankerModel.Importance]]? = nil
    ) {
        self.curves = curves
        self.importance = importance
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
/// (``pin(_:scenario:)``); each kind (`neural`, `als`, `bpr`, `item-knn`, `mf`) has its own
/// serving version and pin. A version that fails a check (missing or unreadable metadata, a size or
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
        /// The kind, from the version's name.
        public var kind: String { ModelRegistry.kind(of: version) }
    }

    public init(directory: String) {
        self.directory = URL(fileURLWithPath: directory, isDirectory: true)
    }

    /// The registry beside a store: `PATH.models/` for the store file `PATH`.
    public init(besideStore store: String) {
        self.init(directory: store + ".models")
    }

    /// The artifact format this matchwork writes and reads.
    public static var formatVersion: Int { Int(ModelArtifact.formatVersion) }

    private var pinFile: URL { directory.appendingPathComponent("serving.json") }

    /// The kind of a version: its name up to the last `-` (`item-knn-000004` → `item-knn`).
    public static func kind(of version: String) -> String {
        guard let dash = version.lastIndex(of: "-") else { return version }
        return String(version[..<dash])
    }

    /// Saves a trained model as the next version (numbers grow across kinds) and returns its
    /// metadata.
    ///
    /// - Parameter describe: fills in the metadata given the version, the SHA-256 and the size.
    public func save(_ model: RegistryModel, describe: (_ version: String, _ sha256: String, _ bytes: Int) -> ModelMetadata) throws -> ModelMetadata {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError(.cannotOpen, "cannot create the model directory '\(directory.path)': \(error.localizedDescription); pass --models with a writable directory.")
        }
        let bytes = try ModelArtifact.encode(model)
        let version = "\(model.kind)-" + String(format: "%06d", (versions().map(number).max() ?? 0) + 1)
        let metadata = describe(version, ContentDigest.sha256Hex(bytes), bytes.count)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try write(bytes, to: directory.appendingPathComponent("\(version).mwm"))
        try write(try encoder.encode(metadata), to: directory.appendingPathComponent("\(version).json"))
        return metadata
    }

    /// Saves a trained neural model (see ``save(_:describe:)-(RegistryModel,_)``).
    public func save(_ model: LearnedModel, describe: (_ version: String, _ sha256: String, _ bytes: Int) -> ModelMetadata) throws -> ModelMetadata {
        try save(.neural(model), describe: describe)
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

    /// The model of `kind` that serves: the pinned version, else the newest that passes its
    /// checks.
    ///
    /// - Returns: `nil` when no version can serve; `refused` lists the versions skipped and why.
    public func serving(_ kind: String, scenario: ScenarioName?) -> (model: RegistryModel, metadata: ModelMetadata, refused: [(version: String, reason: String)])? {
        var refused: [(String, String)] = []
        for version in servingOrder(versions().filter { Self.kind(of: $0) == kind }, kind: kind) {
            do {
                let (model, metadata) = try load(version, scenario: scenario)
                return (model, metadata, refused)
            } catch {
                refused.append((version, (error as? StoreError)?.message ?? "\(error)"))
            }
        }
        return nil
    }

    /// The neural model that serves (see ``serving(_:scenario:)``).
    public func serving(scenario: ScenarioName?) -> (model: LearnedModel, metadata: ModelMetadata, refused: [(version: String, reason: String)])? {
        guard let found = serving("neural", scenario: scenario), let learned = found.model.learned else { return nil }
        return (learned, found.metadata, found.refused)
    }

    /// The version that serves per kind among checked `entries` (as ``serving(_:scenario:)``
    /// chooses it, without loading the models again).
    public func servingVersions(among entries: [Entry]) -> [String: String] {
        var serving: [String: String] = [:]
        for kind in Set(entries.map(\.kind)) {
            let usable = entries.filter { $0.isUsable && $0.kind == kind }.map(\.version)
            serving[kind] = servingOrder(usable, kind: kind).first
        }
        return serving
    }

    /// The pinned version of `kind` first, then the others newest first.
    private func servingOrder(_ versions: [String], kind: String) -> [String] {
        var order = versions.sorted { number($0) > number($1) }
        if let pinned = pinnedVersion(kind: kind), let i = order.firstIndex(of: pinned) {
            order.remove(at: i)
            order.insert(pinned, at: 0)
        }
        return order
    }

    /// Loads one version after checking it whole.
    public func load(_ version: String, scenario: ScenarioName?) throws -> (RegistryModel, ModelMetadata) {
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
        guard ContentDigest.sha256Hex(bytes) == metadata.sha256 else {
            throw StoreError(.unreadableFile, "model \(version): the artifact's SHA-256 differs from its metadata's (corrupted or replaced); train again.")
        }
        var model: RegistryModel
        do { model = try ModelArtifact.decode(bytes) } catch {
            throw StoreError(.unreadableFile, "model \(version): \(error.description); train again.")
        }
        guard model.kind == Self.kind(of: version) else {
            throw StoreError(.unreadableFile, "model \(version) holds a \(model.kind) model, not what its name says; train again.")
        }
        guard model.scenario == scenario else {
            throw StoreError(
                .scenarioMismatch,
                "model \(version) was trained on a \(model.scenario?.rawValue ?? "scenario-less") marketplace, not this \(scenario?.rawValue ?? "scenario-less") store; train one on this store.")
        }
        if let learned = model.learned, let problem = learned.servingProblem() {
            throw StoreError(.unreadableFile, "model \(version): \(problem); train again (the previous usable version serves meanwhile).")
        }
        model.setVersion(version)
        return (model, metadata)
    }

    /// Pins `version` (after checking it can serve), so it serves for its kind until unpinned.
    public func pin(_ version: String, scenario: ScenarioName?) throws {
        guard versions().contains(version) else {
            let known = versions().sorted { number($0) > number($1) }.prefix(5).joined(separator: ", ")
            throw StoreError(.notFound, "there is no model \(version) in \(directory.path); \(known.isEmpty ? "train one with `matchwork train`" : "the latest are \(known)").")
        }
        _ = try load(version, scenario: scenario)
        var pins = self.pins()
        pins[Self.kind(of: version)] = version
        try write(try JSONEncoder().encode(pins), to: pinFile)
    }

    /// Removes the pin of `kind` (every pin when `nil`): the newest usable version serves again.
    public func unpin(kind: String? = nil) throws {
        var pins = self.pins()
        if let kind { pins[kind] = nil } else { pins = [:] }
        if pins.isEmpty {
            if FileManager.default.fileExists(atPath: pinFile.path) { try FileManager.default.removeItem(at: pinFile) }
        } else {
            try write(try JSONEncoder().encode(pins), to: pinFile)
        }
    }

    /// The pinned version of `kind`, if any.
    public func pinnedVersion(kind: String = "neural") -> String? { pins()[kind] }

    /// Kind → pinned version.
    func pins() -> [String: String] {
        guard let data = try? Data(contentsOf: pinFile), let pins = try? JSONDecoder().decode([String: String].self, from: data) else { return [:] }
        return pins
    }

    func readMetadata(_ version: String) throws -> ModelMetadata {
        try JSONDecoder().decode(ModelMetadata.self, from: Data(contentsOf: directory.appendingPathComponent("\(version).json")))
    }

    /// Versions with an artifact file.
    func versions() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".mwm") }.map { String($0.dropLast(4)) }
    }

    func number(_ version: String) -> Int { Int(version.split(separator: "-").last ?? "") ?? -1 }

    /// Writes to a temporary file, flushes it and renames it over `url`.
    private func write(_ data: Data, to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        do {
            guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
                throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: temporary.path])
            }
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
            // rename(2) replaces an existing file atomically.
            guard rename(temporary.path, url.path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(errno))])
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw StoreError(.cannotOpen, "cannot write \(url.path): \(error.localizedDescription); check that the model directory is writable and has space.")
        }
    }
}
