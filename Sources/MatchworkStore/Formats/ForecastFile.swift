/// Forecast input files of ../shared/PROTOCOL.md ("The `matchwork forecast` contract"): CSV with
/// the header `date,value` (one series) or `series_id,date,value` (a long panel). Dates are ISO
/// 8601 days (`2024-03-01`) or integers; rows of a series may come in any order and are sorted
/// by date. A duplicate date, a missing period or a value that is not a number is refused with
/// the line, the column and the value.
public enum ForecastFile {
    /// One series, oldest first, evenly spaced.
    public struct Series: Sendable {
        public var id: String
        public var dates: [String]
        public var values: [Double]

        public init(id: String, dates: [String], values: [Double]) {
            self.id = id
            self.dates = dates
            self.values = values
        }
    }

    /// The id a one-series file's series gets.
    public static let singleSeriesID = "series"

    public static func read(_ path: String) throws(StoreError) -> [Series] {
        let name = RecordFile.fileName(path)
        return try parse(try RecordFile.bytes(of: path), name: name)
    }

    /// A date as a sortable key and, for calendar dates, the calendar parts used to check spacing.
    struct DateKey: Comparable {
        var ordinal: Int
        var calendar: (year: Int, month: Int, day: Int)?
        static func < (a: DateKey, b: DateKey) -> Bool { a.ordinal < b.ordinal }
        static func == (a: DateKey, b: DateKey) -> Bool { a.ordinal == b.ordinal }
    }

    struct Row {
        var date: DateKey
        var text: String
        var value: Double
        var line: Int
    }

