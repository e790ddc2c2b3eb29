import Logging
import MatchworkStore

/// Records served lists off the request path, by group commit: one writer at a time takes
/// every list waiting (up to `batchSize`) and writes them in one transaction, then the next
/// batch, until none waits; so the batches grow when the store is slower than the traffic. A
/// quiet service's lists wait at most `interval` seconds for company. A request waits for the
/// store only when `maximumBacklog` lists are waiting, so that the backlog cannot grow without
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
    /// Lists recorded so far, and how many of them (the oldest first) are stored.
    private var recorded = 0
    private var stored = 0
    private var timer: Task<Void, Never>?
    private var writer: Task<Void, Never>?
    /// Callers of `flush()` and their targets: resumed with `true` once `stored` reaches the
    /// target, with `false` when a write fails first.
    private var waiting: [(target: Int, continuation: CheckedContinuation<Bool, Never>)] = []

    init(store: any ServiceStore, logger: Logger, interval: Double = 0.2, batchSize: Int = 5_000, maximumBacklog: Int = 20_000) {
        self.store = store
        self.logger = logger
        self.interval = interval
        self.batchSize = batchSize
        self.maximumBacklog = maximumBacklog
    }

    func record(_ list: ServedList) async {
        pending.append(list)
        recorded += 1
        if writer == nil {
            if pending.count >= batchSize {
                startWriter()
            } else if timer == nil {
                let interval = interval
                timer = Task { [weak self] in
                    try? await Task.sleep(for: .seconds(interval))
                    await self?.startWriter()
                }
            }
        }
        if pending.count >= maximumBacklog { await flush() }
    }

    /// Writes every waiting list now (so that when it returns, every list recorded before the
    /// call is stored); `false` when a write failed (its lists are kept to retry).
    @discardableResult
    func flush() async -> Bool {
        let target = recorded
        guard stored < target else { return true }
        startWriter()
        return await withCheckedContinuation { waiting.append((target, $0)) }
    }

    private func startWriter() {
        timer?.cancel()
        timer = nil
        guard writer == nil, !pending.isEmpty else { return }
        writer = Task { await self.drain() }
    }

    /// Writes batches until none waits, or a write fails.
    private func drain() async {
        while !pending.isEmpty {
            let lists = Array(pending.prefix(batchSize))
            pending.removeFirst(lists.count)
            do {
                try await store.recordServed(lists)
                stored += lists.count
                resume { $0 <= stored ? true : nil }
            } catch {
                logger.error("Recording \(lists.count) served lists failed; they are kept to retry", metadata: ["error": "\(error)"])
                pending = lists + pending
                resume { _ in false }
                break
            }
        }
        writer = nil
        // Lists recorded after a failure are retried with the next list recorded or flush.
    }

    private func resume(_ outcome: (Int) -> Bool?) {
        waiting.removeAll { waiter in
            guard let result = outcome(waiter.target) else { return false }
            waiter.continuation.resume(returning: result)
            return true
        }
    }
}
