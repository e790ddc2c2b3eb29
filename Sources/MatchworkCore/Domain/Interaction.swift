/// The validated vocabulary of interaction events.
public enum InteractionType: String, Sendable, Codable, CaseIterable, Comparable {
    case view, click, apply, bid, shortlist
    /// The client hired the person, or the person's application or bid was accepted.
    case hire
    case decline, complete, cancel
    case noShow = "no_show"
    /// A review: `value` is the overall rating (0-10), `subScores` hold quality, communication…
    case rate
    case enroll, pass, fail
    /// Explicit feedback on a recommendation, with a ``FeedbackReason``.
    case feedback
    /// Withdraws an earlier event (named by ``Interaction/retracts``) that was recorded by
    /// mistake: the log stays append-only, and snapshots and training leave both out.
    case retract

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// Accepted spellings besides the canonical raw values.
    private static let aliases: [String: InteractionType] = ["accept": .hire, "accepted": .hire, "hired": .hire, "no-show": .noShow, "noshow": .noShow]

    public static func parse(_ text: String, field: String = "type") throws(MatchworkError) -> InteractionType {
        if let type = InteractionType(rawValue: text) ?? aliases[text] { return type }
        let known = allCases.map(\.rawValue).joined(separator: ", ")
        throw MatchworkError(.unknownVocabulary, "\(field) '\(text)' is not an event type; use one of \(known).", field: field)
    }
}

/// Why a person gave explicit feedback on a recommendation.
public enum FeedbackReason: String, Sendable, Codable, CaseIterable {
    case helpful
    case notRelevant = "not_relevant"
    case tooExpensive = "too_expensive"
    case tooFar = "too_far"
    case wrongSpecialty = "wrong_specialty"
    case other

    public static func parse(_ text: String, field: String = "reason") throws(MatchworkError) -> FeedbackReason {
        guard let reason = FeedbackReason(rawValue: text) else {
            let known = allCases.map(\.rawValue).joined(separator: ", ")
            throw MatchworkError(.unknownVocabulary, "\(field) '\(text)' is not a feedback reason; use one of \(known).", field: field)
        }
        return reason
    }
}

/// One append-only event between a person and an opportunity.
///
/// Rules checked at creation: a `bid` carries a positive amount; a `rate` carries an overall
/// rating in 0...10 and optional sub-scores in 0...10; `feedback` carries a reason and an
/// optional comment; only ratings have sub-scores and only feedback has a reason or comment.
public struct Interaction: Hashable, Sendable, Codable {
    /// The longest feedback comment accepted, in characters (Unicode scalars).
    public static let maximumCommentLength = 2000
    /// The rating scale of `rate` events and their sub-scores.
    public static let ratingRange = 0.0...10.0
    /// The times an event may carry, in seconds since 1970: 1970-01-01 to 2099-12-31 (UTC).
    public static let timeRange: Range<Int64> = 0..<4_102_444_800

    /// An idempotency key: a second event with the same id is ignored.
    public let eventID: String?
    public let person: PersonID
    public let opportunity: OpportunityID
    public let type: InteractionType
    public let timestamp: Timestamp
    /// The bid amount, the overall rating, or another type-specific number.
    public let value: Double?
    /// Sub-scores of a rating (quality, communication, professionalism, timeliness…), sorted by name.
    public let subScores: [SubScore]
    public let reason: FeedbackReason?
    public let comment: String?
    /// For a `retract` event: the id of the event it withdraws.
    public let retracts: String?

    /// A named sub-score of a rating.
    public struct SubScore: Hashable, Sendable, Codable {
        public let name: String
        public let value: Double
        public init(name: String, value: Double) {
            self.name = name
            self.value = value
        }
    }

