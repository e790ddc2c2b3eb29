public import MatchworkCore

extension Store {
    /// Reads the whole marketplace into an indexed snapshot for recommendation.
    ///
    /// - Parameter now: the reference time; defaults to the latest stored event.
    public func snapshot(now: Timestamp? = nil) async throws(StoreError) -> MarketplaceSnapshot {
        // The three tables are read at once, each on its own connection.
        let scenario = try await scenario()
        let people: [Person], opportunities: [Opportunity], interactions: [Interaction]
        do {
            async let readPeople = self.people()
            async let readOpportunities = self.opportunities()
            async let readInteractions = self.interactions()
            (people, opportunities, interactions) = try await (readPeople, readOpportunities, readInteractions)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.database, "Reading the marketplace failed: \(error)", cause: error)
        }
        do {
            return try MarketplaceSnapshot(people: people, opportunities: opportunities, interactions: interactions, scenario: scenario, now: now)
        } catch {
            throw StoreError(.invalidInput, "The stored marketplace cannot be indexed: \(error.message)", cause: error)
        }
    }
}
