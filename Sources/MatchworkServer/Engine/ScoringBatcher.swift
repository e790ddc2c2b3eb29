import MatchworkCore
import NIOPosix
import Synchronization

/// Scores the requests that miss the cache on the scoring threads, several at a time.
///
/// A request that misses joins a queue. While fewer than `workers` batches run, a new one
/// starts on the thread pool; a running worker, when it finishes a batch, takes every request
/// that queued meanwhile (up to `maximumBatch`, all answered by the same engine) as its next
/// batch. The engine answers a batch together (``RecommendationEngine/recommend(together:ledger:)``):
/// one neural forward pass and one collaborative product for all of them. So under load the
/// batches grow by themselves, and a lone request is scored at once, alone.
final class ScoringBatcher: Sendable {
    private struct Pending: Sendable {
        let request: RecommendationRequest
        let state: EngineHost.State
        let deliver: @Sendable (Result<RenderedList, any Error>) -> Void
    }

    /// The answers to several requests queued together, handed back all at once.
    private final class Collector: Sendable {
        private let state: Mutex<(results: [Result<RenderedList, any Error>?], missing: Int)>
        private let continuation: CheckedContinuation<[Result<RenderedList, any Error>], Never>

        init(count: Int, _ continuation: CheckedContinuation<[Result<RenderedList, any Error>], Never>) {
            state = Mutex((Array(repeating: nil, count: count), count))
            self.continuation = continuation
        }

        func deliver(_ result: Result<RenderedList, any Error>, at index: Int) {
            let done = state.withLock { state -> [Result<RenderedList, any Error>]? in
                state.results[index] = result
                state.missing -= 1
                return state.missing == 0 ? state.results.map { $0! } : nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }

    private struct Queue {
        var pending: [Pending] = []
        var running = 0
    }

    let pool: NIOThreadPool
    let workers: Int
    let maximumBatch: Int
    private let queue = Mutex(Queue())
    /// Batches scored and requests in them, for the metrics.
    let onBatch: @Sendable (Int) -> Void

    init(pool: NIOThreadPool, workers: Int, maximumBatch: Int = 32, onBatch: @escaping @Sendable (Int) -> Void = { _ in }) {
        precondition(workers > 0 && maximumBatch > 0, "ScoringBatcher: at least one worker and one request per batch")
        self.pool = pool
        self.workers = workers
        self.maximumBatch = maximumBatch
        self.onBatch = onBatch
    }

    /// Requests waiting for a scoring thread.
    var queuedCount: Int { queue.withLock { $0.pending.count } }

    /// The rendered list for `request` from `state`'s engine.
    func answer(_ request: RecommendationRequest, with state: EngineHost.State) async throws -> RenderedList {
        try await answer([request], with: state)[0].get()
    }

    /// The rendered lists for `requests` from `state`'s engine, in order: queued together, in
    /// order, so that they are scored in as few batches as the batch size allows.
    func answer(_ requests: [RecommendationRequest], with state: EngineHost.State) async -> [Result<RenderedList, any Error>] {
        guard !requests.isEmpty else { return [] }
        return await withCheckedContinuation { continuation in
            let collector = Collector(count: requests.count, continuation)
            let starting = queue.withLock { queue -> Int in
                for (index, request) in requests.enumerated() {
                    queue.pending.append(Pending(request: request, state: state) { collector.deliver($0, at: index) })
                }
                let wanted = (requests.count + maximumBatch - 1) / maximumBatch
                let starting = min(wanted, workers - queue.running)
                queue.running += max(0, starting)
                return starting
            }
            for _ in 0..<max(0, starting) { pool.submit { [self] work in drain(work) } }
        }
    }

    /// Scores batches until the queue is empty.
    private func drain(_ work: NIOThreadPool.WorkItemState) {
        while true {
            let batch = queue.withLock { queue -> [Pending] in
                guard let first = queue.pending.first else {
                    queue.running -= 1
                    return []
                }
                var taken: [Pending] = [], kept: [Pending] = []
                for pending in queue.pending {
                    if taken.count < maximumBatch && pending.state === first.state { taken.append(pending) } else { kept.append(pending) }
                }
                queue.pending = kept
                return taken
            }
            guard let first = batch.first else { return }
            guard case .active = work else {
                for pending in batch { pending.deliver(.failure(CancellationError())) }
                continue
            }
            onBatch(batch.count)
            let results = first.state.engine.recommend(together: batch.map(\.request))
            for (pending, result) in zip(batch, results) {
                pending.deliver(result.map { RenderedList($0, explain: pending.request.explain) }.mapError { $0 })
            }
        }
    }
}