    public init(
        eventID: String? = nil,
        person: PersonID,
        opportunity: OpportunityID,
        type: InteractionType,
        timestamp: Timestamp,
        value: Double? = nil,
        subScores: [SubScore] = [],
        reason: FeedbackReason? = nil,
        comment: String? = nil,
        retracts: String? = nil
    ) throws(MatchworkError) {
        if let eventID { _ = try ExternalIdentifier.validate(eventID, field: "event_id") }
        guard Interaction.timeRange.contains(timestamp.secondsSinceEpoch) else {
            throw .invalid(
                "timestamp",
                "timestamp \(timestamp.secondsSinceEpoch) (\(timestamp)) is outside 1970-01-01 to 2099-12-31; give the time the event happened, as Unix seconds or ISO 8601.")
        }
        if type == .retract {
            guard let retracts else {
                throw MatchworkError(.missingValue, "a retract event needs retracts: the event_id of the event it withdraws.", field: "retracts")
            }
            _ = try ExternalIdentifier.validate(retracts, field: "retracts")
            if retracts == eventID { throw .invalid("retracts", "event '\(retracts)' cannot retract itself; name the event recorded by mistake.") }
        } else if retracts != nil {
            throw .invalid("retracts", "retracts belongs to retract events, not to a \(type.rawValue) event.")
        }
        _ = try ExternalIdentifier.validate(person.rawValue, field: "person_id")
        _ = try ExternalIdentifier.validate(opportunity.rawValue, field: "opportunity_id")
        if let value, !value.isFinite {
            throw .invalid("value", "value \(value) of a \(type.rawValue) event is not a finite number.")
        }
        switch type {
        case .bid:
            guard let value, value > 0 else {
                throw MatchworkError(value == nil ? .missingValue : .invalidValue,
                    "a bid needs a positive amount in value, got \(value.map { "\($0)" } ?? "nothing"); give the amount offered, for example 85.5.", field: "value")
            }
        case .rate:
            guard let value, Interaction.ratingRange.contains(value) else {
                throw MatchworkError(value == nil ? .missingValue : .invalidValue,
                    "a rate event needs an overall rating in 0...10 in value, got \(value.map { "\($0)" } ?? "nothing").", field: "value")
            }
        default:
            break
        }
        if !subScores.isEmpty {
            guard type == .rate else {
                throw .invalid("sub_scores", "sub-scores belong to rate events, not to a \(type.rawValue) event; move them to a rate event or drop them.")
            }
            for score in subScores {
                try Token.validate(score.name, field: "sub_scores")
                guard score.value.isFinite, Interaction.ratingRange.contains(score.value) else {
                    throw .invalid("sub_scores", "sub-score '\(score.name)' is \(score.value); sub-scores are in 0...10.")
                }
            }
            let names = subScores.map(\.name)
            if Set(names).count != names.count {
                throw .invalid("sub_scores", "a sub-score is listed twice in \(names.sorted()); keep one value per name.")
            }
        }
        if type == .feedback {
            guard reason != nil else {
                let known = FeedbackReason.allCases.map(\.rawValue).joined(separator: ", ")
                throw MatchworkError(.missingValue, "a feedback event needs a reason: one of \(known).", field: "reason")
            }
        } else if reason != nil || comment != nil {
            throw .invalid(reason != nil ? "reason" : "comment", "a reason or comment belongs to feedback events, not to a \(type.rawValue) event.")
        }
        if let comment, comment.unicodeScalars.count > Interaction.maximumCommentLength {
            throw .invalid("comment", "comment is \(comment.unicodeScalars.count) characters; the limit is \(Interaction.maximumCommentLength).")
        }
        self.eventID = eventID
        self.person = person
        self.opportunity = opportunity
        self.type = type
        self.timestamp = timestamp
        self.value = value
        self.subScores = subScores.sorted { $0.name < $1.name }
        self.reason = reason
        self.comment = comment.flatMap { $0.isEmpty ? nil : $0 }
        self.retracts = retracts
    }

    /// The sub-score named `name`, if any.
    public func subScore(_ name: String) -> Double? { subScores.first { $0.name == name }?.value }
}

extension Interaction {
    /// The events of `log` that stand: without `retract` events and without the events they
    /// withdraw, in the log's order.
    ///
    /// A retraction names its target by event id, wherever the target sits in the log (an
    /// import may bring the retraction first).
    ///
    /// - Complexity: O(n), and no copy when the log holds no retraction.
    public static func standing(_ log: [Interaction]) -> [Interaction] {
        // Every retract event names its target (checked at creation), so no target means no retraction.
        var withdrawn = Set<String>()
        for event in log where event.type == .retract {
            if let target = event.retracts { withdrawn.insert(target) }
        }
        if withdrawn.isEmpty { return log }
        return log.filter { event in
            event.type != .retract && !(event.eventID.map(withdrawn.contains) ?? false)
        }
    }
}
