import MatchworkCore

/// Reading the profile and details columns without `JSONDecoder`.
///
/// Each reader takes exactly the shape ``RowCoding/json(_:)`` writes (every member present,
/// none unknown) and builds the values through the same validating initialisers; for anything
/// else it returns `nil` and ``RowCoding`` decodes the column with `JSONDecoder`, whose error
/// names the problem. The two give equal values on every stored shape (`ProfileColumnTests`).
extension RowCoding {
    static func personProfile(_ text: String) throws -> PersonProfile {
        if let fast = ProfileColumns.person(text) { return fast }
        return try decode(PersonProfile.self, text, what: "person profile")
    }

    static func opportunityProfile(_ text: String) throws -> OpportunityProfile {
        if let fast = ProfileColumns.opportunity(text) { return fast }
        return try decode(OpportunityProfile.self, text, what: "opportunity profile")
    }

    static func interactionDetails(_ text: String) throws -> InteractionDetails {
        if let fast = ProfileColumns.details(text) { return fast }
        return try decode(InteractionDetails.self, text, what: "event")
    }
}

enum ProfileColumns {
    static func person(_ text: String) -> PersonProfile? {
        guard let members = members(JSONReader.parse(text), ["attributes", "availability", "certifications", "facets", "skills"]),
            let attributes = attributes(members[0]), let availability = availability(members[1]),
            let certifications = certifications(members[2]), let facets = facets(members[3]), let skills = skills(members[4])
        else { return nil }
        return PersonProfile(facets: facets, skills: skills, certifications: certifications, attributes: attributes, availability: availability)
    }

    static func opportunity(_ text: String) -> OpportunityProfile? {
        // Rows of opportunities that ask for no skills have no `skills` member.
        let parsed = JSONReader.parse(text)
        var asked: [SkillLevel]?
        var found = members(parsed, ["attributes", "certifications", "preferred", "prerequisites", "required", "teaches"])
        if found == nil, let seven = members(parsed, ["attributes", "certifications", "preferred", "prerequisites", "required", "skills", "teaches"]) {
            guard let list = skills(seven[5]) else { return nil }
            asked = list
            found = Array(seven[0..<5]) + [seven[6]]
        }
        guard let members = found,
            let attributes = attributes(members[0]), let certifications = strings(members[1]), let preferred = facets(members[2]),
            let prerequisites = skills(members[3]), let required = facets(members[4]), let teaches = skills(members[5])
        else { return nil }
        return OpportunityProfile(
            required: required, preferred: preferred, certifications: certifications, attributes: attributes, teaches: teaches,
            prerequisites: prerequisites, skills: asked)
    }

    static func details(_ text: String) -> InteractionDetails? {
        guard case .object(let pairs)? = JSONReader.parse(text) else { return nil }
        var details = InteractionDetails()
        for (key, value) in pairs {
            switch (key, value) {
            case ("subScores", .array(let items)) where details.subScores == nil:
                var scores: [Interaction.SubScore] = []
                scores.reserveCapacity(items.count)
                for item in items {
                    guard let members = members(item, ["name", "value"]), case .string(let name) = members[0], let value = members[1].double else { return nil }
                    scores.append(Interaction.SubScore(name: name, value: value))
                }
                details.subScores = scores
            case ("reason", .string(let raw)) where details.reason == nil:
                guard let reason = FeedbackReason(rawValue: raw) else { return nil }
                details.reason = reason
            case ("comment", .string(let comment)) where details.comment == nil: details.comment = comment
            case ("retracts", .string(let target)) where details.retracts == nil: details.retracts = target
            case (_, .null): continue
            default: return nil
            }
        }
        return details
    }

    /// The members of an object that has exactly `keys` (sorted), in that order.
    private static func members(_ value: JSONValue?, _ keys: [String]) -> [JSONValue]? {
        guard case .object(var pairs)? = value, pairs.count == keys.count else { return nil }
        if !zip(pairs, keys).allSatisfy({ $0.0 == $1 }) {
            pairs.sort { $0.0 < $1.0 }
            guard zip(pairs, keys).allSatisfy({ $0.0 == $1 }) else { return nil }
        }
        return pairs.map(\.1)
    }

    private static func strings(_ value: JSONValue) -> [String]? {
        guard case .array(let items) = value else { return nil }
        var out: [String] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard case .string(let text) = item else { return nil }
            out.append(text)
        }
        return out
    }

    private static func facets(_ value: JSONValue) -> Facets? {
        guard case .object(let pairs) = value else { return nil }
        var raw: [FacetName: [String]] = [:]
        for (name, list) in pairs {
            guard let values = strings(list), raw.updateValue(values, forKey: FacetName(name)) == nil else { return nil }
        }
        return try? Facets(raw)
    }

    private static func attributes(_ value: JSONValue) -> Attributes? {
        guard case .object(let pairs) = value else { return nil }
        var values: [String: Double] = [:]
        values.reserveCapacity(pairs.count)
        for (key, number) in pairs {
            guard let double = number.double, values.updateValue(double, forKey: key) == nil else { return nil }
        }
        return try? Attributes(values)
    }

    private static func skills(_ value: JSONValue) -> [SkillLevel]? {
        guard case .array(let items) = value else { return nil }
        var out: [SkillLevel] = []
        out.reserveCapacity(items.count)
        for item in items {
            if let members = members(item, ["level", "skill"]), let level = members[0].double, case .string(let skill) = members[1],
                let parsed = try? SkillLevel(skill: skill, level: level) {
                out.append(parsed)
            } else if let members = members(item, ["importance", "level", "skill"]), let importance = members[0].double, let level = members[1].double,
                case .string(let skill) = members[2], let parsed = try? SkillLevel(skill: skill, level: level, importance: importance) {
                out.append(parsed)
            } else {
                return nil
            }
        }
        return out
    }

    private static func certifications(_ value: JSONValue) -> [Certification]? {
        guard case .array(let items) = value else { return nil }
        var out: [Certification] = []
        out.reserveCapacity(items.count)
        for item in items {
            let parsed: Certification?
            if let members = members(item, ["name"]), case .string(let name) = members[0] {
                parsed = try? Certification(name: name, expires: nil)
            } else if let members = members(item, ["expires", "name"]), case .integer(let expires) = members[0], case .string(let name) = members[1] {
                parsed = try? Certification(name: name, expires: Timestamp(secondsSinceEpoch: expires))
            } else {
                return nil
            }
            guard let parsed else { return nil }
            out.append(parsed)
        }
        return out
    }

    private static func availability(_ value: JSONValue) -> Availability? {
        guard let object = members(value, ["slots"]), case .array(let items) = object[0] else { return nil }
        var slots: [WeeklySlot] = []
        slots.reserveCapacity(items.count)
        for item in items {
            guard let members = members(item, ["endMinute", "startMinute", "weekday"]), case .integer(let end) = members[0],
                case .integer(let start) = members[1], case .integer(let weekday) = members[2],
                let slot = try? WeeklySlot(weekday: Int(weekday), startMinute: Int(start), endMinute: Int(end))
            else { return nil }
            slots.append(slot)
        }
        return Availability(slots: slots)
    }
}
