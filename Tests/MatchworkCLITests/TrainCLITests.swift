import Foundation
import Testing

@Suite("matchwork train, models, refresh")
struct TrainCLITests {
    @Test func trainsListsPinsAndFallsBackWhenTheModelIsCorrupted() throws {
        let dir = Scratch()
        #expect(try dir.cli.run(["generate", "cleaning", "--size", "small", "--seed", "3", "--quiet"]).status == 0)
        let small = ["--param", "embedding_width=8", "--param", "epochs=4", "--param", "windows=3"]

        // Before training: neural mode falls back to rule_based and says so (for the first
        // cleaner with an eligible job).
        var cleaner = ""
        for n in 1...30 {
            let before = try dir.cli.run(["recommend", "--person", "cleaner-\(n)", "--mode", "neural"])
            #expect(before.status == 0, "\(before.stderr)")
            if before.stdout.contains(" 1. job-") {
                #expect(before.stdout.contains("answered by rule_based;"))
                #expect(before.stdout.contains("(neural could not answer: no trained model is loaded; run `matchwork train --model neural`"))
                cleaner = "cleaner-\(n)"
                break
            }
        }
        #expect(!cleaner.isEmpty)

        let trained = try dir.cli.run(["train", "--model", "neural"] + small)
        #expect(trained.status == 0, "\(trained.stderr)")
        #expect(trained.stdout.contains("Trained neural-000001"))
        #expect(trained.stdout.contains("collaborative part alone"))
        #expect(dir.exists("matchwork.sqlite.models/neural-000001.mwm"))
        let metadata = try #require(try JSONSerialization.jsonObject(with: Data(dir.read("matchwork.sqlite.models/neural-000001.json").utf8)) as? [String: Any])
        for key in ["version", "createdAt", "data", "hyperParameters", "metrics", "alpha", "idMaps", "sha256"] { #expect(metadata[key] != nil, "metadata has \(key)") }

        let refreshed = try dir.cli.run(["refresh"] + small)
        #expect(refreshed.status == 0, "\(refreshed.stderr)")
        #expect(refreshed.stdout.contains("Rebuilt derived data"))
        #expect(refreshed.stdout.contains("Trained neural-000002"))
        #expect(try dir.cli.run(["models"]).stdout.contains("neural-000002  ") )
        #expect(try dir.cli.run(["models"]).stdout.contains("* serving"))

        // A corrupted newest version: refused with a note, the previous one serves.
        let newest = URL(fileURLWithPath: dir.file("matchwork.sqlite.models/neural-000002.mwm"))
        var bytes = try Data(contentsOf: newest)
        bytes[100] ^= 0x01
        try bytes.write(to: newest)
        let listing = try dir.cli.run(["models"])
        #expect(listing.stdout.contains("neural-000002  REFUSED: model neural-000002: the artifact's SHA-256 differs"))
        let ranked = try dir.cli.run(["recommend", "--person", cleaner, "--mode", "neural"])
        #expect(ranked.status == 0, "\(ranked.stderr)")
        #expect(ranked.stderr.contains("note: model neural-000002 was refused"))
        #expect(ranked.stderr.contains("neural-000001 serves instead"))
        #expect(ranked.stdout.contains("answered by neural (model neural-000001)"))

        // Pinning: a refused version is not pinned; a good one is.
        let badPin = try dir.cli.run(["models", "use", "neural-000002"])
        #expect(badPin.status == 1)
        #expect(badPin.stderr.hasPrefix("error: model neural-000002: the artifact's SHA-256 differs"))
        #expect(try dir.cli.run(["models", "use", "neural-000001"]).status == 0)
        #expect(try dir.cli.run(["models"]).stdout.contains("* serving (pinned)"))

        // Bad input is named.
        let badParam = try dir.cli.run(["train", "--param", "epochs=zero"])
        #expect(badParam.status == 1)
        #expect(badParam.stderr == "error: parameter epochs='zero' is not an integer.\n")
        let badModel = try dir.cli.run(["train", "--model", "svd"])
        #expect(badModel.stderr.hasPrefix("error: --model 'svd' cannot be trained into the registry; use neural"))
        let badShare = try dir.cli.run(["recommend", "--person", "cleaner-1", "--learned-share", "2"])
        #expect(badShare.stderr == "error: learned share 2.0 must be between 0 and 1 (0 leaves the trained model out of the ensemble).\n")
    }
}
