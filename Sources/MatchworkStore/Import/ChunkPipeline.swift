internal import Foundation

/// Decodes chunks on worker threads, ahead of a consumer that takes them in order.
///
/// `take(_:)` blocks until chunk `i` is decoded. Workers claim chunks in increasing order, so
/// the consumer's next chunk is always the first one being worked on.
final class ChunkPipeline<Result: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var results: [Result?]
    private var nextToClaim = 0
    private let decode: @Sendable (Int) -> Result

    let count: Int

    init(count: Int, workers: Int = ProcessInfo.processInfo.activeProcessorCount, decode: @escaping @Sendable (Int) -> Result) {
        self.count = count
        self.decode = decode
        results = Array(repeating: nil, count: count)
        for _ in 0..<max(1, min(workers, count)) {
            let thread = Thread { [self] in work() }
            thread.stackSize = 1 << 22
            thread.start()
        }
    }

    private func work() {
        while true {
            condition.lock()
            let index = nextToClaim
            nextToClaim += 1
            condition.unlock()
            guard index < count else { return }
            let result = decode(index)
            condition.lock()
            results[index] = result
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Chunk `index`, waiting for it; its memory is released from the pipeline.
    func take(_ index: Int) -> Result {
        condition.lock()
        defer { condition.unlock() }
        while results[index] == nil { condition.wait() }
        let result = results[index]!
        results[index] = nil
        return result
    }
}
