public import MatchworkCore

/// The text forms of compound fields in CSV files (and their JSON Lines equivalents).
///
/// | field | text form |
/// |---|---|
/// | facets | `service=emergency|intensive_care;rhythm=night` |
/// | skills, teaches, prerequisites | `active_listening=4;writing=3.5` (a level 0-7; a requirement may add its importance 1-5: `programming=4.5@4.2`) |
/// | certifications | `basic_life_support=2027-05-01;trauma_care` (no date: never expires) |
/// | attributes, sub_scores | `hourly_rate=25;years_experience=4` |
/// | availability | `mon 08:00-18:00;sat 09:00-13:00` |
public enum FieldText {
    static func entries(_ text: String) -> [Substring] {
        text.split(separator: ";", omittingEmptySubsequences: true).map { $0.trimmingSpaces }
    }

    static func pair(_ entry: Substring, field: String, example: String) throws(MatchworkError) -> (String, String) {
        guard let eq = entry.firstIndex(of: "=") else {
            throw MatchworkError(.invalidValue, "\(field): '\(entry)' has no '='; write name=value pairs separated by ';', for example '\(example)'.", field: field)
        }
        return (String(entry[..<eq].trimmingSpaces), String(entry[entry.index(after: eq)...].trimmingSpaces))
    }

    /// Seconds from `3600`, `500ms`, `90s`, `15m`, `1h` or `1d`; `nil` for anything else.
    public static func seconds(ofDuration text: String) -> Double? {
        let value: Double?
        if text.hasSuffix("ms") {
            value = Double(text.dropLast(2)).map { $0 / 1000 }
        } else {
            let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
            if let last = text.last, let unit = units[last] { value = Double(text.dropLast()).map { $0 * unit } } else { value = Double(text) }
        }
        return value.flatMap { $0.isFinite ? $0 : nil }
    }

    /// Bytes from `1048576`, `512KiB`, `64MiB` or `2GiB` (also `KB`, `MB`, `GB`, read as the
    /// binary units, and `K`, `M`, `G`); `nil` for anything else.
    public static func bytes(ofSize text: String) -> Int? {
        let units: [(String, Double)] = [
            ("KiB", 1024), ("MiB", 1_048_576), ("GiB", 1_073_741_824), ("KB", 1024), ("MB", 1_048_576), ("GB", 1_073_741_824), ("K", 1024), ("M", 1_048_576), ("G", 1_073_741_824), ("B", 1),
        ]
        var number = Substring(text).trimmingSpaces
        var unit = 1.0
        for (suffix, size) in units where number.uppercased().hasSuffix(suffix.uppercased()) {
            number = number.dropLast(suffix.count)
            unit = size
            break
        }
        guard let value = Double(number.trimmingSpaces), value.isFinite, value >= 0, value * unit < 1e18 else { return nil }
        return Int((value * unit).rounded())
    }

    public static func number(_ text: String, field: String) throws(MatchworkError) -> Double {
        guard let value = Double(text), value.isFinite else {
            throw MatchworkError(.invalidValue, "\(field) '\(text)' is not a number; write digits such as 12.5.", field: field)
        }
        return value
    }

    public static func integer(_ text: String, field: String) throws(MatchworkError) -> Int {
        guard let value = Int(text) else {
            throw MatchworkError(.invalidValue, "\(field) '\(text)' is not a whole number; write digits such as 3.", field: field)
        }
        return value
    }

    /// Formats a number in its shortest exact form, without a trailing `.0` for whole numbers.
    public static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    public static func facets(_ text: String, field: String) throws(MatchworkError) -> Facets {
        var raw: [FacetName: [String]] = [:]
        for entry in entries(text) {
            let (name, values) = try pair(entry, field: field, example: "service=emergency|surgery;rhythm=night")
            let facet = FacetName(name)
            if raw[facet] != nil {
                throw MatchworkError(.invalidValue, "\(field): facet '\(name)' appears twice; list its values once, separated by '|'.", field: field)
            }
            raw[facet] = values.split(separator: "|").map { String($0.trimmingSpaces) }
        }
        return try Facets(raw, field: field)
    }

