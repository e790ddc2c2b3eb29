public import MatchworkCore

/// What the HTTP service keeps beside the marketplace: API keys, the lists it served, their
/// outcomes and explicit feedback, and paged access to the catalogue.
///
/// The embedded store (``SQLiteStore``) implements it; PostgreSQL will satisfy the same protocol.
public protocol ServiceStore: Store {
    // MARK: Catalogue

    /// People in insertion order, `page.limit` at a time after `page.after`, optionally of one role.
    func people(_ page: PageRequest, role: PersonRole?) async throws(StoreError) -> Page<Person>
    /// Opportunities in insertion order, optionally of one kind, status or client.
    func opportunities(_ page: PageRequest, filter: OpportunityFilter) async throws(StoreError) -> Page<Opportunity>
    /// Deletes a person who has no events and is no opportunity's client.
    func deletePerson(_ id: PersonID) async throws(StoreError) -> DeleteOutcome
    /// Deletes an opportunity that has no events.
    func deleteOpportunity(_ id: OpportunityID) async throws(StoreError) -> DeleteOutcome
    /// Events of one person or one opportunity, in the order they were appended.
    func interactions(_ page: PageRequest, person: PersonID?, opportunity: OpportunityID?) async throws(StoreError) -> Page<Interaction>

    // MARK: API keys

    /// Stores a new key under the SHA-256 hash of its secret.
    func createKey(_ key: APIKeyRecord, hash: String) async throws(StoreError)
    /// Every key, newest last (revoked keys included).
    func keys() async throws(StoreError) -> [APIKeyRecord]
    /// The active (not revoked) key whose secret hashes to `hash`.
    func activeKey(hash: String) async throws(StoreError) -> APIKeyRecord?
    /// Revokes a key; `false` when no key has that id.
    func revokeKey(id: String, at time: Timestamp) async throws(StoreError) -> Bool

    // MARK: Tracking

    /// Records served lists (in one transaction).
    func recordServed(_ lists: [ServedList]) async throws(StoreError)
    /// A served list by its id.
    func servedList(id: String) async throws(StoreError) -> ServedList?
    /// Served lists, optionally for one subject.
    func servedLists(_ page: PageRequest, subject: RecommendationSubject?) async throws(StoreError) -> Page<ServedList>
    /// Served lists dated before `time` that no outcome or feedback refers to (with `through`,
    /// only those at or before that page cursor), oldest first: what
    /// ``pruneServed(before:through:limit:)`` deletes.
    func prunableServed(_ page: PageRequest, before time: Timestamp, through: Int64?) async throws(StoreError) -> Page<ServedList>
    /// Deletes up to `limit` served lists dated before `time` that no outcome or feedback refers
    /// to (with `through`, only those at or before that page cursor), oldest first, in one
    /// transaction, with the stored items no other list shares. Returns how many it deleted.
    func pruneServed(before time: Timestamp, through: Int64?, limit: Int) async throws(StoreError) -> Int
    /// How many served lists are dated before `time`: those a prune deletes, and those kept
    /// because an outcome or feedback refers to them; and the page cursor of the last list served before `time` now, `nil` when there is none: a
    /// prune `through` it leaves alone any list written later.
    func servedCounts(before time: Timestamp) async throws(StoreError) -> (prunable: Int, referenced: Int, through: Int64?)
    /// Who was served lately and in which mode: the subjects of the most recent served lists,
    /// newest first, each pair once, at most `limit`, looking back over at most `scanning` lists.
    func recentlyServed(limit: Int, scanning: Int) async throws(StoreError) -> [ServedSubject]
    /// Stores an outcome and the event it implies in one transaction; a repeated event id is
    /// ignored. Returns whether it was new.
    func recordOutcome(_ outcome: OutcomeRecord, event: Interaction) async throws(StoreError) -> Bool
    /// Outcomes, optionally of one served list.
    func outcomes(_ page: PageRequest, recommendation: String?) async throws(StoreError) -> Page<OutcomeRecord>
    /// Stores explicit feedback and its `feedback` event in one transaction; a repeated event id
    /// is ignored. Returns whether it was new.
    func recordFeedback(_ feedback: FeedbackRecord, event: Interaction) async throws(StoreError) -> Bool
    /// Feedback, optionally on one served list.
    func feedback(_ page: PageRequest, recommendation: String?) async throws(StoreError) -> Page<FeedbackRecord>
    /// The outcomes and the feedback recorded against each of `lists` (served list ids), the
    /// first `limit` of each in the order recorded, in one read per kind; a list with none is absent.
    func responses(toLists lists: [String], limit: Int) async throws(StoreError) -> (outcomes: [String: [OutcomeRecord]], feedback: [String: [FeedbackRecord]])

