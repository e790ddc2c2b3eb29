import Logging
import MatchworkCore
import MatchworkStore
import ServiceLifecycle

/// Deletes served lists older than `served_list_retention`, a minute after the start and then
/// every hour, unless an outcome or feedback refers to them (they are the record of what was
/// hired or reported from which list). Each batch of 5,000 is its own transaction, so serving
/// goes on meanwhile. `matchwork served prune --before DATE --export FILE` does the same by hand
/// and keeps a copy of what it deletes.
struct ServedListRetention: Service {
    let service: MatchworkService
    var firstRun: Duration = .seconds(60)
    var interval: Duration = .seconds(3600)

    func run() async throws {
        guard service.configuration.servedListRetention > 0 else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            var wait = firstRun
            while !Task.isCancelled {
                do { try await Task.sleep(for: wait) } catch { return }
                wait = interval
                _ = await service.pruneServedLists(now: .now)
            }
        }
    }

    /// `seconds` as the settings write it: `90d`, `36h`, `3600s`.
    static func describe(_ seconds: Double) -> String {
        if seconds >= 86_400, seconds.truncatingRemainder(dividingBy: 86_400) == 0 { return "\(Int(seconds / 86_400))d" }
        if seconds >= 3600, seconds.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Int(seconds / 3600))h" }
        return "\(Int(seconds))s"
    }
}

extension MatchworkService {
    /// Deletes the served lists older than the retention at `now` (see ``ServedListRetention``);
    /// returns how many, or `nil` when retention is off or the store failed (logged).
    @discardableResult
    func pruneServedLists(now: Timestamp) async -> Int? {
        let retention = configuration.servedListRetention
        guard retention > 0 else { return nil }
        let cutoff = Timestamp(secondsSinceEpoch: now.secondsSinceEpoch - Int64(retention))
        do {
            let deleted = try await store.pruneAllServed(before: cutoff)
            metrics.servedListsPruned.increment(by: deleted)
            if deleted > 0 {
                logger.info(
                    "Deleted served lists past their retention",
                    metadata: ["lists": "\(deleted)", "served_before": "\(cutoff)", "served_list_retention": "\(ServedListRetention.describe(retention))"])
            }
            return deleted
        } catch {
            logger.error("Deleting served lists past their retention failed; it is tried again in an hour", metadata: ["error": "\(error.message)"])
            return nil
        }
    }
}
