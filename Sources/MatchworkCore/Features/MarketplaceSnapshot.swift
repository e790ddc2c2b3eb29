import RealModule

/// An immutable view of a marketplace at one moment, indexed for recommendation.
///
/// People and opportunities get dense indices; events are grouped per person and per
/// opportunity (compressed rows, oldest first); slot occupancy, commitments and activity
/// statistics are derived once. Events after `now` are ignored, so a snapshot can replay the
/// marketplace as it was at an earlier time.
///
/// ```swift
/// let snapshot = try MarketplaceSnapshot(people: people, opportunities: jobs, interactions: events, scenario: .cleaning)
/// let engine = RecommendationEngine(snapshot: snapshot)
/// ```
public struct MarketplaceSnapshot: Sendable {
    /// One event seen from one side: the other party's dense index, the type, time and value.
    public struct Event: Sendable, Hashable {
        public let other: DenseIndex
        public let type: InteractionType
        public let time: Int64
        /// The bid amount, rating or other value; `nan` when absent.
        public let value: Float
    }

    public let preset: ScenarioPreset?
    public let people: [Person]
    public let opportunities: [Opportunity]
    public let personIndex: IDIndex<PersonID>
    public let opportunityIndex: IDIndex<OpportunityID>
    /// The reference time: activity windows, certification checks without a window and
    /// recency are computed against it.
    public let now: Timestamp
    /// Changes whenever the content changes; caches of derived data are keyed by it.
    public let version: Int
    public let weights: InteractionWeights

    /// Events per person, grouped in compressed rows: person `p`'s are `personEvents[personOffsets[p]..<personOffsets[p + 1]]`.
    let personOffsets: [Int]
    let personEvents: [Event]
    /// Events per opportunity, grouped the same way.
    let opportunityOffsets: [Int]
    let opportunityEvents: [Event]

    /// Per opportunity: people holding a slot (hired and not cancelled or absent).
    let holders: [[DenseIndex]]
    /// Per person: opportunities they hold a slot on and that are not completed.
    let commitments: [[DenseIndex]]
    /// Per person: opportunities with net positive interest, sorted (for Jaccard and votes).
    let positiveOpportunities: [[DenseIndex]]
    /// Per person: the net interest in each of `positiveOpportunities`, in the same order.
    let positiveWeights: [[Double]]
    /// Per opportunity: people with net positive interest, sorted.
    let positivePeople: [[DenseIndex]]
    /// Per person: every opportunity they touched, sorted (their interaction set).
    let touchedOpportunities: [[DenseIndex]]
    /// Per opportunity: every person who touched it, sorted.
    let touchedPeople: [[DenseIndex]]
    /// Per person: how many opportunities they touched.
    let touchedCounts: [Int32]
    /// Indices of the people who take opportunities (workers, learners).
    public let takers: [DenseIndex]
    /// Indices of the open opportunities with a free slot.
    public let openOpportunities: [DenseIndex]
    /// Per opportunity: its position in ``openOpportunities``, or -1.
    let openPosition: [Int32]
    /// How many opportunities are open but full.
    let fullOpportunities: Int
    /// Per opportunity: its client's dense index, or -1.
    let clientOf: [DenseIndex]
    /// Marketplace statistics used by the rule-based scorer and explanations.
    public let activity: ActivityStatistics
    /// Unit vectors of locations on the sphere (zero when unknown), for fast distances.
    let personPoints: [SIMD3<Double>]
    let opportunityPoints: [SIMD3<Double>]

