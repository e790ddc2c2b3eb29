import Foundation
import Logging
import MatchworkCore
import MatchworkStore

/// Runs one retrain at a time in the background and reports its progress.
actor Retrainer {
    enum Phase: String, Encodable, Sendable {
        case idle, running, succeeded, failed
    }

    struct Status: Encodable, Sendable {
        var state: Phase = .idle
        var models: [String] = []
        var startedAt: String?
        var finishedAt: String?
        /// What the retrain is doing now (`neural: ranking epoch 3/40 …`).
        var stage: String?
        /// The versions saved and serving after a success.
        var versions: [String] = []
        var seconds: Double?
        var error: String?
    }

    private(set) var status = Status()
    private var task: Task<Void, Never>?
    /// A failed retrain is logged at error with its reason; a start and a success at info.
    private let logger: Logger

    init(logger: Logger) { self.logger = logger }

    /// Starts `work` unless a retrain is running; `false` when one is.
    func start(models: [String], work: @escaping @Sendable (Retrainer) async throws -> [String]) -> Bool {
        guard status.state != .running else { return false }
        let started = Date()
        status = Status(state: .running, models: models, startedAt: ISO8601DateFormatter().string(from: started), stage: "starting")
        logger.info("Retrain started", metadata: ["models": "\(models.joined(separator: ","))"])
        task = Task {
            do {
                let versions = try await work(self)
                finish(.succeeded, versions: versions, error: nil, started: started)
            } catch {
                finish(.failed, versions: [], error: (error as? MatchworkError)?.message ?? (error as? StoreError)?.message ?? "\(error)", started: started)
            }
        }
        return true
    }

    func report(_ stage: String) { if status.state == .running { status.stage = stage } }

    /// Waits for the running retrain, if any (for tests and shutdown).
    func wait() async { await task?.value }

    private func finish(_ phase: Phase, versions: [String], error: String?, started: Date) {
        status.state = phase
        status.versions = versions
        status.error = error
        status.stage = nil
        status.finishedAt = ISO8601DateFormatter().string(from: Date())
        status.seconds = Date().timeIntervalSince(started)
        let seconds = String(format: "%.1f", status.seconds ?? 0)
        if let error {
            logger.error("Retrain failed; the serving models are unchanged", metadata: ["models": "\(status.models.joined(separator: ","))", "reason": "\(error)", "seconds": "\(seconds)"])
        } else {
            logger.info("Retrain succeeded", metadata: ["versions": "\(versions.joined(separator: ","))", "seconds": "\(seconds)"])
        }
    }
}
