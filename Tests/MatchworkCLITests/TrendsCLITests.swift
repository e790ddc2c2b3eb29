import Foundation
import Testing

/// `matchwork trends forecast`, `trends analyze` and `trends export` on a learning store and on imported
/// postings (issue 23).
@Suite("matchwork trends")
struct TrendsCLITests {
    /// A tiny learning store whose history ends on a fixed day.
    static func learningStore(_ dir: Scratch) throws {
        let generated = try dir.cli.run([
            "generate", "learning", "--size", "tiny", "--seed", "5", "--end", "2026-01-01", "--store", "l.sqlite", "--onet", sharedData + "/onet", "--quiet",
        ])
        #expect(generated.status == 0, "\(generated.stderr)")
    }

    @Test("forecast and analyze on a generated learning store: growth in words, month by month, JSON per skill")
    func learning() throws {
        let dir = Scratch()
        try Self.learningStore(dir)
        let analyzed = try dir.cli.run(["trends", "analyze", "--store", "l.sqlite", "--json", "--threads", "2"])
        #expect(analyzed.status == 0, "\(analyzed.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(analyzed.stdout.utf8)) as? [String: Any])
        let trends = try #require(object["trends"] as? [[String: Any]])
        #expect(trends.count >= 5 && object["horizon"] as? Int == 12 && object["method"] as? String == "count-trend")
        // Ranked by growth, highest first.
        let growths = trends.compactMap { ($0["growth"] as? [String: Any])?["mean"] as? Double }
        #expect(growths == growths.sorted(by: >) && growths.count == trends.count)
        let first = try #require(trends.first?["key"] as? String)

        let text = try dir.cli.run(["trends", "forecast", "--store", "l.sqlite", "--skill", first, "--horizon", "6", "--level", "80"])
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n").map(String.init)
        let label = try #require(trends.first?["label"] as? String)
        #expect(lines[0].hasPrefix("\(label): demand ") && lines[0].contains("(80% interval ") && lines[0].contains(" over the next 6 months; "))
        #expect(lines[1].hasPrefix("history: ") && lines[1].contains(" postings over ") && lines[1].contains("the last 12 months had "))
        #expect(lines[2].hasPrefix("month") && lines[2].contains("80% interval") && !lines[2].contains("95%"))
        #expect(lines.count == 3 + 6 + 1 && lines[9].hasPrefix("total"))
        // The month after the history's last whole one.
        let months = try #require(object["months"] as? [String])
        #expect(lines[3].hasPrefix(try #require(monthAfter(months.last)) + " "))

        let json = try dir.cli.run(["trends", "forecast", "--store", "l.sqlite", "--skill", first, "--json"])
        let trend = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(trend["kind"] as? String == "skill" && trend["key"] as? String == first && trend["summary"] is String && trend["model"] is String)
        let steps = try #require(trend["forecast"] as? [[String: Any]])
        #expect(steps.count == 12 && (steps[0]["lower"] as? [String: Double])?.keys.sorted() == ["80", "95"])
        let total = try #require(trend["total"] as? [String: Any])
        let lower = try #require((total["lower"] as? [String: Double])?["80"]), upper = try #require((total["upper"] as? [String: Double])?["80"])
        let mean = try #require(total["mean"] as? Double)
        #expect(lower < mean && mean < upper)

        let top = try dir.cli.run(["trends", "analyze", "--store", "l.sqlite", "--top", "2"])
        let rows = top.stdout.split(separator: "\n").map(String.init)
        #expect(rows[1] == "Fastest rising:" && rows[4] == "Lowest growth:" && rows.count == 7, "\(top.stdout)")
        let occupations = try dir.cli.run(["trends", "analyze", "--store", "l.sqlite", "--by", "occupation", "--top", "1"])
        #expect(occupations.status == 0 && occupations.stdout.contains("values of occupation from "), "\(occupations.stderr)")
        // Export keeps the O*NET attribution beside the series.
        let exported = try dir.cli.run(["trends", "export", "--store", "l.sqlite", "--out", "skills.csv"])
        #expect(exported.status == 0 && exported.stdout.contains("; attribution in skills.csv.ATTRIBUTION.md)"), "\(exported.stdout)\(exported.stderr)")
        #expect(dir.read("skills.csv.ATTRIBUTION.md").contains("O*NET"))
        #expect(dir.read("skills.csv").split(separator: "\n").count == 1 + trends.count * months.count)
    }

    /// `2025-11` → `2025-12`.
    func monthAfter(_ month: String?) -> String? {
        guard let month, let year = Int(month.prefix(4)), let m = Int(month.suffix(2)) else { return nil }
        return m == 12 ? "\(year + 1)-01" : String(format: "%04d-%02d", year, m + 1)
    }

