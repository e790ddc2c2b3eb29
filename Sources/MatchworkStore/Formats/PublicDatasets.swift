import Foundation
public import MatchworkCore

/// Turns the openly licensed data sets of ../shared/data into interaction files of
/// ../shared/PROTOCOL.md, keeping their attribution beside the output.
public enum PublicDatasets {
    /// OULAD: one row per learner and course presentation (`AAA-2013J`), rated by the final
    /// result (Distinction 5, Pass 4, Fail 2, Withdrawn 1; so `--positive-threshold 4` keeps
    /// Pass and Distinction), timed at registration (the presentation's start month, B =
    /// February and J = October, plus the registration day offset).
    public static func oulad(directory: String) throws(StoreError) -> RatingTable {
        let registrations = try rows(of: directory + "/studentRegistration.csv")
        var registered: [String: Int64] = [:]
        for row in registrations.rows {
            let key = "\(row[registrations.column("id_student")])|\(row[registrations.column("code_module")])-\(row[registrations.column("code_presentation")])"
            let start = presentationStart(row[registrations.column("code_presentation")]) ?? 0
            let offset = Int64(row[registrations.column("date_registration")]) ?? 0
            registered[key] = start + offset * 86_400
        }
        let info = try rows(of: directory + "/studentInfo.csv")
        let grades = ["Distinction": Float(5), "Pass": 4, "Fail": 2, "Withdrawn": 1]
        var builder = RatingTable.Builder()
        for (n, row) in info.rows.enumerated() {
            let student = row[info.column("id_student")]
            let course = "\(row[info.column("code_module")])-\(row[info.column("code_presentation")])"
            guard let grade = grades[row[info.column("final_result")]] else {
                throw StoreError(.unreadableFile, "studentInfo.csv, line \(n + 2): final_result '\(row[info.column("final_result")])' is not Distinction, Pass, Fail or Withdrawn.")
            }
            let time = registered["\(student)|\(course)"] ?? (presentationStart(row[info.column("code_presentation")]) ?? 0)
            do {
                try builder.append(user: student, item: course, rating: grade, timestamp: time, line: n + 2)
            } catch {
                throw StoreError(.unreadableFile, "studentInfo.csv, \(error.message)")
            }
        }
        return builder.table
    }

    /// OULAD as pass history: one result per learner and module presentation of studentInfo.csv
    /// (course `AAA`, run `2013J`; Pass and Distinction pass), with `num_of_prev_attempts`,
    /// `highest_education` and the presentation's length in days from courses.csv.
    public static func ouladHistory(directory: String) throws(StoreError) -> PassHistory {
        let courses = try rows(of: directory + "/courses.csv")
        var length: [String: Double] = [:]
        for row in courses.rows {
            length[row[courses.column("code_module")] + "-" + row[courses.column("code_presentation")]] = Double(row[courses.column("module_presentation_length")])
        }
        let info = try rows(of: directory + "/studentInfo.csv")
        for name in ["id_student", "code_module", "code_presentation", "num_of_prev_attempts", "final_result"] where !info.header.contains(name) {
            throw StoreError(.unreadableFile, "studentInfo.csv has no column '\(name)'; give the OULAD directory holding the original studentInfo.csv.")
        }
        let outcomes: [String: PassHistory.Outcome] = ["Distinction": .pass, "Pass": .pass, "Fail": .fail, "Withdrawn": .withdrawn]
        var results: [PassHistory.Result] = []
        results.reserveCapacity(info.rows.count)
        for (n, row) in info.rows.enumerated() {
            let module = row[info.column("code_module")], term = row[info.column("code_presentation")]
            guard let outcome = outcomes[row[info.column("final_result")]] else {
                throw StoreError(.unreadableFile, "studentInfo.csv, line \(n + 2): final_result '\(row[info.column("final_result")])' is not Distinction, Pass, Fail or Withdrawn.")
            }
            guard let attempts = Int(row[info.column("num_of_prev_attempts")]), attempts >= 0 else {
                throw StoreError(.unreadableFile, "studentInfo.csv, line \(n + 2): num_of_prev_attempts '\(row[info.column("num_of_prev_attempts")])' is not a count; it must be a whole number, 0 or more.")
            }
            results.append(PassHistory.Result(
                learner: row[info.column("id_student")], course: module, term: term, outcome: outcome, earlierAttempts: attempts,
                hours: length[module + "-" + term] ?? 0, education: info.header.contains("highest_education") ? row[info.column("highest_education")] : nil))
        }
        return PassHistory(results: results)
    }

    /// Writes the pass model's inputs and answers into `directory` so a peer fits and scores on
    /// identical rows: `train.csv` and `test.csv` (learner, course, term, passed 0/1, education
    /// when the model saw it, then ``PassProbabilityModel/featureNames``), `predictions.csv` (the test rows with Matchwork's
    /// probability), and the data set's attribution.
    public static func writePassExamples(
        _ history: PassHistory, evaluation: PassHistoryEvaluation, to directory: String, attributionFrom source: String
    ) throws(StoreError) {
        let (train, test) = history.examples(testTerms: Set(evaluation.testTerms), withdrawn: evaluation.withdrawn)
        func key(_ row: Int) -> [String] {
            let r = history.results[row]
            return [r.learner, r.course, r.term]
        }
        for (name, examples) in [("train.csv", train), ("test.csv", test)] {
            var writer = CSVWriter()
            writer.writeRow(["learner", "course", "term", "passed", "education"] + PassProbabilityModel.featureNames)
            for e in examples {
                let education = evaluation.education ? history.results[e.row].education ?? "" : ""
                writer.writeRow(key(e.row) + [e.passed ? "1" : "0", education] + e.features.map { "\($0)" })
            }
            try Exporter.writeAtomically(writer.take(), to: directory + "/" + name)
        }
        var writer = CSVWriter()
        writer.writeRow(["learner", "course", "term", "passed", "probability"])
        for p in evaluation.predictions { writer.writeRow(key(p.row) + [p.passed ? "1" : "0", "\(p.probability)"]) }
        try Exporter.writeAtomically(writer.take(), to: directory + "/predictions.csv")
        try keepAttribution(from: source, beside: directory + "/oulad")
    }

