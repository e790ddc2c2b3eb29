import Foundation
import Testing

@Suite("matchwork forecast and convert labour")
struct ForecastCLITests {
    /// Two monthly series, rows shuffled: a seasonal one and a trending one, 5 years each.
    static func panel() -> String {
        var rows: [String] = []
        for t in 0..<60 {
            let date = String(format: "%04d-%02d-01", 2019 + t / 12, t % 12 + 1)
            let season = [0.9, 0.85, 0.95, 1.0, 1.05, 1.1, 1.15, 1.1, 1.0, 0.98, 0.95, 0.97][t % 12]
            rows.append("seasonal,\(date),\(String(format: "%.1f", (400 + 2 * Double(t)) * season + Double((t * 37) % 7)))")
            rows.append("trend,\(date),\(100 + 3 * t + (t * 13) % 5)")
        }
        return "series_id,date,value\n" + rows.reversed().joined(separator: "\n") + "\n"
    }

    @Test("--holdout --json follows the contract: one object, a forecast and intervals per series, the metrics")
    func holdoutJSON() throws {
        let dir = Scratch()
        dir.write("panel.csv", Self.panel())
        let result = try dir.cli.run(["forecast", "--input", "panel.csv", "--horizon", "6", "--season", "12", "--holdout", "--json", "--level", "80,95"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["method"] as? String == "auto")
        #expect(object["horizon"] as? Int == 6 && object["season"] as? Int == 12)
        let series = try #require(object["series"] as? [[String: Any]])
        // Series come in the order of their first row.
        #expect(series.map { $0["series_id"] as? String } == ["trend", "seasonal"])
        for s in series {
            #expect((s["forecast"] as? [Double])?.count == 6)
            #expect(((s["lower"] as? [String: [Double]])?["80"])?.count == 6)
            #expect(((s["upper"] as? [String: [Double]])?["95"])?.count == 6)
            #expect((s["smape"] as? Double).map { $0 < 5 } == true, "\(s)")
            #expect(s["mase"] is Double && s["fit_seconds"] is Double && s["model"] is String)
        }
        let metrics = try #require(object["metrics"] as? [String: Any])
        #expect(metrics["smape"] is Double && metrics["mase"] is Double && metrics["median_mase"] is Double)
    }

    @Test("A one-series file forecasts without --holdout and names the series 'series'")
    func oneSeries() throws {
        let dir = Scratch()
        dir.write("one.csv", "date,value\n" + (1...30).map { "\($0),\(10 + $0)" }.joined(separator: "\n") + "\n")
        let result = try dir.cli.run(["forecast", "--input", "one.csv", "--horizon", "3", "--season", "1", "--method", "ets", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let series = try #require((object["series"] as? [[String: Any]])?.first)
        #expect(series["series_id"] as? String == "series")
        #expect(series["smape"] == nil && object["metrics"] == nil)
        let forecast = try #require(series["forecast"] as? [Double])
        #expect(abs(forecast[0] - 41) < 1, "\(forecast)")
    }

    @Test(arguments: [
        ("date,value\n2024-01-01,5\n2024-02-01,x\n", "error: in.csv, line 3: column value: 'x' is not a number; write a plain decimal such as 1520 or 3.75 (0 for a period with no demand).\n"),
        ("date,value\n2024-01-01,5\n2024-03-01,6\n2024-02-01,7\n2024-01-01,8\n", "error: in.csv, line 5, column date: '2024-01-01' repeats the date on line 2; keep one row per period.\n"),
        ("date,value\n2024-01-01,5\n2024-02-01,6\n2024-05-01,7\n", "error: in.csv, line 4, column date: '2024-05-01': 2 months are missing between '2024-02-01' (line 3) and it; write a row for every month (0 where nothing happened).\n"),
        ("series_id,date,value\na,1,5\na,2,6\nb,1,1\nb,3,2\nb,4,2\n", "error: in.csv, line 5, column date: '3' of series 'b': 1 period is missing between '1' (line 4) and it; write a row for every period (0 where nothing happened).\n"),
        ("date,value\n2024-13-01,5\n", "error: in.csv, line 2: column date: '2024-13-01' is not a date; write an ISO 8601 day (2024-03-01) or an integer period (1, 2, 3…).\n"),
        ("when,value\n1,5\n", "error: in.csv, line 1: the header is 'when,value'; it must be date,value or series_id,date,value.\n"),
        ("date,value\n", "error: in.csv has a header but no rows; add one row per period.\n"),
    ])
    func badFilesAreNamed(text: String, message: String) throws {
        let dir = Scratch()
        dir.write("in.csv", text)
        let result = try dir.cli.run(["forecast", "--input", "in.csv", "--horizon", "2", "--season", "12"])
        #expect(result.status == 1)
        #expect(result.stderr == message)
    }

    @Test(arguments: [
        (["--horizon", "0", "--season", "12"], "error: --horizon 0 is out of range; give the number of steps to forecast, 1 to 10000.\n"),
        (["--horizon", "3", "--season", "0"], "error: --season 0 is out of range; give the season length (12 for monthly data, 1 for none), 1 to 1000.\n"),
        (["--horizon", "3", "--season", "12", "--method", "prophet"], "error: --method 'prophet' is not a forecasting method; use one of auto, ets, theta, combination, holt-winters, snaive, count-trend.\n"),
        (["--horizon", "3", "--season", "12", "--level", "80,100"], "error: --level '100' is not a percentage between 0 and 100 (exclusive); write for example --level 80,95.\n"),
        (["--horizon", "30", "--season", "12", "--holdout"], "error: series 'series' has 10 points; --holdout with --horizon 30 needs more than 30 (lower --horizon or drop the series).\n"),
    ])
    func badOptionsAreNamed(options: [String], message: String) throws {
        let dir = Scratch()
        dir.write("in.csv", "date,value\n" + (1...10).map { "\($0),\($0)" }.joined(separator: "\n") + "\n")
        let result = try dir.cli.run(["forecast", "--input", "in.csv"] + options)
        #expect(result.status == 1)
        #expect(result.stderr == message)
    }

    @Test("convert labour writes the 148 CES series with their attribution")
    func convertLabour() throws {
        let dir = Scratch()
        let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/data/labour_demand_ts").standardized.path
        let result = try dir.cli.run(["convert", "labour", "--data", data, "--out", "ces.csv"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "ces.csv: 148 series, 72,339 points (forecast with --season 12; attribution in ces.csv.ATTRIBUTION.md)\n")
        let text = dir.read("ces.csv")
        #expect(text.hasPrefix("series_id,date,value\nCEU0500000001,1939-01-01,25338\n"))
        #expect(dir.read("ces.csv.ATTRIBUTION.md").contains("Bureau of Labor Statistics"))
        let jolts = try dir.cli.run(["convert", "labour", "--data", data, "--series", "jolts", "--out", "jolts.csv"])
        #expect(jolts.stdout == "jolts.csv: 1 series, 306 points (forecast with --season 12; attribution in jolts.csv.ATTRIBUTION.md)\n")
        let bad = try dir.cli.run(["convert", "labour", "--data", data, "--series", "weekly", "--out", "x.csv"])
        #expect(bad.stderr == "error: --series 'weekly' is not one of the labour files; use ces, jolts or cps.\n")
    }
}