    public static func parse(_ bytes: [UInt8], name: String) throws(StoreError) -> [Series] {
        var reader = CSVReader(bytes: bytes)
        var fields: [String] = []
        func fail(_ line: Int, _ reason: String) -> StoreError { StoreError(.unreadableFile, "\(name), line \(line): \(reason)") }
        do {
            guard try reader.nextRow(into: &fields) != nil else {
                throw StoreError(.unreadableFile, "\(name) is empty; it needs the header date,value (or series_id,date,value) and one row per period.")
            }
            let header = fields.map { $0.trimmed }
            guard let dateColumn = header.firstIndex(of: "date"), let valueColumn = header.firstIndex(of: "value") else {
                throw fail(1, "the header is '\(header.joined(separator: ","))'; it must be date,value or series_id,date,value.")
            }
            let idColumn = header.firstIndex(of: "series_id")
            var order: [String] = []
            var rows: [String: [Row]] = [:]
            var integerDates: Bool?
            while let line = try reader.nextRow(into: &fields) {
                if fields.count == 1 && fields[0].trimmed.isEmpty { continue }
                guard fields.count == header.count else {
                    throw fail(line, "the row has \(fields.count) fields, the header \(header.count); quote fields that contain commas.")
                }
                let id = idColumn.map { fields[$0].trimmed } ?? singleSeriesID
                guard !id.isEmpty else { throw fail(line, "column series_id is empty; every row of a panel names its series.") }
                let dateText = fields[dateColumn].trimmed
                guard let date = parseDate(dateText) else {
                    throw fail(line, "column date: '\(dateText)' is not a date; write an ISO 8601 day (2024-03-01) or an integer period (1, 2, 3…).")
                }
                if let integers = integerDates, integers != (date.calendar == nil) {
                    throw fail(line, "column date: '\(dateText)' mixes \(integers ? "a calendar date with integer periods" : "an integer period with calendar dates"); use one kind of date in the file.")
                }
                integerDates = date.calendar == nil
                let valueText = fields[valueColumn].trimmed
                guard let value = Double(valueText), value.isFinite else {
                    throw fail(line, "column value: '\(valueText)' is not a number; write a plain decimal such as 1520 or 3.75 (0 for a period with no demand).")
                }
                if rows[id] == nil { order.append(id) }
                rows[id, default: []].append(Row(date: date, text: dateText, value: value, line: line))
            }
            guard !order.isEmpty else {
                throw StoreError(.unreadableFile, "\(name) has a header but no rows; add one row per period.")
            }
            return try order.map { id throws(StoreError) in try series(id, rows[id]!, name: name, panel: idColumn != nil) }
        } catch let failure as CSVReader.Failure {
            throw fail(failure.line, failure.reason)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.unreadableFile, "\(name): \(error)")
        }
    }

    /// Sorts a series by date and checks that its dates are distinct and evenly spaced: integer
    /// periods by 1, calendar dates by a whole number of months (monthly, quarterly, yearly; on
    /// the same day of the month) or of days (daily, weekly).
    static func series(_ id: String, _ unsorted: [Row], name: String, panel: Bool) throws(StoreError) -> Series {
        let rows = unsorted.sorted { $0.date < $1.date || ($0.date == $1.date && $0.line < $1.line) }
        let label = panel ? " of series '\(id)'" : ""
        for i in rows.indices.dropFirst() where rows[i].date == rows[i - 1].date {
            let (a, b) = rows[i - 1].line < rows[i].line ? (rows[i - 1], rows[i]) : (rows[i], rows[i - 1])
            throw StoreError(.unreadableFile, "\(name), line \(b.line), column date: '\(b.text)' repeats the date\(label) on line \(a.line); keep one row per period.")
        }
        if rows.count > 1 {
            let step: Int
            let months = rows.allSatisfy { $0.date.calendar != nil } && Set(rows.map { $0.date.calendar!.day }).count == 1
            func position(_ row: Row) -> Int {
                guard months, let c = row.date.calendar else { return row.date.ordinal }
                return c.year * 12 + c.month - 1
            }
            var smallest = Int.max
            for i in rows.indices.dropFirst() { smallest = min(smallest, position(rows[i]) - position(rows[i - 1])) }
            step = smallest
            for i in rows.indices.dropFirst() where position(rows[i]) - position(rows[i - 1]) != step {
                let unit = rows[i].date.calendar == nil ? "period" : months ? (step == 1 ? "month" : step == 3 ? "quarter" : step == 12 ? "year" : "\(step)-month period") : (step == 1 ? "day" : step == 7 ? "week" : "\(step)-day period")
                let gap = position(rows[i]) - position(rows[i - 1])
                let reason = gap % step == 0
                    ? "\(gap / step - 1) \(unit)\(gap / step - 1 == 1 ? " is" : "s are") missing between '\(rows[i - 1].text)' (line \(rows[i - 1].line)) and it"
                    : "it is not a whole number of \(unit)s after '\(rows[i - 1].text)' (line \(rows[i - 1].line))"
                throw StoreError(.unreadableFile, "\(name), line \(rows[i].line), column date: '\(rows[i].text)'\(label): \(reason); write a row for every \(unit) (0 where nothing happened).")
            }
        }
        return Series(id: id, dates: rows.map(\.text), values: rows.map(\.value))
    }

    /// `2024-03-01` (days since 0000-03-01 as the ordinal) or an integer.
    static func parseDate(_ text: String) -> DateKey? {
        if let n = Int(text) { return DateKey(ordinal: n, calendar: nil) }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), d >= 1, d <= daysIn(month: m, year: y) else { return nil }
        return DateKey(ordinal: dayNumber(year: y, month: m, day: d), calendar: (y, m, d))
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from a fixed origin (the proleptic Gregorian civil-from-days inverse).
    static func dayNumber(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe
    }

    /// Writes a panel in the long format (`series_id,date,value`).
    public static func write(_ series: [Series], to path: String) throws(StoreError) {
        var writer = CSVWriter()
        writer.writeRow(["series_id", "date", "value"])
        for s in series {
            for (date, value) in zip(s.dates, s.values) {
                writer.writeRow([s.id, date, value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"])
            }
        }
        try Exporter.writeAtomically(writer.take(), to: path)
    }
}

extension String {
    fileprivate var trimmed: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" || s.first == "\r" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" || s.last == "\r" { s = s.dropLast() }
        return String(s)
    }
}
