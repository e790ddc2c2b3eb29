import Foundation
import Testing

/// The text `recommend --explain` and `models` print, compared whole with the files under
/// `Tests/MatchworkCLITests/Golden/`: a change to ranking, reasons or layout shows up as a diff to
/// review. After an intended change, re-record them with
///
///     MATCHWORK_RECORD_GOLDEN=1 swift test --filter GoldenOutputTests
///
/// and commit the files with the change. What varies from run to run (the scratch directory,
/// training dates and times) is masked before comparing.
@Suite("Golden output of recommend --explain and models")
struct GoldenOutputTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    static let recording = ProcessInfo.processInfo.environment["MATCHWORK_RECORD_GOLDEN"] == "1"

    /// Compares `text` with the golden file `name`, or records it when asked to.
    static func check(_ text: String, against name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = directory.appendingPathComponent(name)
        if recording {
            try text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let golden = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("Golden file \(name) is missing; record it with MATCHWORK_RECORD_GOLDEN=1 swift test --filter GoldenOutputTests", sourceLocation: sourceLocation)
            return
        }
        let got = bidsMasked(text).split(separator: "\n", omittingEmptySubsequences: false)
        let want = bidsMasked(golden).split(separator: "\n", omittingEmptySubsequences: false)
        if let line = zip(got, want).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            Issue.record("\(name), line \(line + 1):\n  got:  \(got[line])\n  want: \(want[line])\n(re-record with MATCHWORK_RECORD_GOLDEN=1 after an intended change)", sourceLocation: sourceLocation)
        } else if got.count != want.count {
            Issue.record("\(name): \(got.count) lines, the golden file has \(want.count)", sourceLocation: sourceLocation)
        }
    }

    /// `text` with the bid head's figures masked, after checking that each suggested bid lies in
    /// its sensible range, and ALS's held-out figures masked. The bid head (a small MLP on the
    /// pinball loss) and ALS (OpenBLAS) land on different last bits on different CPUs (an AMD
    /// EPYC and the machine that recorded the files disagree in the second decimal), so those
    /// figures are checked by invariants, not by value.
    static func bidsMasked(_ text: String) -> String {
        let bid = try! Regex(#"suggested bid ([\d.]+) \(sensible range ([\d.]+) to ([\d.]+)\)"#)
        for match in text.matches(of: bid) {
            let values = (1...3).compactMap { match.output[$0].substring.flatMap { Double($0) } }
            #expect(values.count == 3 && values[1] <= values[0] && values[0] <= values[2], "\(text[match.range])")
        }
        var out = text.replacing(bid, with: "suggested bid <bid>")
        out = out.replacing(try! Regex(#"bid coverage [\d.]+% winning bid inside [\d.]+%"#), with: "bid coverage <share> winning bid inside <share>")
        // ALS's held-out figures come out of OpenBLAS, whose kernels differ by CPU family.
        out = out.replacing(try! Regex(#"held out: precision@10 [\d.]+ NDCG@10 [\d.]+ hit@3 [\d.]+%"#), with: "held out: precision@10 <p> NDCG@10 <n> hit@3 <h>")
        return out
    }

    /// `text` with the scratch directory, ISO 8601 times and training seconds masked.
    static func masked(_ text: String, scratch: String) -> String {
        var out = text.replacingOccurrences(of: scratch, with: "<scratch>")
        out = out.replacingOccurrences(of: #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"#, with: "<time>", options: .regularExpression)
        out = out.replacingOccurrences(of: #"pairs, \d+(\.\d+)? s"#, with: "pairs, <seconds> s", options: .regularExpression)
        return out
    }

    @Test("recommend --explain and models print what the golden files hold, for a cleaner and a job of a small cleaning marketplace with trained ALS and neural models")
    func explainAndModels() throws {
        let dir = Scratch()
        #expect(try dir.cli.run(["generate", "cleaning", "--size", "small", "--seed", "42", "--quiet"]).status == 0)
        for model in ["als", "neural"] {
            let trained = try dir.cli.run(["train", "--model", model, "--quiet"])
            #expect(trained.status == 0, "\(trained.stderr)")
        }
        for (arguments, name) in [
            (["recommend", "--person", "cleaner-15", "--count", "3", "--explain"], "recommend-person-explain.txt"),
            (["recommend", "--opportunity", "job-989", "--count", "3", "--explain"], "recommend-opportunity-explain.txt"),
            (["recommend", "--person", "cleaner-15", "--count", "3", "--mode", "collaborative", "--explain"], "recommend-collaborative-explain.txt"),
            (["recommend", "--opportunity", "job-989", "--count", "3", "--mode", "neural", "--explain"], "recommend-neural-explain.txt"),
            (["models"], "models.txt"),
        ] {
            let result = try dir.cli.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            try Self.check(Self.masked(result.stdout, scratch: dir.path), against: name)
        }
    }
}
