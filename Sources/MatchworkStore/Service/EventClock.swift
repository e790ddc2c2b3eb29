public import MatchworkCore

/// Refuses events dated further ahead of this machine's clock than a tolerance.
///
/// An event stamped in the future is almost always a mistake (a wrong year, milliseconds sent
/// as seconds, a client's broken clock). Stored, it would sit in the append-only log for ever,
/// so the service, the importer and the CLI check every event before they write it. The range
/// 1970-2099 is checked earlier, by ``Interaction`` itself.
public struct EventClock: Sendable, Hashable {
    /// The default tolerance: one day, enough for clients' clocks and time zones gone wrong.
    public static let defaultSkew: Int64 = 86_400

    /// How far ahead of `now` an event may be dated, in seconds.
    public var maximumSkew: Int64
    /// The setting or flag that sets ``maximumSkew``, named by the error message.
    public var setting: String

    public init(maximumSkew: Int64 = EventClock.defaultSkew, setting: String = "max_event_skew") {
        self.maximumSkew = maximumSkew
        self.setting = setting
    }

    /// The tolerance `text` gives (`86400`, `30m`, `12h`, `2d`): 0 to 3650 days; `nil` for
    /// anything else.
    public static func skew(parsing text: String) -> Int64? {
        guard let seconds = FieldText.seconds(ofDuration: text), seconds >= 0, seconds <= 3650 * 86_400 else { return nil }
        return Int64(seconds)
    }

    /// Throws when `event` is dated more than ``maximumSkew`` after `now`.
    ///
    /// - Parameter field: where the event's time was given (`timestamp`, `events[3].timestamp`,
    ///   `interactions.csv, line 12: timestamp`), named by the error.
    public func check(_ event: Interaction, now: Timestamp = .now, field: String = "timestamp") throws(MatchworkError) {
        try check(event.timestamp, now: now, field: field)
    }

    /// Throws when `time` is more than ``maximumSkew`` after `now`.
    public func check(_ time: Timestamp, now: Timestamp = .now, field: String = "timestamp") throws(MatchworkError) {
        let ahead = time.secondsSinceEpoch - now.secondsSinceEpoch
        guard ahead > maximumSkew else { return }
        throw MatchworkError(
            .invalidValue,
            "\(field) \(time) is \(Self.describe(ahead)) after this machine's clock (\(now)); events may be dated at most \(Self.describe(maximumSkew)) ahead. "
                + "Give the time the event happened (Unix seconds, not milliseconds), or raise \(setting) if clocks here run behind.",
            field: field)
    }

    /// `3 days`, `5 hours`, `40 minutes`, `12 seconds`: the largest whole unit.
    static func describe(_ seconds: Int64) -> String {
        let units: [(Int64, String)] = [(86_400, "day"), (3600, "hour"), (60, "minute"), (1, "second")]
        for (size, name) in units where seconds >= size {
            let n = seconds / size
            return "\(n.formatted) \(name)\(n == 1 ? "" : "s")"
        }
        return "\(seconds) seconds"
    }
}

extension Int64 {
    /// `12,345`.
    fileprivate var formatted: String {
        let digits = String(self.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return self < 0 ? "-" + out : out
    }
}
