import Logging
import MatchworkStore

/// Records served lists in batches, off the request path: lists wait at most `interval`
/// seconds (or until `batchSize` are waiting) and are then written in one transaction, while
/// requests go on. A request waits for the store only when `maximumBacklog` lists are waiting
/// or being written, so that a store slower than the traffic cannot grow the backlog without
/// bound.
///
/// ``flush()`` writes what is waiting at once; outcome and tracking reads call it first, so
/// that a list is found as soon as its response has been sent.
actor ServedListRecorder {
    let store: any ServiceStore
    let logger: Logger
    let interval: Double
    let batchSize: Int
    let maximumBacklog: Int
    private var pending: [ServedList] = []
    /// Lists handed to a write that has not finished.
    private var writingCount = 0
    private var timer: Task<Void, Never>?
    /// The latest write; each write waits for the one before it. Its value: whether it and
    /// every write before it stored their lists.
    private var writing: Task<Bool, Never>?

    init(store: any ServiceStore, logger: Logger, interval: Double = 0.2, batchSize: Int = 500, maximumBacklog: Int = 20_000) {
        self.store = store
        self.logger = logger
        self.interval = interval
        self.batchSize = batchSize
        self.maximumBacklog = maximumBacklog
    }

    func record(_ list: ServedList) async {
        pending.append(list)
        if pending.count >= batchSize {
            startWrite()
        } else if timer == nil {
            let interval = interval
            timer = Task { [weak self] in
                try? await Task.sleep(for: .seconds(interval))
                await self?.startWrite()
            }
        }
        if pending.count + writingCount >= maximumBacklog { await flush() }
    }

    /// Writes every waiting list now, after any write already under way (so that when it
    /// returns, every list recorded before the call is stored); `false` when a write failed
    /// (its lists are kept to retry).
    @discardableResult
    func flush() async -> Bool {
        await startWrite().value
    }

    /// Starts writing the waiting lists after the write under way, without waiting for it.
    @discardableResult
    private func startWrite() -> Task<Bool, Never> {
        timer?.cancel()
        timer = nil
        let lists = pending
        pending = []
        writingCount += lists.count
        let previous = writing
        let task = Task { [store, logger] () -> Bool in
            let earlier = await previous?.value ?? true
            guard !lists.isEmpty else { return earlier }
            var stored = true
            do {
                try await store.recordServed(lists)
            } catch {
                logger.error("Recording \(lists.count) served lists failed; they are kept to retry", metadata: ["error": "\(error)"])
                stored = false
            }
            await self.finished(lists, stored: stored)
            return earlier && stored
        }
        writing = task
        return task
    }

    private func finished(_ lists: [ServedList], stored: Bool) {
        writingCount -= lists.count
        if !stored { pending = lists + pending }
    }
}
