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
        let continuation: CheckedContinuation<MatchworkService.RenderedList, any Error>
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
    func answer(_ request: RecommendationRequest, with state: EngineHost.State) async throws -> MatchworkService.RenderedList {
        try await withCheckedThrowingContinuation { continuation in
            let start = queue.withLock { queue -> Bool in
                queue.pending.append(Pending(request: request, state: state, continuation: continuation))
                guard queue.running < workers else { return false }
                queue.running += 1
                return true
            }
            if start { pool.submit { [self] work in drain(work) } }
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
                for pending in batch { pending.continuation.resume(throwing: CancellationError()) }
                continue
            }
            onBatch(batch.count)
            let results = first.state.engine.recommend(together: batch.map(\.request))
            for (pending, result) in zip(batch, results) {
                switch result {
                case .success(let list): pending.continuation.resume(returning: MatchworkService.RenderedList(list, explain: pending.request.explain))
                case .failure(let error): pending.continuation.resume(throwing: error)
                }
            }
        }
    }
}
