public import MatchworkCore

/// Generates any of the three synthetic marketplaces from a scenario, a seed and a size.
public enum MarketplaceGenerator {
    /// - Parameters:
    ///   - onetDirectory: the O*NET data directory, needed by the `learning` scenario only.
    public static func generate(_ scenario: ScenarioName, seed: UInt64, size: MarketplaceSize, onetDirectory: String?) throws(MatchworkError) -> Marketplace {
        switch scenario {
        case .cleaning: return try CleaningMarketplace(seed: seed, size: size).generate()
        case .missions: return try MissionsMarketplace(seed: seed, size: size).generate()
        case .learning:
            guard let onetDirectory else {
                throw MatchworkError(.missingValue, "The learning scenario needs the O*NET data; pass --onet DIR (the shared data's onet folder).", field: "onet")
            }
            return try LearningMarketplace(seed: seed, size: size, catalog: try OccupationCatalog.load(directory: onetDirectory)).generate()
        }
    }
}