    /// Builds a snapshot.
    ///
    /// - Parameters:
    ///   - scenario: the preset whose vocabularies, defaults and pricing rule apply; `nil` for a
    ///     generic marketplace.
    ///   - now: the reference time; defaults to ``referenceTime(of:)`` of the events (or the
    ///     latest window start when there are none). Events after it are left out.
    ///   - weights: how much each event type counts as interest.
    /// Retracted events and their retractions are left out (``Interaction/standing(_:)``).
    ///
    /// - Throws: when an event names a person or opportunity that is not in the lists.
    public init(
        people: [Person], opportunities: [Opportunity], interactions: [Interaction],
        scenario: ScenarioName? = nil, now: Timestamp? = nil, weights: InteractionWeights? = nil
    ) throws(MatchworkError) {
        let preset = scenario.map(ScenarioPreset.named)
        self.preset = preset
        self.people = people
        self.opportunities = opportunities
        self.weights = weights ?? preset?.weights ?? .standard
        let personIndex = try Self.uniqueIndex(people.map(\.id), noun: "person")
        let opportunityIndex = try Self.uniqueIndex(opportunities.map(\.id), noun: "opportunity")
        self.personIndex = personIndex
        self.opportunityIndex = opportunityIndex

        let interactions = Interaction.standing(interactions)
        let reference = now ?? Self.referenceTime(of: interactions) ?? opportunities.compactMap { $0.window?.start }.max() ?? Timestamp(secondsSinceEpoch: 0)
        self.now = reference

        // Dense triples of the events up to `now`, in time order. Each refers to its event by
        // position instead of holding a copy: 24 bytes to sort instead of a whole `Interaction`
        // (whose copies retain its strings), for each of millions of events.
        var triples: [(time: Int64, person: DenseIndex, opportunity: DenseIndex, source: Int32)] = []
        triples.reserveCapacity(interactions.count)
        for position in interactions.indices where interactions[position].timestamp <= reference {
            guard let p = personIndex.index(of: interactions[position].person) else {
                let interaction = interactions[position]
                throw MatchworkError(.unknownIdentifier, "event \(interaction.eventID.map { "'\($0)' " } ?? "")names person '\(interaction.person)', who is not in the marketplace; add the person first.", field: "person_id")
            }
            guard let o = opportunityIndex.index(of: interactions[position].opportunity) else {
                let interaction = interactions[position]
                throw MatchworkError(.unknownIdentifier, "event \(interaction.eventID.map { "'\($0)' " } ?? "")names opportunity '\(interaction.opportunity)', which is not in the marketplace; add it first.", field: "opportunity_id")
            }
            triples.append((interactions[position].timestamp.secondsSinceEpoch, p, o, Int32(position)))
        }
        triples.sort { ($0.time, $0.person, $0.opportunity, $0.source) < ($1.time, $1.person, $1.opportunity, $1.source) }

        func grouped(count: Int, key: (Int) -> DenseIndex, other: (Int) -> DenseIndex) -> ([Int], [Event]) {
            var offsets = [Int](repeating: 0, count: count + 1)
            for t in triples.indices { offsets[Int(key(t)) + 1] += 1 }
            for i in 0..<count { offsets[i + 1] += offsets[i] }
            var cursor = offsets
            var events = [Event](repeating: Event(other: 0, type: .view, time: 0, value: .nan), count: triples.count)
            for t in triples.indices {
                let k = Int(key(t))
                let source = Int(triples[t].source)
                events[cursor[k]] = Event(
                    other: other(t), type: interactions[source].type, time: triples[t].time, value: interactions[source].value.map(Float.init) ?? .nan)
                cursor[k] += 1
            }
            return (offsets, events)
        }
        (personOffsets, personEvents) = grouped(count: people.count, key: { triples[$0].person }, other: { triples[$0].opportunity })
        (opportunityOffsets, opportunityEvents) = grouped(count: opportunities.count, key: { triples[$0].opportunity }, other: { triples[$0].person })

        // Slot holders, commitments, positive and touched sets.
        let weightTable = self.weights
        var positiveWeights = [[Double]](repeating: [], count: people.count)
        var holders = [[DenseIndex]](repeating: [], count: opportunities.count)
        var commitments = [[DenseIndex]](repeating: [], count: people.count)
        var positive = [[DenseIndex]](repeating: [], count: people.count)
        var touched = [[DenseIndex]](repeating: [], count: people.count)
        var net: [DenseIndex: Double] = [:]
        var state: [DenseIndex: (held: Bool, done: Bool)] = [:]
        for p in 0..<people.count {
            net.removeAll(keepingCapacity: true)
            state.removeAll(keepingCapacity: true)
            for e in personEvents[personOffsets[p]..<personOffsets[p + 1]] {
                net[e.other, default: 0] += weightTable.weight(of: e.type, value: e.value.isNaN ? nil : Double(e.value))
                var s = state[e.other] ?? (false, false)
                switch e.type {
                case .hire: s.held = true
                case .cancel, .noShow, .decline: s.held = false
                case .complete, .pass, .fail: s.done = true
                default: break
                }
                state[e.other] = s
            }
            touched[p] = net.keys.sorted()
            positive[p] = net.filter { $0.value > 0 }.keys.sorted()
            positiveWeights[p] = positive[p].map { net[$0]! }
            for (o, s) in state where s.held {
                holders[Int(o)].append(DenseIndex(p))
                if !s.done { commitments[p].append(o) }
            }
            commitments[p].sort()
        }
        var positivePeople = [[DenseIndex]](repeating: [], count: opportunities.count)
        var touchedPeople = [[DenseIndex]](repeating: [], count: opportunities.count)
        for p in 0..<people.count {
            for o in positive[p] { positivePeople[Int(o)].append(DenseIndex(p)) }
            for o in touched[p] { touchedPeople[Int(o)].append(DenseIndex(p)) }
        }
        self.holders = holders
        self.commitments = commitments
        self.positiveOpportunities = positive
        self.positiveWeights = positiveWeights
        self.positivePeople = positivePeople
        self.touchedOpportunities = touched
        self.touchedPeople = touchedPeople
        touchedCounts = touched.map { Int32($0.count) }

        let takerRole = preset?.takerRole
        takers = people.indices.filter { i in
            takerRole.map { people[i].role == $0 } ?? (people[i].role != .client)
        }.map { DenseIndex($0) }
        openOpportunities = opportunities.indices.filter { o in
            opportunities[o].status == .open && opportunities[o].slots > holders[o].count
        }.map { DenseIndex($0) }
        var openPosition = [Int32](repeating: -1, count: opportunities.count)
        for (position, o) in openOpportunities.enumerated() { openPosition[Int(o)] = Int32(position) }
        self.openPosition = openPosition
        fullOpportunities = opportunities.indices.count { opportunities[$0].status == .open } - openOpportunities.count
        clientOf = opportunities.map { o in o.client.flatMap { personIndex.index(of: $0) } ?? -1 }

        personPoints = people.map { Self.unitVector($0.location) }
        opportunityPoints = opportunities.map { Self.unitVector($0.location) }

        var hasher = Hasher()
        hasher.combine(people)
        hasher.combine(opportunities)
        hasher.combine(triples.count)
        hasher.combine(triples.last?.time)
        hasher.combine(reference)
        version = hasher.finalize()

        var subScoreSums = [(sum: Double, count: Int)](repeating: (0, 0), count: people.count)
        for t in triples where interactions[Int(t.source)].type == .rate {
            for score in interactions[Int(t.source)].subScores {
                subScoreSums[Int(t.person)].sum += score.value
                subScoreSums[Int(t.person)].count += 1
            }
        }
        activity = ActivityStatistics(
            people: people, opportunities: opportunities, personOffsets: personOffsets, personEvents: personEvents,
            opportunityOffsets: opportunityOffsets, opportunityEvents: opportunityEvents, now: reference, preset: preset,
            subScoreSums: subScoreSums)
    }