    @Test("refusals name the value and what to do")
    func refusals() throws {
        let dir = Scratch()
        try Self.learningStore(dir)
        let cases: [([String], String)] = [
            (["trends", "forecast", "--store", "l.sqlite", "--skill", "programming", "--horizon", "0"], "error: --horizon 0 is out of range; give the months to forecast, 1 to 60.\n"),
            (["trends", "forecast", "--store", "l.sqlite", "--skill", "programming", "--level", "100"], "error: --level '100' is not a percentage between 0 and 100 (exclusive); write for example --level 80,95.\n"),
            (["trends", "forecast", "--store", "l.sqlite", "--facet", "service"], "error: --facet 'service' is not NAME=VALUE; write for example --facet service=deep_clean.\n"),
            (["trends", "analyze", "--store", "l.sqlite", "--top", "0"], "error: --top 0 is out of range; give 1 to 1000.\n"),
            (["trends", "analyze", "--store", "l.sqlite", "--skills", "writing", "--by", "occupation"], "error: --skills lists skills, so --by must be skill (it is 'occupation').\n"),
        ]
        for (arguments, message) in cases {
            let result = try dir.cli.run(arguments)
            #expect(result.status == 1 && result.stderr == message, "\(arguments): \(result.stderr)")
        }
        let unknown = try dir.cli.run(["trends", "forecast", "--store", "l.sqlite", "--skill", "writting"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.hasPrefix("error: --skill 'writting' has no demand: no dated posting asks for it. The postings ask for "))
        #expect(unknown.stderr.contains("; the nearest are writing, "))
        let both = try dir.cli.run(["trends", "forecast", "--store", "l.sqlite", "--skill", "writing", "--occupation", "15-1252.00"])
        #expect(both.status != 0 && both.stderr.contains("Give one of --skill, --occupation or --facet (2 given)."))
        let facet = try dir.cli.run(["trends", "analyze", "--store", "l.sqlite", "--by", "service"])
        #expect(facet.status == 1 && facet.stderr.hasPrefix("error: --by 'service': no dated posting requires a value of service ("))
    }

    @Test("imported postings with skills make the series; a course asking for skills is refused at its line")
    func imported() throws {
        let dir = Scratch()
        var rows = ["id,kind,starts_at,ends_at,required,skills"]
        for month in 1...24 {
            let date = String(format: "%04d-%02d-%02d", 2024 + (month - 1) / 12, (month - 1) % 12 + 1, 14)
            for k in 0..<(10 + month) { rows.append("p\(month)-\(k),posting,\(date),\(date),occupation=15-1252.00,programming=\(k % 2 == 0 ? 4 : 5);writing=2") }
        }
        // Whole first and last months: one posting on the 1st of the first, one on the 28th of the last.
        rows.append("first,posting,2024-01-01,2024-01-01,,writing=1")
        rows.append("last,posting,2025-12-28,2025-12-28,,writing=1")
        dir.write("postings.csv", rows.joined(separator: "\n") + "\n")
        let imported = try dir.cli.run(["import", "--store", "s.sqlite", "--opportunities", "postings.csv"])
        #expect(imported.status == 0, "\(imported.stderr)")
        let result = try dir.cli.run(["trends", "forecast", "--store", "s.sqlite", "--skill", "programming", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let trend = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        // 11 to 34 postings a month, growing by one a month: the next year is well up on the last
        // (42% if the growth stays linear, more as the log-linear trend extrapolates it).
        let growth = try #require((trend["growth"] as? [String: Any])?["mean"] as? Double)
        #expect(growth > 0.3 && growth < 0.8, "\(trend)")
        #expect(trend["recent_opportunities"] as? Int == (13...24).reduce(0) { $0 + 10 + $1 })
        let occupation = try dir.cli.run(["trends", "forecast", "--store", "s.sqlite", "--occupation", "15-1252.00"])
        #expect(occupation.stdout.hasPrefix("occupation 15-1252.00: demand up "), "\(occupation.stdout)\(occupation.stderr)")
        // The series as a forecast file: programming adds 4 or 5 per posting, the occupation counts.
        let series = try dir.cli.run(["trends", "export", "--store", "s.sqlite", "--skills", "programming", "--out", "p.csv"])
        #expect(series.status == 0 && series.stdout == "p.csv: 1 series of 542 postings over 24 months (2024-01 to 2025-12) (forecast with --season 12)\n", "\(series.stdout)\(series.stderr)")
        let expected = (1...24).map { month in
            let n = 10 + month
            return String(format: "programming,%04d-%02d-01,%d", 2024 + (month - 1) / 12, (month - 1) % 12 + 1, 4 * ((n + 1) / 2) + 5 * (n / 2))
        }
        #expect(dir.read("p.csv") == (["series_id,date,value"] + expected).joined(separator: "\n") + "\n")
        let occupations = try dir.cli.run(["trends", "export", "--store", "s.sqlite", "--by", "occupation", "--out", "o.csv"])
        #expect(occupations.status == 0, "\(occupations.stderr)")
        #expect(dir.read("o.csv").split(separator: "\n")[1] == "occupation=15-1252.00,2024-01-01,11")
        let forecast = try dir.cli.run(["forecast", "--input", "o.csv", "--horizon", "3", "--season", "12", "--holdout"])
        #expect(forecast.status == 0 && forecast.stdout.contains("mean sMAPE "), "\(forecast.stderr)")
        let noFacet = try dir.cli.run(["trends", "export", "--store", "s.sqlite", "--by", "service", "--out", "x.csv"])
        #expect(noFacet.status == 1 && noFacet.stderr.hasPrefix("error: --by 'service': no dated posting requires a value of service ("), "\(noFacet.stderr)")
        let exported = try dir.cli.run(["export", "--store", "s.sqlite", "--out", "out"])
        #expect(exported.status == 0 && dir.read("out/opportunities.csv").contains("programming=4;writing=2"))

        dir.write("course.csv", "id,kind,skills\nc1,course,programming=3\n")
        let refused = try dir.cli.run(["import", "--store", "s.sqlite", "--opportunities", "course.csv"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("opportunity 'c1' is a course but lists the skills it asks for; a course lists what it teaches and its prerequisites instead."), "\(refused.stderr)")
    }
}