    public static func format(_ facets: Facets) -> String {
        facets.names.map { "\($0.rawValue)=\(facets[$0].joined(separator: "|"))" }.joined(separator: ";")
    }

    public static func skills(_ text: String, field: String) throws(MatchworkError) -> [SkillLevel] {
        var list: [SkillLevel] = []
        for entry in entries(text) {
            let (name, value) = try pair(entry, field: field, example: "active_listening=4;writing=3.5")
            if let at = value.firstIndex(of: "@") {
                let level = String(value[..<at]), importance = String(value[value.index(after: at)...])
                list.append(try SkillLevel(skill: name, level: try number(level, field: field), importance: try number(importance, field: field), field: field))
            } else {
                list.append(try SkillLevel(skill: name, level: try number(value, field: field), field: field))
            }
        }
        return list
    }

    public static func format(_ skills: [SkillLevel]) -> String {
        skills.map { s in s.importance.map { "\(s.skill)=\(format(s.level))@\(format($0))" } ?? "\(s.skill)=\(format(s.level))" }.joined(separator: ";")
    }

    public static func certifications(_ text: String, field: String) throws(MatchworkError) -> [Certification] {
        var list: [Certification] = []
        for entry in entries(text) {
            if let eq = entry.firstIndex(of: "=") {
                let name = String(entry[..<eq].trimmingSpaces)
                let date = String(entry[entry.index(after: eq)...].trimmingSpaces)
                list.append(try Certification(name: name, expires: date.isEmpty ? nil : try Timestamp.parse(date, field: field), field: field))
            } else {
                list.append(try Certification(name: String(entry), expires: nil, field: field))
            }
        }
        return list
    }

    public static func format(_ certifications: [Certification]) -> String {
        certifications.map { c in
            guard let expires = c.expires else { return c.name }
            return "\(c.name)=\(format(expires))"
        }.joined(separator: ";")
    }

    /// A day when the time is midnight UTC, else a full ISO 8601 date-time.
    public static func format(_ time: Timestamp) -> String { time.isMidnight ? time.isoDate : time.iso8601 }

    public static func attributes(_ text: String, field: String) throws(MatchworkError) -> Attributes {
        var values: [String: Double] = [:]
        for entry in entries(text) {
            let (name, value) = try pair(entry, field: field, example: "hourly_rate=25;years_experience=4")
            if values[name] != nil {
                throw MatchworkError(.invalidValue, "\(field): '\(name)' appears twice; give each attribute once.", field: field)
            }
            values[name] = try number(value, field: "\(field).\(name)")
        }
        return try Attributes(values, field: field)
    }

    public static func format(_ attributes: Attributes) -> String {
        attributes.keys.map { "\($0)=\(format(attributes[$0]!))" }.joined(separator: ";")
    }

    public static func subScores(_ text: String, field: String) throws(MatchworkError) -> [Interaction.SubScore] {
        var list: [Interaction.SubScore] = []
        for entry in entries(text) {
            let (name, value) = try pair(entry, field: field, example: "quality=9;timeliness=8")
            list.append(Interaction.SubScore(name: name, value: try number(value, field: field)))
        }
        return list
    }

    public static func format(_ scores: [Interaction.SubScore]) -> String {
        scores.map { "\($0.name)=\(format($0.value))" }.joined(separator: ";")
    }

    public static func availability(_ text: String, field: String) throws(MatchworkError) -> Availability {
        var slots: [WeeklySlot] = []
        for entry in entries(text) { slots.append(try WeeklySlot.parse(String(entry), field: field)) }
        return Availability(slots: slots)
    }

    public static func format(_ availability: Availability) -> String {
        availability.slots.map(\.text).joined(separator: ";")
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }
}
