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
    /// The latest write; each write waits for the one before it.
    private var writing: Task<(earlier: Bool, ours: Bool), Never>?

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

    /// Writes every waiting list now, after any write already under way (so that when it
    /// returns, every list recorded before the call is stored); `false` when a write failed
    /// (its lists are kept to retry).
    @discardableResult
    func flush() async -> Bool {
        timer?.cancel()
        timer = nil
        let lists = pending
        pending = []
        let previous = writing
        let task = Task { [store, logger] () -> (earlier: Bool, ours: Bool) in
            let earlier = await previous?.value.ours ?? true
            guard !lists.isEmpty else { return (earlier, true) }
            do {
                try await store.recordServed(lists)
                return (earlier, true)
            } catch {
                logger.error("Recording \(lists.count) served lists failed; they are kept to retry", metadata: ["error": "\(error)"])
                return (earlier, false)
            }
        }
        writing = task
        let result = await task.value
        if !result.ours { pending = lists + pending }
        return result.earlier && result.ours
    }
}
