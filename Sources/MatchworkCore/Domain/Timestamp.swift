/// A point in time as whole seconds since the Unix epoch, UTC.
///
/// Matchwork's events and time windows have second precision. `Timestamp` parses and prints
/// ISO 8601 itself so that the core stays free of Foundation and of the local time zone.
public struct Timestamp: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var secondsSinceEpoch: Int64

    public init(secondsSinceEpoch: Int64) { self.secondsSinceEpoch = secondsSinceEpoch }

    /// Midnight UTC of a calendar day.
    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        let days = Timestamp.daysFromCivil(year: year, month: month, day: day)
        secondsSinceEpoch = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    public static func < (a: Self, b: Self) -> Bool { a.secondsSinceEpoch < b.secondsSinceEpoch }

    public func adding(seconds: Int64) -> Timestamp { Timestamp(secondsSinceEpoch: secondsSinceEpoch + seconds) }

    public init(from decoder: any Decoder) throws {
        secondsSinceEpoch = try decoder.singleValueContainer().decode(Int64.self)
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(secondsSinceEpoch)
    }

    /// Whether the time is exactly midnight UTC (a calendar day with no time of day).
    public var isMidnight: Bool { secondsSinceEpoch.mod(86_400) == 0 }

    /// The day of the week, 0 = Monday … 6 = Sunday.
    public var weekday: Int { Int((secondsSinceEpoch.floorDiv(86_400) + 3).mod(7)) }

    /// Seconds since midnight UTC.
    public var secondOfDay: Int { Int(secondsSinceEpoch.mod(86_400)) }

    /// `2026-03-01T08:30:00Z`.
    public var iso8601: String {
        let (y, m, d) = Timestamp.civil(fromDays: secondsSinceEpoch.floorDiv(86_400))
        let s = secondOfDay
        return "\(Timestamp.pad(y, 4))-\(Timestamp.pad(m, 2))-\(Timestamp.pad(d, 2))T\(Timestamp.pad(s / 3600, 2)):\(Timestamp.pad(s / 60 % 60, 2)):\(Timestamp.pad(s % 60, 2))Z"
    }

    /// `2026-03-01`, the UTC calendar day.
    public var isoDate: String {
        let (y, m, d) = Timestamp.civil(fromDays: secondsSinceEpoch.floorDiv(86_400))
        return "\(Timestamp.pad(y, 4))-\(Timestamp.pad(m, 2))-\(Timestamp.pad(d, 2))"
    }

    public var description: String { iso8601 }

    /// Parses integer Unix seconds, an ISO 8601 date (`2026-03-01`, midnight UTC) or date-time
    /// (`2026-03-01T08:30:00Z`, `2026-03-01T08:30:00+02:00`, `2026-03-01 08:30:00`).
    public static func parse(_ text: String, field: String) throws(MatchworkError) -> Timestamp {
        if let seconds = Int64(text) { return Timestamp(secondsSinceEpoch: seconds) }
        if let parsed = parseISO(Array(text.utf8)) { return parsed }
        throw .invalid(field, "\(field) '\(text)' is not a time; write Unix seconds (1767225600), a date (2026-01-01) or an ISO 8601 date-time (2026-01-01T08:00:00Z).")
    }

    private static func parseISO(_ b: [UInt8]) -> Timestamp? {
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= b.count else { return nil }
            var value = 0
            for i in range {
                let c = b[i]
                guard c >= 48, c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
            }
            return value
        }
        guard b.count >= 10, b[4] == 45, b[7] == 45,
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year)
        else { return nil }
        var seconds = daysFromCivil(year: year, month: month, day: day) * 86_400
        if b.count == 10 { return Timestamp(secondsSinceEpoch: seconds) }
        guard b.count >= 19, b[10] == 84 || b[10] == 32, b[13] == 58, b[16] == 58,
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            hour < 24, minute < 60, second < 60
        else { return nil }
        seconds += Int64(hour * 3600 + minute * 60 + second)
        let rest = b[19...]
        if rest.isEmpty || rest == [90] { return Timestamp(secondsSinceEpoch: seconds) }
        guard rest.count == 6, rest[rest.startIndex + 3] == 58,
            rest.first == 43 || rest.first == 45,
            let oh = number(20..<22), let om = number(23..<25), oh < 24, om < 60
        else { return nil }
        let offset = Int64(oh * 3600 + om * 60)
        return Timestamp(secondsSinceEpoch: rest.first == 43 ? seconds - offset : seconds + offset)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    private static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // Howard Hinnant's days_from_civil / civil_from_days.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((month + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (Int(y), Int(m), Int(d))
    }
}

extension Int64 {
    fileprivate func floorDiv(_ d: Int64) -> Int64 { let q = self / d; return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q }
    fileprivate func mod(_ d: Int64) -> Int64 { let r = self % d; return r < 0 ? r + d : r }
}
