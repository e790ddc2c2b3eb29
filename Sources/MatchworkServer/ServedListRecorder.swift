import Logging
import MatchworkStore

/// Records served lists in batches, off the request path: lists wait at most `interval`
/// seconds (or until 500 are waiting) and are then written in one transaction.
///
/// ``flush()`` writes what is waiting at once; outcome and tracking reads call it first, so
/// that a list is found as soon as its response has been sent.
actor ServedListRecorder {
    let store: any ServiceStore
    let logger: Logger
    let interval: Double
    private var pending: [ServedList] = []
    private var timer: Task<Void, Never>?

    init(store: any ServiceStore, logger: Logger, interval: Double = 0.2) {
        self.store = store
        self.logger = logger
        self.interval = interval
    }

    func record(_ list: ServedList) async {
        pending.append(list)
        if pending.count >= 500 {
            await flush()
        } else if timer == nil {
            let interval = interval
            timer = Task { [weak self] in
                try? await Task.sleep(for: .seconds(interval))
                await self?.flush()
            }
        }
    }

    /// Writes every waiting list now; `false` when the write failed (the lists are kept to retry).
    @discardableResult
    func flush() async -> Bool {
        timer?.cancel()
        timer = nil
        guard !pending.isEmpty else { return true }
        let lists = pending
        pending = []
        do {
            try await store.recordServed(lists)
            return true
        } catch {
            logger.error("Recording \(lists.count) served lists failed; they are kept to retry", metadata: ["error": "\(error.message)"])
            pending = lists + pending
            return false
        }
    }
}
