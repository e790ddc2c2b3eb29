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
///
/// When a write fails (a full disk), the lists are kept and retried with a growing delay (1 s
/// doubling to 30 s), not at every request; readiness reports the failure (``writeFailure``);
/// once `maximumBacklog` lists wait behind a failing store, ``record(_:)`` refuses more, and
/// the service answers 503 instead of serving lists it cannot record.
actor ServedListRecorder {
    let store: any ServiceStore
    let logger: Logger
    let interval: Double
    let batchSize: Int
    let maximumBacklog: Int
    private var pending: [ServedList] = []
    /// The batch being written (out of `pending` while its write is under way).
    private var writing: [ServedList] = []
    /// Lists recorded so far, and how many of them (the oldest first) are stored.
    private var recorded = 0
    private var stored = 0
    private var timer: Task<Void, Never>?
    private var writer: Task<Void, Never>?
    /// Callers of `flush()` and their targets: resumed with `true` once `stored` reaches the
    /// target, with `false` when a write fails first.
    private var waiting: [(target: Int, continuation: CheckedContinuation<Bool, Never>)] = []
    /// The last write's error while the store fails (cleared by the next write that succeeds).
    private(set) var writeFailure: String?
    /// After a failure, no write is tried before this time; the delay doubles up to 30 s.
    private var retryAt = ContinuousClock.now
    private var retryDelay: Duration = .seconds(1)
    private var retryTask: Task<Void, Never>?

    init(store: any ServiceStore, logger: Logger, interval: Double = 0.2, batchSize: Int = 5_000, maximumBacklog: Int = 20_000) {
        self.store = store
        self.logger = logger
        self.interval = interval
        self.batchSize = batchSize
        self.maximumBacklog = maximumBacklog
    }

    /// Queues `list` for writing; `false` (and not queued) when `maximumBacklog` lists already
    /// wait behind a failing store.
    @discardableResult
    func record(_ list: ServedList) async -> Bool {
        if writeFailure != nil, backlog >= maximumBacklog { return false }
        pending.append(list)
        recorded += 1
        if writeFailure != nil { return true }
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
        return true
    }

    /// Whether the list `id` was served but is not stored yet.
    func isWaiting(_ id: String) -> Bool { pending.contains { $0.id == id } || writing.contains { $0.id == id } }

    /// How many lists wait to be written, the batch being written included.
    var backlog: Int { pending.count + writing.count }

    /// Writes every waiting list now (so that when it returns, every list recorded before the
    /// call is stored); `false` when a write failed (its lists are kept to retry).
    @discardableResult
    func flush() async -> Bool {
        let target = recorded
        guard stored < target else { return true }
        // Behind a failing store, a flush waits for the scheduled retry rather than trying a
        // failing write for every request.
        if writeFailure != nil, ContinuousClock.now < retryAt { return false }
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
            writing = lists
            defer { writing = [] }
            do {
                try await store.recordServed(lists)
                stored += lists.count
                if writeFailure != nil {
                    logger.notice("Recording served lists works again", metadata: ["backlog": "\(pending.count)"])
                    writeFailure = nil
                    retryDelay = .seconds(1)
                }
                resume { $0 <= stored ? true : nil }
            } catch {
                if writeFailure == nil {
                    logger.error("Recording \(lists.count) served lists failed; they are kept and retried", metadata: ["error": "\(error)"])
                }
                writeFailure = error.message
                pending = lists + pending
                resume { _ in false }
                scheduleRetry()
                break
            }
        }
        writer = nil
    }

    /// Retries the waiting lists after the current delay, then doubles it (at most 30 s).
    private func scheduleRetry() {
        retryAt = ContinuousClock.now + retryDelay
        let delay = retryDelay
        retryDelay = min(retryDelay * 2, .seconds(30))
        retryTask?.cancel()
        retryTask = Task { [weak self] in
            try? await Task.sleep(for: delay)
            await self?.startWriter()
        }
    }

    private func resume(_ outcome: (Int) -> Bool?) {
        waiting.removeAll { waiter in
            guard let result = outcome(waiter.target) else { return false }
            waiter.continuation.resume(returning: result)
            return true
        }
    }
}