    /// Stack Exchange Posts.xml: one row per answerer and tag of the questions they answered,
    /// rated by the number of such answers, timed at the first one.
    public static func stackExchange(posts path: String) throws(StoreError) -> RatingTable {
        let text = String(decoding: try RecordFile.bytes(of: path), as: UTF8.self)
        var questionTags: [String: [String]] = [:]
        var answers: [(owner: String, parent: String, time: Int64)] = []
        for line in text.split(whereSeparator: \.isNewline) where line.contains("<row ") {
            let attributes = Self.attributes(line)
            guard let id = attributes["Id"], let type = attributes["PostTypeId"] else { continue }
            if type == "1", let tags = attributes["Tags"] {
                questionTags[id] = tags.split(separator: ">").map { String($0.drop { $0 == "<" }) }.filter { !$0.isEmpty }
            } else if type == "2", let owner = attributes["OwnerUserId"], let parent = attributes["ParentId"], let created = attributes["CreationDate"] {
                answers.append((owner, parent, Self.seconds(created)))
            }
        }
        var pairs: [String: (user: String, tag: String, count: Float, first: Int64)] = [:]
        var order: [String] = []
        for answer in answers.sorted(by: { ($0.time, $0.owner) < ($1.time, $1.owner) }) {
            for tag in questionTags[answer.parent] ?? [] {
                let key = answer.owner + "|" + tag
                if var pair = pairs[key] {
                    pair.count += 1
                    pairs[key] = pair
                } else {
                    pairs[key] = (answer.owner, tag, 1, answer.time)
                    order.append(key)
                }
            }
        }
        var builder = RatingTable.Builder()
        for (n, key) in order.enumerated() {
            let pair = pairs[key]!
            do {
                try builder.append(user: pair.user, item: pair.tag, rating: pair.count, timestamp: pair.first, line: n + 2)
            } catch {
                throw StoreError(.unreadableFile, "Posts.xml: \(error.message)")
            }
        }
        return builder.table
    }

    /// Copies the data set's ATTRIBUTION.md beside `output`, as `<output>.ATTRIBUTION.md`.
    public static func keepAttribution(from directory: String, beside output: String) throws(StoreError) {
        let source = directory + "/ATTRIBUTION.md"
        let bytes = try RecordFile.bytes(of: source)
        let note = "Derived by `matchwork convert` from the data set described below; this notice travels with the derived file.\n\n"
        try Exporter.writeAtomically(Array(note.utf8) + bytes, to: output + ".ATTRIBUTION.md")
    }

    // MARK: Helpers

    struct Table {
        let header: [String]
        let rows: [[String]]
        func column(_ name: String) -> Int { header.firstIndex(of: name) ?? 0 }
    }

    static func rows(of path: String) throws(StoreError) -> Table {
        var reader = CSVReader(bytes: try RecordFile.bytes(of: path))
        var fields: [String] = []
        var rows: [[String]] = []
        do {
            guard try reader.nextRow(into: &fields) != nil else { throw StoreError(.unreadableFile, "\(RecordFile.fileName(path)) is empty.") }
            let header = fields
            while try reader.nextRow(into: &fields) != nil {
                guard fields.count == header.count else { continue }
                rows.append(fields)
            }
            return Table(header: header, rows: rows)
        } catch let failure as CSVReader.Failure {
            throw StoreError(.unreadableFile, "\(RecordFile.fileName(path)), line \(failure.line): \(failure.reason)")
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.unreadableFile, "\(RecordFile.fileName(path)): \(error)")
        }
    }

    /// `2013J` → 1 October 2013, `2014B` → 1 February 2014 (Unix seconds, UTC).
    static func presentationStart(_ code: String) -> Int64? {
        guard code.count == 5, let year = Int(code.prefix(4)) else { return nil }
        let month = code.hasSuffix("B") ? 2 : code.hasSuffix("J") ? 10 : 1
        return (try? Timestamp.parse(String(format: "%04d-%02d-01", year, month), field: "presentation"))?.secondsSinceEpoch
    }

    /// `2014-01-21T20:26:05.383` (UTC) → Unix seconds.
    static func seconds(_ text: String) -> Int64 {
        let trimmed = text.split(separator: ".").first.map(String.init) ?? text
        return (try? Timestamp.parse(trimmed + "Z", field: "CreationDate"))?.secondsSinceEpoch ?? 0
    }

    /// The attributes of one `<row … />` line, entities decoded.
    static func attributes(_ line: Substring) -> [String: String] {
        var result: [String: String] = [:]
        var rest = line[...]
        while let equals = rest.range(of: "=\"") {
            let name = rest[..<equals.lowerBound].split(separator: " ").last.map(String.init) ?? ""
            let afterQuote = rest[equals.upperBound...]
            guard let close = afterQuote.firstIndex(of: "\"") else { break }
            result[name] = decodeEntities(afterQuote[..<close])
            rest = afterQuote[afterQuote.index(after: close)...]
        }
        return result
    }

    static func decodeEntities(_ text: Substring) -> String {
        guard text.contains("&") else { return String(text) }
        return text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#xA;", with: "\n").replacingOccurrences(of: "&amp;", with: "&")
    }
}