    /// How many standing events the marketplace holds.
    public var interactionCount: Int { personEvents.count }

    /// The events of person `p`, oldest first.
    public func events(ofPerson p: DenseIndex) -> ArraySlice<Event> {
        personEvents[personOffsets[Int(p)]..<personOffsets[Int(p) + 1]]
    }

    /// The time of person `p`'s latest event up to ``now``, or `nil` when they have none.
    public func lastActivity(ofPerson p: DenseIndex) -> Timestamp? {
        events(ofPerson: p).last.map { Timestamp(secondsSinceEpoch: $0.time) }
    }

    /// The events on opportunity `o`, oldest first.
    func events(onOpportunity o: DenseIndex) -> ArraySlice<Event> {
        opportunityEvents[opportunityOffsets[Int(o)]..<opportunityOffsets[Int(o) + 1]]
    }

    /// Maps ids to dense indices, refusing an id listed twice.
    /// How far the reference time may run ahead of the bulk of the events: 7 days.
    public static let referenceLead: Int64 = 7 * 86_400

    /// The default reference time of a marketplace: its latest event, unless few events are
    /// that late.
    ///
    /// With `t₁ ≥ t₂ ≥ …` the event times and `k = max(2, ⌈n / 10,000⌉)`, the reference is
    /// `min(t₁, t_k + 7 days)`. A steady stream of events ends within a few seconds of `t₁` and
    /// gets `t₁`; one event (or fewer than `k`) dated far ahead of the rest, such as a typo's
    /// year 9999 or an event stamped with the real clock in a marketplace that ended a year
    /// ago, moves the reference by at most 7 days, and is left out of the snapshot as an
    /// event after it.
    ///
    /// - Returns: `nil` when there are no events.
    /// - Complexity: O(n); O(n log n) when the latest events stand apart.
    public static func referenceTime(of interactions: [Interaction]) -> Timestamp? {
        guard !interactions.isEmpty else { return nil }
        let k = max(2, (interactions.count + 9_999) / 10_000)
        var first = Int64.min
        for event in interactions { first = max(first, event.timestamp.secondsSinceEpoch) }
        // t_k + lead ≥ t₁ exactly when k events lie within the lead of t₁: the usual case.
        var near = 0
        for event in interactions where event.timestamp.secondsSinceEpoch >= first - referenceLead { near += 1 }
        if near >= k || near == interactions.count { return Timestamp(secondsSinceEpoch: first) }
        let times = interactions.map(\.timestamp.secondsSinceEpoch).sorted(by: >)
        return Timestamp(secondsSinceEpoch: min(first, times[k - 1] + referenceLead))
    }