    // MARK: Bid suggestions

    /// Stores a bid suggestion; a repeated id is refused.
    func recordBidSuggestion(_ suggestion: BidSuggestionRecord) async throws(StoreError)
    /// Bid suggestions in the order they were made, optionally for one opportunity and/or person
    /// (their ``BidSuggestionRecord/fate`` is not stored: it is read from the event log).
    func bidSuggestions(_ page: PageRequest, opportunity: OpportunityID?, person: PersonID?) async throws(StoreError) -> Page<BidSuggestionRecord>

    // MARK: Experiments

    /// Stores a new experiment. Refused (``StoreError/Code/conflict``) when one of the same name
    /// exists, or when another running experiment on the same kind of list has not ended.
    func createExperiment(_ experiment: Experiment) async throws(StoreError)
    /// Every experiment, oldest first.
    func experiments() async throws(StoreError) -> [Experiment]
    /// The experiment of that name.
    func experiment(named name: String) async throws(StoreError) -> Experiment?
    /// Replaces a stored experiment's definition (its shares, status, end); ``StoreError/Code/notFound``
    /// when there is none of that name.
    func updateExperiment(_ experiment: Experiment) async throws(StoreError)
    /// The lists served in an experiment, with the outcomes and feedback recorded on them.
    func experimentObservations(_ name: String) async throws(StoreError) -> ExperimentObservations

    // MARK: Activity

    /// Per UTC day from `since` on: the lists served, the outcomes recorded by type, and the
    /// feedback by reason (days without any are left out), oldest first.
    func dailyTracking(since: Timestamp) async throws(StoreError) -> [DailyTracking]

    // MARK: Worker scores

    /// Replaces every stored worker score by `scores`, in one transaction. Returns how many were written.
    func replaceWorkerScores(_ scores: [WorkerScore]) async throws(StoreError) -> Int
    /// The stored score of `person`.
    func workerScore(_ person: PersonID) async throws(StoreError) -> WorkerScore?
    /// Stored scores, highest overall first (ties by person id).
    func workerScores(_ page: PageRequest) async throws(StoreError) -> Page<WorkerScore>
}

/// One day's tracking: lists served, outcomes by type and feedback by reason.
public struct DailyTracking: Sendable, Hashable, Codable {
    /// The day's midnight, UTC.
    public var day: Timestamp
    public var lists: Int
    public var outcomes: [String: Int]
    public var feedback: [String: Int]
    public init(day: Timestamp, lists: Int, outcomes: [String: Int], feedback: [String: Int]) {
        self.day = day
        self.lists = lists
        self.outcomes = outcomes
        self.feedback = feedback
    }
}

/// Which page of a list to read: up to `limit` rows after the cursor `after`.
public struct PageRequest: Sendable, Hashable {
    public static let maximumLimit = 1000
    public var limit: Int
    /// The cursor returned with the previous page (`nil` for the first page).
    public var after: Int64?
    /// Newest first, the cursor then leading to older items (honoured by the event log's
    /// listing, ``ServiceStore/interactions(_:person:opportunity:)``; other lists ignore it).
    public var newestFirst: Bool
    public init(limit: Int = 100, after: Int64? = nil, newestFirst: Bool = false) {
        self.limit = limit
        self.after = after
        self.newestFirst = newestFirst
    }
}

