internal import Foundation
public import MatchworkCore

/// Occupations and their skill requirements, read from the O*NET database files.
///
/// Reads `db_30_1_text/Occupation Data.txt` (code, title) and
/// `db_26_x_skills_from_excel/Skills.tsv` (35 skills × importance and level per occupation).
/// A skill is required by an occupation when its importance is at least 3 (of 5); the
/// required level is O*NET's level (0-7).
public struct OccupationCatalog: Sendable {
    public struct Occupation: Sendable, Hashable {
        public let code: String
        public let title: String
        /// Required skills with O*NET's level and importance, sorted by skill.
        public let skills: [SkillLevel]
    }

    public let occupations: [Occupation]
    /// Every skill name, as a token (`active_listening`), sorted.
    public let skills: [String]
    /// The attribution to keep with anything derived from this data.
    public let attribution: String

    /// Minimum importance (1-5) for a skill to count as required.
    public static let importanceThreshold = 3.0

    public init(occupations: [Occupation], skills: [String], attribution: String) {
        self.occupations = occupations
        self.skills = skills
        self.attribution = attribution
    }

    /// Loads the catalog from an O*NET directory (the one holding `ATTRIBUTION.md`).
    public static func load(directory: String) throws(MatchworkError) -> OccupationCatalog {
        let occupationPath = directory + "/db_30_1_text/Occupation Data.txt"
        let skillsPath = directory + "/db_26_x_skills_from_excel/Skills.tsv"
        let attributionPath = directory + "/ATTRIBUTION.md"
        func read(_ path: String) throws(MatchworkError) -> String {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw MatchworkError(.invalidValue, "Cannot read the O*NET file '\(path)'; pass --onet with the directory that holds db_30_1_text and db_26_x_skills_from_excel (the shared data's onet folder).", field: "onet")
            }
            return String(decoding: data, as: UTF8.self)
        }
        var titles: [String: String] = [:]
        for line in try read(occupationPath).split(whereSeparator: \.isNewline).dropFirst() {
            let cols = line.split(separator: "\t", omittingEmptySubsequences: false)
            if cols.count >= 2 { titles[String(cols[0])] = String(cols[1]) }
        }
        // code -> skill -> (importance, level)
        var ratings: [String: [String: (Double, Double)]] = [:]
        var skillNames = Set<String>()
        let skillsText = try read(skillsPath)
        let lines = skillsText.split(whereSeparator: \.isNewline)
        guard let header = lines.first?.split(separator: "\t", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) }),
            let codeCol = header.firstIndex(of: "O*NET-SOC Code"), let nameCol = header.firstIndex(of: "Element Name"),
            let scaleCol = header.firstIndex(of: "Scale ID"), let valueCol = header.firstIndex(of: "Data Value")
        else {
            throw MatchworkError(.invalidValue, "'\(skillsPath)' lacks the O*NET-SOC Code, Element Name, Scale ID or Data Value column; use the O*NET Skills file.", field: "onet")
        }
        for line in lines.dropFirst() {
            let cols = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard cols.count > max(codeCol, nameCol, scaleCol, valueCol), let value = Double(cols[valueCol]) else { continue }
            let code = String(cols[codeCol]), skill = token(String(cols[nameCol]))
            skillNames.insert(skill)
            var entry = ratings[code, default: [:]][skill] ?? (0, 0)
            if cols[scaleCol] == "IM" { entry.0 = value } else if cols[scaleCol] == "LV" { entry.1 = value }
            ratings[code, default: [:]][skill] = entry
        }
        var occupations: [Occupation] = []
        for code in ratings.keys.sorted() {
            guard let title = titles[code] else { continue }
            let required = try ratings[code]!.filter { $0.value.0 >= importanceThreshold }.sorted { $0.key < $1.key }.map { (entry) throws(MatchworkError) in
                try SkillLevel(
                    skill: entry.key, level: min(SkillLevel.maximumLevel, entry.value.1.rounded(places: 2)),
                    importance: entry.value.0.rounded(places: 2).clamped(SkillLevel.importanceRange.lowerBound, SkillLevel.importanceRange.upperBound))
            }
            if !required.isEmpty { occupations.append(Occupation(code: code, title: title, skills: required)) }
        }
        guard !occupations.isEmpty else {
            throw MatchworkError(.invalidValue, "No occupation with skill ratings was found under '\(directory)'; check that it is the O*NET data directory.", field: "onet")
        }
        return OccupationCatalog(occupations: occupations, skills: skillNames.sorted(), attribution: try read(attributionPath))
    }

    /// `Active Listening` → `active_listening`.
    static func token(_ name: String) -> String {
        String(name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }
}
