import Foundation
import Testing

@Suite("matchwork recommend and backtest")
struct RecommendCLITests {
    @Test func recommendsWithReasonsInTextAndJSON() throws {
        let dir = Scratch()
        #expect(try dir.cli.run(["generate", "missions", "--size", "small", "--seed", "5", "--quiet"]).status == 0)
        // The first clinician with an eligible mission.
        var text = ""
        var person = ""
        for n in 1...40 {
            let result = try dir.cli.run(["recommend", "--person", "clinician-\(n)", "--count", "3", "--explain"])
            #expect(result.status == 0, "\(result.stderr)")
            if result.stdout.contains(" 1. mission-") {
                text = result.stdout
                person = "clinician-\(n)"
                break
            }
        }
        #expect(text.contains("Missions for \(person)"))
        #expect(text.contains("answered by rule_based + similarity"))
        #expect(text.contains("    - "), "reasons are listed")
        #expect(text.contains("rules: location"))

        let json = try dir.cli.run(["recommend", "--person", person, "--count", "3", "--json", "--mode", "rule_based"])
        #expect(json.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let items = try #require(object["items"] as? [[String: Any]])
        #expect(!items.isEmpty && items.count <= 3)
        #expect(object["answered_by"] as? [String] == ["rule_based"])
        #expect(object["answeredBy"] == nil)
        // The camelCase keys of earlier releases, for one release, with a notice.
        let legacy = try dir.cli.run(["recommend", "--person", person, "--count", "3", "--json", "--mode", "rule_based"], environment: ["MATCHWORK_CLI_JSON_KEYS": "camelCase"])
        let old = try #require(try JSONSerialization.jsonObject(with: Data(legacy.stdout.utf8)) as? [String: Any])
        #expect(old["answeredBy"] as? [String] == ["rule_based"])
        #expect(legacy.stderr.hasPrefix("notice: MATCHWORK_CLI_JSON_KEYS=camelCase prints the camelCase keys of earlier releases"))
        let first = try #require(items.first)
        let score = try #require(first["score"] as? Double)
        #expect(score > 0 && score <= 100)
        #expect((first["reasons"] as? [String])?.isEmpty == false)

        // People for one of the recommended missions.
        let mission = try #require(first["id"] as? String)
        let people = try dir.cli.run(["recommend", "--opportunity", mission, "--count", "2"])
        #expect(people.status == 0, "\(people.stderr)")
        #expect(people.stdout.contains("Clinicians for \(mission)"))

        let backtest = try dir.cli.run(["backtest", "--modes", "rule_based,popularity", "--json"])
        #expect(backtest.status == 0, "\(backtest.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(backtest.stdout.utf8)) as? [String: Any])
        // Two modes and the validation-tuned ensemble, in three directions.
        let rows = try #require(report["rows"] as? [[String: Any]])
        #expect(rows.count == 9)
        #expect(rows.filter { $0["mode"] as? String == "ensemble_tuned" }.count == 3)
        // Every count is named, and they add up to the subjects.
        for row in rows {
            let answered = try #require(row["answered_by"] as? [String: Int])
            #expect(!answered.keys.contains(""), "\(answered)")
            #expect(answered.values.reduce(0, +) == row["subjects"] as? Int)
        }
        // Tuning ran on the window just before the test window: [cut - horizon, cut).
        let cut = try #require(report["cut"] as? Int), horizon = try #require(report["horizon_days"] as? Int)
        #expect(report["validation_cut"] as? Int == cut - horizon * 86_400)
        #expect((report["validation_outcomes"] as? Int ?? 0) > 0)
    }

    @Test(arguments: [
        (["recommend", "--person", "nobody"], "error: person 'nobody' is not in the marketplace; check the id, or import the person first.\n"),
        (["recommend", "--person", "clinician-1", "--mode", "magic"], "error: --mode 'magic' is not a recommendation mode; use one of rule_based, similarity, neighbourhood, collaborative, popularity, neural, ensemble, ranked.\n"),
        (["recommend", "--person", "clinician-1", "--count", "0"], "error: count 0 must be between 1 and 1000.\n"),
        (["recommend", "--person", "clinician-1", "--filter", "service"], "error: --filter 'service' is not FACET=VALUES; write for example --filter service=emergency|surgery.\n"),
        (["recommend", "--person", "clinician-1", "--rule-weights", "pricing=0.9"], "error: job fit weights location 0.35 + pricing 0.9 + specialization 0.25 + availability 0.15 sum to 1.65; they must sum to 1. Adjust them by -0.65 in total.\n"),
        (["recommend", "--person", "hospital-1"], "error: person 'hospital-1' is a hospital: recommend people for one of their opportunities instead (--opportunity ID).\n"),
        (["recommend", "--person", "clinician-1", "--filter", "specialty=nurse|surgeon"], "error: filter specialty 'surgeon' is not in this scenario's vocabulary; use one of anesthetist_nurse, midwife, nurse, nursing_assistant, operating_room_nurse, pediatric_nurse, physician, physiotherapist.\n"),
        (["recommend", "--person", "clinician-1", "--ensemble-weights", "workers:rule_based=1"], "error: --ensemble-weights: 'workers' is not a list to weigh; use opportunities, people or applicants before the colon, or leave it out for all three.\n"),
    ])
    func badInputIsExplained(arguments: [String], message: String) throws {
        let dir = Scratch()
        #expect(try dir.cli.run(["generate", "missions", "--size", "tiny", "--quiet"]).status == 0)
        let result = try dir.cli.run(arguments)
        #expect(result.status == 1)
        #expect(result.stderr == message)
        #expect(result.stdout.isEmpty)
    }

    @Test func exactlyOneSubjectIsRequired() throws {
        let dir = Scratch()
        let result = try dir.cli.run(["recommend", "--person", "a", "--opportunity", "b"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("Give exactly one of --person ID or --opportunity ID."))
    }
}