/// One page of a list and the cursor of the next page, if there is one.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var next: Int64?
    public init(items: [Item], next: Int64?) {
        self.items = items
        self.next = next
    }
}

/// Filters for listing opportunities.
public struct OpportunityFilter: Sendable, Hashable {
    public var kind: OpportunityKind?
    public var status: OpportunityStatus?
    public var client: PersonID?
    public init(kind: OpportunityKind? = nil, status: OpportunityStatus? = nil, client: PersonID? = nil) {
        self.kind = kind
        self.status = status
        self.client = client
    }
}

/// What a delete did.
public enum DeleteOutcome: Sendable, Hashable {
    case deleted
    case notFound
    /// Kept, because events (or opportunities, for a client) refer to it.
    case referenced(events: Int, opportunities: Int)
}

/// The role of an API key: `read` asks for recommendations and reads, `write` also changes the
/// catalogue and records events, outcomes and feedback, `admin` also manages models and keys.
public enum APIRole: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case read, write, admin

    private var rank: Int {
        switch self {
        case .read: 0
        case .write: 1
        case .admin: 2
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }

    /// Whether a key of this role may do what `needed` allows.
    public func allows(_ needed: APIRole) -> Bool { self >= needed }
}

/// A stored API key, without its secret.
public struct APIKeyRecord: Sendable, Hashable, Codable {
    /// The public id, shown by `keys list` and used by `keys revoke`.
    public var id: String
    public var role: APIRole
    public var name: String?
    /// Requests per minute allowed to this key (`nil`: the service's default).
    public var rateLimit: Int?
    public var createdAt: Timestamp
    public var revokedAt: Timestamp?

    public init(id: String, role: APIRole, name: String?, rateLimit: Int?, createdAt: Timestamp, revokedAt: Timestamp? = nil) {
        self.id = id
        self.role = role
        self.name = name
        self.rateLimit = rateLimit
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// One list the service served.
public struct ServedList: Sendable, Hashable, Codable {
    public var id: String
    public var subject: RecommendationSubject
    public var mode: String
    public var answeredBy: [String]
    public var modelVersion: String?
    public var requestID: String?
    public var keyID: String?
    public var servedAt: Timestamp
    /// The experiment and arm that ranked it, when it was served in one.
    public var experiment: String?
    public var arm: String?
    public var items: [ServedItem] { encodedItems.items }
    /// The items with their stored JSON, encoded once for every time the same list is served.
    public var encodedItems: EncodedServedItems

    public init(
        id: String, subject: RecommendationSubject, mode: String, answeredBy: [String], modelVersion: String?, requestID: String?, keyID: String?,
        servedAt: Timestamp, items: EncodedServedItems, experiment: String? = nil, arm: String? = nil
    ) {
        self.experiment = experiment
        self.arm = arm
        self.id = id
        self.subject = subject
        self.mode = mode
        self.answeredBy = answeredBy
        self.modelVersion = modelVersion
        self.requestID = requestID
        self.keyID = keyID
        self.servedAt = servedAt
        encodedItems = items
    }

    public init(
        id: String, subject: RecommendationSubject, mode: String, answeredBy: [String], modelVersion: String?, requestID: String?, keyID: String?,
        servedAt: Timestamp, items: [ServedItem], experiment: String? = nil, arm: String? = nil
    ) {
        self.init(
            id: id, subject: subject, mode: mode, answeredBy: answeredBy, modelVersion: modelVersion, requestID: requestID, keyID: keyID, servedAt: servedAt,
            items: EncodedServedItems(items), experiment: experiment, arm: arm)
    }

    private enum CodingKeys: String, CodingKey { case id, subject, mode, answeredBy, modelVersion, requestID, keyID, servedAt, items, experiment, arm }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(String.self, forKey: .id), subject: try c.decode(RecommendationSubject.self, forKey: .subject),
            mode: try c.decode(String.self, forKey: .mode), answeredBy: try c.decode([String].self, forKey: .answeredBy),
            modelVersion: try c.decodeIfPresent(String.self, forKey: .modelVersion), requestID: try c.decodeIfPresent(String.self, forKey: .requestID),
            keyID: try c.decodeIfPresent(String.self, forKey: .keyID), servedAt: try c.decode(Timestamp.self, forKey: .servedAt),
            items: try c.decode([ServedItem].self, forKey: .items), experiment: try c.decodeIfPresent(String.self, forKey: .experiment),
            arm: try c.decodeIfPresent(String.self, forKey: .arm))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(subject, forKey: .subject)
        try c.encode(mode, forKey: .mode)
        try c.encode(answeredBy, forKey: .answeredBy)
        try c.encodeIfPresent(modelVersion, forKey: .modelVersion)
        try c.encodeIfPresent(requestID, forKey: .requestID)
        try c.encodeIfPresent(keyID, forKey: .keyID)
        try c.encode(servedAt, forKey: .servedAt)
        try c.encode(items, forKey: .items)
        try c.encodeIfPresent(experiment, forKey: .experiment)
        try c.encodeIfPresent(arm, forKey: .arm)
    }
}

