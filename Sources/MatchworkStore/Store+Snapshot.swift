public import MatchworkCore

extension Store {
    /// Reads the whole marketplace into an indexed snapshot for recommendation.
    ///
    /// - Parameter now: the reference time; defaults to the latest stored event.
    public func snapshot(now: Timestamp? = nil) async throws(StoreError) -> MarketplaceSnapshot {
        let scenario = try await scenario()
        let people = try await people()
        let opportunities = try await opportunities()
        let interactions = try await interactions()
        do {
            return try MarketplaceSnapshot(people: people, opportunities: opportunities, interactions: interactions, scenario: scenario, now: now)
        } catch {
            throw StoreError(.invalidInput, "The stored marketplace cannot be indexed: \(error.message)", cause: error)
        }
    }
}