    static func uniqueIndex<ID: Hashable & Sendable & CustomStringConvertible>(_ ids: [ID], noun: String) throws(MatchworkError) -> IDIndex<ID> {
        var index = IDIndex<ID>()
        for id in ids {
            let before = index.count
            index.insert(id)
            guard index.count > before else {
                throw MatchworkError(.invalidValue, "\(noun) '\(id)' is listed twice; keep one record per id.", field: "id")
            }
        }
        return index
    }

    static func unitVector(_ point: GeoPoint?) -> SIMD3<Double> {
        guard let point else { return .zero }
        let lat = point.latitude * Double.pi / 180, lon = point.longitude * Double.pi / 180
        return SIMD3(Double.cos(lat) * Double.cos(lon), Double.cos(lat) * Double.sin(lon), Double.sin(lat))
    }

    /// Great-circle distance between a person and an opportunity in kilometres, `nil` when
    /// either location is unknown: `2R asin(|a − b| / 2)` over unit vectors.
    public func distanceKm(person p: DenseIndex, opportunity o: DenseIndex) -> Double? {
        let a = personPoints[Int(p)], b = opportunityPoints[Int(o)]
        guard a != .zero, b != .zero else { return nil }
        let d = a - b
        let chord = (d * d).sum().squareRoot()
        return 2 * 6371.0088 * Double.asin(min(1, chord / 2))
    }

    /// Places still free on opportunity `o`: its slots minus the people holding one.
    public func freeSlots(_ o: DenseIndex) -> Int { max(0, opportunities[Int(o)].slots - holders[Int(o)].count) }

    /// The dense index of a person, or an error that says what to do.
    public func index(of person: PersonID) throws(MatchworkError) -> DenseIndex {
        guard let p = personIndex.index(of: person) else {
            throw MatchworkError(.unknownIdentifier, "person '\(person)' is not in the marketplace; check the id, or import the person first.", field: "person_id")
        }
        return p
    }

    /// The dense index of an opportunity, or an error that says what to do.
    public func index(of opportunity: OpportunityID) throws(MatchworkError) -> DenseIndex {
        guard let o = opportunityIndex.index(of: opportunity) else {
            throw MatchworkError(.unknownIdentifier, "opportunity '\(opportunity)' is not in the marketplace; check the id, or import it first.", field: "opportunity_id")
        }
        return o
    }
}