/// A subject served lately, and the mode it was served in.
public struct ServedSubject: Sendable, Hashable {
    public var subject: RecommendationSubject
    public var mode: String
    public init(subject: RecommendationSubject, mode: String) {
        self.subject = subject
        self.mode = mode
    }
}

/// A served list's items, their JSON as stored and its SHA-256, under which the same items
/// served again are stored once.
public struct EncodedServedItems: Sendable, Hashable {
    public let items: [ServedItem]
    public let json: String
    public let digest: [UInt8]

    public init(_ items: [ServedItem]) {
        self.init(items, breakdowns: items.map { JSONWriter.breakdown($0.breakdown) })
    }

    /// The items with each one's `breakdown` array already written (by ``JSONWriter/breakdown(_:)``),
    /// for a caller that writes the same breakdowns into its answer.
    public init(_ items: [ServedItem], breakdowns: [[UInt8]]) {
        precondition(items.count == breakdowns.count, "one written breakdown per item")
        self.items = items
        var writer = JSONWriter(capacity: 64 * items.count + breakdowns.reduce(2) { $0 + $1.count })
        writer.array {
            for (item, breakdown) in zip(items, breakdowns) { $0.write(item, breakdown: breakdown) }
        }
        json = String(decoding: writer.bytes, as: UTF8.self)
        digest = ContentDigest.sha256(writer.bytes)
    }

    public static func == (a: Self, b: Self) -> Bool { a.digest == b.digest }
    public func hash(into hasher: inout Hasher) { hasher.combine(digest) }
}

/// One item of a served list: its rank (from 1), score and score breakdown.
public struct ServedItem: Sendable, Hashable, Codable {
    public var id: String
    public var rank: Int
    public var score: Double
    public var breakdown: [ScorePart]
    public init(id: String, rank: Int, score: Double, breakdown: [ScorePart]) {
        self.id = id
        self.rank = rank
        self.score = score
        self.breakdown = breakdown
    }
}

/// What happened to one item of a served list.
public struct OutcomeRecord: Sendable, Hashable, Codable {
    public var eventID: String
    public var recommendationID: String
    public var itemID: String
    public var rank: Int
    public var outcome: String
    public var value: Double?
    public var timestamp: Timestamp
    public init(eventID: String, recommendationID: String, itemID: String, rank: Int, outcome: String, value: Double?, timestamp: Timestamp) {
        self.eventID = eventID
        self.recommendationID = recommendationID
        self.itemID = itemID
        self.rank = rank
        self.outcome = outcome
        self.value = value
        self.timestamp = timestamp
    }
}

