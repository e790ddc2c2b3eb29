public import MatchworkCore

extension ServiceStore {
    /// Deletes every served list dated before `time` that no outcome or feedback refers to
    /// (with `through`, only those at or before that page cursor), `batch` at a time, each batch
    /// its own transaction, so that the lists served meanwhile are written between batches.
    /// Returns how many it deleted; an error stops it with the batches before it deleted.
    public func pruneAllServed(before time: Timestamp, through: Int64? = nil, batch: Int = 5_000) async throws(StoreError) -> Int {
        var deleted = 0
        while true {
            let n = try await pruneServed(before: time, through: through, limit: batch)
            deleted += n
            if n < batch { return deleted }
            await Task.yield()
        }
    }
}
