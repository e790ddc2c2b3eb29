/// A recurring weekly time slot, in minutes since midnight UTC of a weekday.
public struct WeeklySlot: Hashable, Sendable, Codable {
    /// 0 = Monday … 6 = Sunday.
    public let weekday: Int
    public let startMinute: Int
    public let endMinute: Int

    public static let weekdayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    public init(weekday: Int, startMinute: Int, endMinute: Int, field: String = "availability") throws(MatchworkError) {
        guard (0..<7).contains(weekday) else {
            throw .invalid(field, "\(field): weekday \(weekday) is outside 0...6 (0 = Monday).")
        }
        guard (0..<1440).contains(startMinute), (1...1440).contains(endMinute), startMinute < endMinute else {
            throw .invalid(field, "\(field): slot \(WeeklySlot.clock(startMinute))-\(WeeklySlot.clock(endMinute)) on \(WeeklySlot.weekdayNames[weekday]) must start before it ends, within 00:00-24:00.")
        }
        self.weekday = weekday
        self.startMinute = startMinute
        self.endMinute = endMinute
    }

    /// `mon 08:00-18:00`.
    public var text: String { "\(WeeklySlot.weekdayNames[weekday]) \(WeeklySlot.clock(startMinute))-\(WeeklySlot.clock(endMinute))" }

    /// Parses `mon 08:00-18:00`.
    public static func parse(_ text: String, field: String) throws(MatchworkError) -> WeeklySlot {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        let times = parts.count == 2 ? parts[1].split(separator: "-") : []
        guard parts.count == 2, let day = weekdayNames.firstIndex(of: parts[0].lowercased()), times.count == 2,
            let start = minutes(times[0]), let end = minutes(times[1])
        else {
            throw .invalid(field, "\(field): '\(text)' is not a weekly slot; write a weekday and a time range such as 'mon 08:00-18:00'.")
        }
        return try WeeklySlot(weekday: day, startMinute: start, endMinute: end, field: field)
    }

    private static func minutes(_ text: Substring) -> Int? {
        let hm = text.split(separator: ":")
        guard hm.count == 2, hm[0].count == 2, hm[1].count == 2, let h = Int(hm[0]), let m = Int(hm[1]),
            (0...24).contains(h), (0..<60).contains(m), h * 60 + m <= 1440
        else { return nil }
        return h * 60 + m
    }

    static func clock(_ minutes: Int) -> String {
        let h = minutes / 60, m = minutes % 60
        return (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
    }

    /// Whether this slot covers `time`'s weekday and time of day.
    public func covers(_ time: Timestamp) -> Bool {
        let minute = time.secondOfDay / 60
        return time.weekday == weekday && minute >= startMinute && minute < endMinute
    }
}

/// When a person can work: recurring weekly slots. An empty list means "not stated".
public struct Availability: Hashable, Sendable, Codable {
    public let slots: [WeeklySlot]

    public init(slots: [WeeklySlot] = []) {
        self.slots = slots.sorted { ($0.weekday, $0.startMinute, $0.endMinute) < ($1.weekday, $1.startMinute, $1.endMinute) }
    }

    public var isStated: Bool { !slots.isEmpty }
}
