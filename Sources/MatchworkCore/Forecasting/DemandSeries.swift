/// A calendar month, counted from January of year 0 (`year × 12 + month − 1`).
public struct Month: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let index: Int

    public init(index: Int) { self.index = index }
    public init(year: Int, month: Int) { index = year * 12 + month - 1 }
    public init(_ time: Timestamp) {
        let (y, m, _) = Timestamp.civil(fromDays: Int64((Double(time.secondsSinceEpoch) / 86_400).rounded(.down)))
        self.init(year: y, month: m)
    }

    public var year: Int { Int((Double(index) / 12).rounded(.down)) }
    public var month: Int { index - year * 12 + 1 }
    public static func < (a: Month, b: Month) -> Bool { a.index < b.index }
    public func adding(_ months: Int) -> Month { Month(index: index + months) }
    /// `2025-12`.
    public var description: String {
        let m = month < 10 ? "0\(month)" : "\(month)"
        return "\(year)-\(m)"
    }
    /// The month's first day at midnight UTC.
    public var start: Timestamp { Timestamp(year: year, month: month, day: 1) }
    /// How many days it has.
    public var days: Int { Int((adding(1).start.secondsSinceEpoch - start.secondsSinceEpoch) / 86_400) }
    /// The day of the month of `time` (1-31).
    static func day(of time: Timestamp) -> Int {
        Timestamp.civil(fromDays: Int64((Double(time.secondsSinceEpoch) / 86_400).rounded(.down))).2
    }
}

/// What a demand series counts: opportunities asking for a skill (weighted by the level asked),
/// or opportunities with a required facet value (an occupation, a service, a specialty).
public enum DemandKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    case skill(String)
    case facet(FacetName, String)

    /// `programming`, `occupation=15-1252.00`.
    public var description: String {
        switch self {
        case .skill(let s): s
        case .facet(let name, let value): "\(name.rawValue)=\(value)"
        }
    }

    /// The series' name in a sentence: `Active listening`, `service deep_clean`.
    public var label: String {
        switch self {
        case .skill(let s):
            let words = s.split(separator: "_").joined(separator: " ")
            return words.prefix(1).uppercased() + words.dropFirst()
        case .facet(let name, let value): return "\(name.rawValue.split(separator: "_").joined(separator: " ")) \(value)"
        }
    }
}

/// Monthly demand from the marketplace's opportunities: every opportunity that is not a course
/// (job postings, missions, cleaning jobs) counts in the month its window starts.
///
/// A skill's series adds the level asked (0-7) of each opportunity asking for it, so a posting
/// asking for Programming at 4.5 adds 4.5; a facet value's series counts the opportunities that
/// require it. All series span the same months, from the first opportunity's month to the last
/// one's; a month without any is a zero, not a gap. Opportunities without a time window cannot
/// be dated and are counted apart (``undated``).
///
/// Only whole months count: when the data starts late in its first month or stops early in its
/// last (the month under way, or a history shifted to end on a given day), that month would
/// read as a fall in demand, so it is left out (``partial``) when it holds less than
/// ``wholeMonth`` of its days and other months remain.
public struct DemandBook: Sendable {
    /// One series: the values per month, and how many opportunities made each.
    public struct Series: Sendable, Hashable {
        public let key: DemandKey
        public let values: [Double]
        public let counts: [Int]
    }

    /// The first month (nil when no opportunity is dated).
    public let start: Month?
    public let monthCount: Int
    /// Opportunities that count as demand but have no time window.
    public let undated: Int
    /// Opportunities counted.
    public let dated: Int
    /// Edge months left out as partial, with their opportunities.
    public let partial: [(month: Month, opportunities: Int)]
    /// The share of its days from which an edge month counts as whole.
    public static let wholeMonth = 0.9
    /// What the counted opportunities are, in words: "postings", "jobs", "missions", or
    /// "opportunities" when they are of several kinds.
    public let noun: String
    private let series: [DemandKey: Series]

    /// Months in order.
    public var months: [Month] { start.map { s in (0..<monthCount).map { s.adding($0) } } ?? [] }
    /// Every key with a series, sorted.
    public var keys: [DemandKey] { series.keys.sorted() }

    public func series(_ key: DemandKey) -> Series? { series[key] }

    /// Every facet value's key, whatever the facet.
    public var facetKeys: [DemandKey] { keys.filter { !$0.isSkill } }

    /// The keys of one kind: skills, or one facet's values.
    public func keys(skills: Bool, facet: FacetName? = nil) -> [DemandKey] {
        keys.filter { key in
            switch key {
            case .skill: skills
            case .facet(let name, _): !skills && name == facet
            }
        }
    }