/// Explicit feedback on a recommended pair.
public struct FeedbackRecord: Sendable, Hashable, Codable {
    public var eventID: String
    public var recommendationID: String?
    public var person: PersonID
    public var opportunity: OpportunityID
    public var reason: FeedbackReason
    public var comment: String?
    public var timestamp: Timestamp
    public init(
        eventID: String, recommendationID: String?, person: PersonID, opportunity: OpportunityID, reason: FeedbackReason, comment: String?, timestamp: Timestamp
    ) {
        self.eventID = eventID
        self.recommendationID = recommendationID
        self.person = person
        self.opportunity = opportunity
        self.reason = reason
        self.comment = comment
        self.timestamp = timestamp
    }
}

/// A bid suggestion as it was made (``BidAdvice``): for whom, the range, the best amount and
/// its chance, what it was made from and the hire probability per amount weighed, so that its
/// calibration can be measured once bids and hires follow (``fate``).
public struct BidSuggestionRecord: Sendable, Hashable, Codable {
    public var id: String
    public var opportunity: OpportunityID
    public var person: PersonID
    public var minimum: Double?
    public var optimal: Double?
    public var maximum: Double?
    public var bestAmount: Double?
    public var bestHireProbability: Double?
    public var inputs: BidInputs
    public var curve: [BidCurvePoint]
    public var answeredBy: [String]
    public var modelVersion: String?
    public var requestID: String?
    public var keyID: String?
    public var suggestedAt: Timestamp
    /// What became of it, read from the event log when the record is read (not stored).
    public var fate: BidFate?

    public init(
        id: String, opportunity: OpportunityID, person: PersonID, suggestion: BidSuggestion?, bestAmount: Double?, bestHireProbability: Double?,
        inputs: BidInputs, curve: [BidCurvePoint], answeredBy: [String], modelVersion: String?, requestID: String?, keyID: String?, suggestedAt: Timestamp
    ) {
        self.id = id
        self.opportunity = opportunity
        self.person = person
        minimum = suggestion?.minimum
        optimal = suggestion?.optimal
        maximum = suggestion?.maximum
        self.bestAmount = bestAmount
        self.bestHireProbability = bestHireProbability
        self.inputs = inputs
        self.curve = curve
        self.answeredBy = answeredBy
        self.modelVersion = modelVersion
        self.requestID = requestID
        self.keyID = keyID
        self.suggestedAt = suggestedAt
    }

    /// The record of `advice` as it was given.
    public init(id: String, advice: BidAdvice, requestID: String?, keyID: String?, suggestedAt: Timestamp) {
        self.init(
            id: id, opportunity: advice.opportunity, person: advice.person, suggestion: advice.suggestion, bestAmount: advice.best?.amount,
            bestHireProbability: advice.best?.hireProbability, inputs: advice.inputs, curve: advice.curve, answeredBy: advice.answeredBy,
            modelVersion: advice.modelVersion, requestID: requestID, keyID: keyID, suggestedAt: suggestedAt)
    }

    /// The record with its ``fate`` read from `snapshot`'s events.
    public func withFate(in snapshot: MarketplaceSnapshot) -> BidSuggestionRecord {
        var r = self
        r.fate = snapshot.bidFate(person: person, opportunity: opportunity, suggestedAt: suggestedAt, range: range, curve: curve)
        return r
    }

    /// The suggested [minimum, maximum], when the bid head gave one.
    public var range: ClosedRange<Double>? {
        guard let minimum, let maximum, minimum <= maximum else { return nil }
        return minimum...maximum
    }

    /// A new suggestion id: `bid-` and 16 random hex digits.
    public static func newID() -> String {
        "bid-" + (0..<16).map { _ in String(Int.random(in: 0..<16), radix: 16) }.joined()
    }
}
