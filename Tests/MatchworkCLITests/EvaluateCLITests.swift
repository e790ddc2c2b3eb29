import Foundation
import Testing

@Suite("matchwork evaluate")
struct EvaluateCLITests {
    /// Users in 4 blocks of 10 items; split temporally by `matchwork split`.
    func splitFiles(_ dir: Scratch) throws {
        var text = "user,item,rating,timestamp\n"
        for u in 0..<80 { for k in 0..<8 { text += "u\(u),i\((u % 4) * 10 + (u + k * 3) % 10),1,\(1_000 + k)\n" } }
        dir.write("all.csv", text)
        #expect(try dir.cli.run(["split", "--input", "all.csv", "--method", "temporal", "--out", "s", "--quiet"]).status == 0)
    }

    @Test("Prints the contract's JSON object on stdout")
    func contractJSON() throws {
        let dir = Scratch()
        try splitFiles(dir)
        let result = try dir.cli.run(["evaluate", "--train", "s/train.csv", "--test", "s/test.csv", "--task", "ranking", "--model", "als", "--param", "factors=8", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["model", "task", "k", "params", "threads", "users_evaluated", "metrics", "fit_seconds", "recommend_ms_per_user"])
        #expect(object["model"] as? String == "als" && object["k"] as? Int == 10)
        #expect(object["params"] as? [String: String] == ["factors": "8"])
        #expect(object["users_evaluated"] as? Int == 80)
        let metrics = try #require(object["metrics"] as? [String: Double])
        #expect(Set(metrics.keys) == ["precision@10", "recall@10", "ndcg@10", "map@10", "hitrate@10", "coverage@10"])
        #expect((metrics["hitrate@10"] ?? 0) > 0.5)
    }

    @Test(arguments: [
        (["--model", "magic"], "error: --model 'magic' does not rank; use one of popularity, item-knn, ease, als, bpr.\n"),
        (["--model", "als", "--param", "factor=8"], "error: unknown parameter 'factor' for model als; its parameters are alpha, cg_steps, factors, iterations, regularization, seed.\n"),
        (["--model", "als", "--param", "factors=eight"], "error: parameter factors='eight' is not an integer.\n"),
        (["--model", "als", "--param", "factors=0"], "error: factors 0 must be between 1 and 1024.\n"),
    ])
    func badArgumentsAreNamed(extra: [String], message: String) throws {
        let dir = Scratch()
        try splitFiles(dir)
        let result = try dir.cli.run(["evaluate", "--train", "s/train.csv", "--test", "s/test.csv", "--task", "ranking"] + extra)
        #expect(result.status == 1)
        #expect(result.stderr == message)
        #expect(result.stdout.isEmpty)
    }
}
