public import MatchworkCore

/// Persistent storage for a marketplace: people, opportunities and the append-only event log.
///
/// The embedded SQLite store (``SQLiteStore``) implements it; a PostgreSQL implementation will
/// satisfy the same protocol and the same conformance tests.
public protocol Store: Sendable {
    /// The scenario whose preset validates this store's records, if one was chosen.
    func scenario() async throws(StoreError) -> ScenarioName?
    /// Chooses the store's scenario. Fails when the store already holds another one.
    func setScenario(_ scenario: ScenarioName) async throws(StoreError)

    /// The identifiers already stored, to check references before a batch is written.
    func knownIdentifiers() async throws(StoreError) -> KnownIdentifiers

    /// Writes a batch, then every chunk of `events`, in one transaction: all of it is stored,
    /// or none of it (an error thrown by `events` rolls the whole write back).
    ///
    /// People and opportunities are upserted by id; an event whose id is already stored is
    /// ignored. References must resolve to stored records or to records of the same batch.
    func write(_ batch: RecordBatch, events: (any EventStream)?, progress: (@Sendable (WriteProgress) -> Void)?) async throws(StoreError) -> WriteCounts

    func people() async throws(StoreError) -> [Person]
    func opportunities() async throws(StoreError) -> [Opportunity]
    /// Every event, in the order it was appended.
    func interactions() async throws(StoreError) -> [Interaction]

    /// Appends a `retract` event that withdraws the event `eventID`, dated `time`, in one
    /// transaction with the checks: the event exists, is not itself a retraction, and is not
    /// retracted yet. The log stays append-only.
    func retract(eventID: String, at time: Timestamp) async throws(StoreError) -> Retraction

    func person(_ id: PersonID) async throws(StoreError) -> Person?
    func opportunity(_ id: OpportunityID) async throws(StoreError) -> Opportunity?

    /// Record counts: people by role, opportunities by kind and status, events by type.
    func counts() async throws(StoreError) -> StoreCounts

    /// A free-form metadata value (for example `attribution`), if set.
    func metadata(_ key: String) async throws(StoreError) -> String?
    /// Sets a free-form metadata value.
    func setMetadata(_ key: String, _ value: String) async throws(StoreError)

    /// Saves the hidden ground truth of a synthetic marketplace (a JSON document).
    func saveGroundTruth(_ document: String, for scenario: ScenarioName) async throws(StoreError)
    /// The hidden ground truth of a synthetic marketplace, if the store holds one.
    func groundTruth(for scenario: ScenarioName) async throws(StoreError) -> String?
}

/// What a request to retract an event did.
public enum Retraction: Sendable, Hashable {
    /// The retraction was appended: the withdrawn event, and the `retract` event.
    case retracted(Interaction, by: Interaction)
    /// The event was retracted before, by the retraction stored with this time.
    case alreadyRetracted(Interaction, at: Timestamp)
    /// No event was stored with that id (events sent without one cannot be named).
    case notFound
    /// The event is itself a retraction; post the withdrawn event again to restore it.
    case isRetraction(Interaction)
}

/// Events delivered in chunks while a write is in progress, so that decoding and storing overlap.
public protocol EventStream: Sendable {
    /// The next chunk, blocking until it is ready; `nil` after the last one. Throwing aborts
    /// the write, which then stores nothing.
    func next() throws(StoreError) -> [Interaction]?
}

extension Store {
    /// Writes a batch in one transaction: all of it is stored, or none of it.
    public func write(_ batch: RecordBatch, progress: (@Sendable (WriteProgress) -> Void)?) async throws(StoreError) -> WriteCounts {
        try await write(batch, events: nil, progress: progress)
    }
}

/// Records to write together.
public struct RecordBatch: Sendable {
    public var people: [Person]
    public var opportunities: [Opportunity]
    public var interactions: [Interaction]

    public init(people: [Person] = [], opportunities: [Opportunity] = [], interactions: [Interaction] = []) {
        self.people = people
        self.opportunities = opportunities
        self.interactions = interactions
    }

    public var isEmpty: Bool { people.isEmpty && opportunities.isEmpty && interactions.isEmpty }
}

/// What a write changed.
public struct WriteCounts: Sendable, Hashable, Codable {
    public var peopleInserted = 0
    public var peopleUpdated = 0
    public var peopleUnchanged = 0
    public var opportunitiesInserted = 0
    public var opportunitiesUpdated = 0
    public var opportunitiesUnchanged = 0
    public var interactionsInserted = 0
    /// Events ignored because their id was already stored (or repeated within the batch).
    public var interactionsDuplicate = 0

    public init() {}

    /// Whether nothing was inserted or updated.
    public var changedNothing: Bool {
        peopleInserted + peopleUpdated + opportunitiesInserted + opportunitiesUpdated + interactionsInserted == 0
    }
}

/// Progress of a long write.
public struct WriteProgress: Sendable {
    public enum Phase: String, Sendable { case people, opportunities, interactions }
    public var phase: Phase
    public var done: Int
    /// The total, when known in advance.
    public var total: Int?
}

/// The identifiers a store holds.
public struct KnownIdentifiers: Sendable {
    public var people: [PersonID: PersonRole]
    public var opportunities: Set<OpportunityID>
    public init(people: [PersonID: PersonRole] = [:], opportunities: Set<OpportunityID> = []) {
        self.people = people
        self.opportunities = opportunities
    }
}

/// Record counts of a store.
public struct StoreCounts: Sendable, Hashable, Codable {
    public var peopleByRole: [String: Int] = [:]
    public var opportunitiesByKind: [String: Int] = [:]
    public var opportunitiesByStatus: [String: Int] = [:]
    public var interactionsByType: [String: Int] = [:]
    /// Distinct (person, opportunity) pairs with at least one event.
    public var interactingPairs = 0
    public init() {}

    public var people: Int { peopleByRole.values.reduce(0, +) }
    public var opportunities: Int { opportunitiesByKind.values.reduce(0, +) }
    public var interactions: Int { interactionsByType.values.reduce(0, +) }
}