    public init(_ opportunities: [Opportunity]) {
        var undated = 0
        var entries: [(month: Month, opportunity: Opportunity)] = []
        for o in opportunities where o.kind != .course {
            guard let window = o.window else { undated += 1; continue }
            entries.append((Month(window.start), o))
        }
        self.undated = undated
        let kinds = Set(entries.map(\.1.kind))
        noun = kinds.count == 1 ? "\(kinds.first!.rawValue)s" : "opportunities"
        let times = entries.compactMap { $0.1.window?.start }
        guard var first = entries.map(\.0).min(), var last = entries.map(\.0).max(), let earliest = times.min(), let latest = times.max() else {
            start = nil
            monthCount = 0
            series = [:]
            dated = 0
            partial = []
            return
        }
        // The first month is covered from the earliest day on, the last up to the latest day.
        var partial: [Month] = []
        if first < last, Double(first.days - Month.day(of: earliest) + 1) / Double(first.days) < Self.wholeMonth {
            partial.append(first)
            first = first.adding(1)
        }
        if first < last, Double(Month.day(of: latest)) / Double(last.days) < Self.wholeMonth {
            partial.append(last)
            last = last.adding(-1)
        }
        self.partial = partial.map { month in (month, entries.count { $0.0 == month }) }
        entries.removeAll { $0.0 < first || $0.0 > last }
        dated = entries.count
        start = first
        let n = last.index - first.index + 1
        monthCount = n
        var values: [DemandKey: [Double]] = [:], counts: [DemandKey: [Int]] = [:]
        func add(_ key: DemandKey, _ month: Int, _ amount: Double) {
            values[key, default: [Double](repeating: 0, count: n)][month] += amount
            counts[key, default: [Int](repeating: 0, count: n)][month] += 1
        }
        for (month, o) in entries {
            let m = month.index - first.index
            for s in o.skills { add(.skill(s.skill), m, s.level) }
            for (name, list) in o.required.values { for value in list { add(.facet(name, value), m, 1) } }
        }
        series = Dictionary(uniqueKeysWithValues: values.map { key, v in (key, Series(key: key, values: v, counts: counts[key]!)) })
    }

    /// A digest of every series (FNV-1a over keys, months and values in order): equal books
    /// have equal fingerprints, so forecasts made from one can be kept until it changes.
    public var fingerprint: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ bytes: some Sequence<UInt8>) { for b in bytes { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 } }
        func mix(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { mix($0) } }
        mix(UInt64(bitPattern: Int64(start?.index ?? -1)))
        mix(UInt64(monthCount))
        for key in keys {
            mix(key.description.utf8)
            mix(UInt64(0xff))
            for v in series[key]!.values { mix(v.bitPattern) }
        }
        return hash
    }
}

extension DemandBook {
    /// The series of `key`, or an error naming the value, the field it came from, and the
    /// nearest names the book has.
    public func resolve(_ key: DemandKey, field: String) throws(MatchworkError) -> Series {
        if let found = series(key) { return found }
        let (what, name, known): (String, String, [DemandKey]) =
            switch key {
            case .skill(let s): ("skill", s, keys(skills: true))
            case .facet(let facet, let value): (facet.rawValue, value, keys(skills: false, facet: facet))
            }
        guard dated > 0 else {
            throw MatchworkError(
                .unknownIdentifier,
                "\(field) '\(name)' has no demand: the store has no dated \(noun) (an opportunity counts in the month its window starts); import postings, missions or jobs with starts_at.",
                field: field)
        }
        let names = known.map { k -> String in
            if case .facet(_, let v) = k { return v }
            return k.description
        }
        guard !names.isEmpty else {
            throw MatchworkError(
                .unknownIdentifier,
                "\(field) '\(name)' has no demand: none of the \(grouped(dated)) dated \(noun) asks for any \(what); give \(noun) \(key.isSkill ? "skills (skills=programming=4.5)" : "a required \(what)") to count.",
                field: field)
        }
        let nearest = names.map { ($0, Self.distance($0, name)) }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(3).map(\.0)
        throw MatchworkError(
            .unknownIdentifier,
            "\(field) '\(name)' has no demand: no dated \(noun.dropLast()) asks for it. The \(noun) ask for \(names.count) \(what == "skill" ? "skills" : "values of \(what)"); the nearest are \(nearest.joined(separator: ", ")) (trends analyze lists them all).",
            field: field)
    }

    /// Levenshtein distance of the bytes of two names.
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.utf8), y = Array(b.utf8)
        var previous = Array(0...y.count), current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...max(x.count, 1) where !x.isEmpty {
            current[0] = i
            for j in 1...max(y.count, 1) where !y.isEmpty {
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return x.isEmpty ? y.count : previous[y.count]
    }
}

extension DemandKey {
    public var isSkill: Bool { if case .skill = self { true } else { false } }
}

/// `4723` → `4,723`, for counts in sentences.
func grouped(_ n: Int) -> String {
    let digits = String(n)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return out
}
