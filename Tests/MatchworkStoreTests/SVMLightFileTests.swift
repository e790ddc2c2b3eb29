import Foundation
import MatchworkCore
import MatchworkStore
import Testing

/// svmlight/LETOR files for `evaluate --task ltr` (issue 25).
@Suite("svmlight/LETOR files")
struct SVMLightFileTests {
    @Test("groups from qid runs, comments and CRLF, absent features 0, dense rows of the shared width")
    func readsQidGroups() throws {
        let dir = TemporaryDirectory()
        let path = dir.write("train.txt", "2 qid:7 1:0.5 3:2 # a comment\r\n0 qid:7 2:1\r\n\n1 qid:9 0:4\r\n")
        let file = try SVMLightFile.read(path)
        #expect(file.labels == [2, 0, 1] && file.groups == [2, 1] && file.maxIndex == 3)
        let data = try file.boostingData(columns: 5)
        #expect(data.values == [0, 0.5, 0, 2, 0, 0, 0, 1, 0, 0, 4, 0, 0, 0, 0])
        #expect(data.groups == [2, 1])
    }

    @Test("without qid, the group sizes come from FILE.query")
    func readsQueryFile() throws {
        let dir = TemporaryDirectory()
        let path = dir.write("rank.train", "1 1:1\n0 1:2\n3 2:1\n")
        dir.write("rank.train.query", "2\n1\n")
        #expect(try SVMLightFile.read(path).groups == [2, 1])
        dir.write("rank.train.query", "2\n2\n")
        #expect(throws: StoreError.self) { try SVMLightFile.read(path) }
    }

    @Test("refusals name the file, the line and the token")
    func refusals() throws {
        let dir = TemporaryDirectory()
        func message(_ text: String) -> String {
            let path = dir.write("bad.txt", text)
            do { _ = try SVMLightFile.read(path) } catch { return error.message }
            return "accepted"
        }
        #expect(message("1 qid:1 1:0.5\n0 qid:1 x:1\n").hasPrefix("bad.txt, line 2: 'x:1' is not index:value"))
        #expect(message("high qid:1 1:1\n").hasPrefix("bad.txt, line 1: label 'high' is not a relevance grade"))
        #expect(message("1 qid:1 3:1 2:1\n").contains("feature 2 comes after 3"))
        #expect(message("1 qid:1 1:1\n0 1:1\n").contains("1 of 2 lines give qid:"))
        #expect(message("1 1:1\n").contains("has no bad.txt.query beside it"))
        #expect(message("\n# nothing\n").contains("holds no document"))
    }

    @Test("graded NDCG: gain 2^label − 1, ties in file order, a query without relevant documents scores 1")
    func gradedNDCG() {
        // Scores tie: file order [1, 0, 2] against the ideal [2, 1, 0].
        let tied = RankingMetrics.gradedNDCG(scores: [0.5, 0.5, 0.5], labels: [1, 0, 2], k: 3)
        let dcg = 1 / Double.log2(2) + 3 / Double.log2(4), ideal = 3 / Double.log2(2) + 1 / Double.log2(3)
        #expect(abs(tied - dcg / ideal) < 1e-12)
        #expect(RankingMetrics.gradedNDCG(scores: [0.1, 0.9, 0.5], labels: [1, 0, 2], k: 1) == 0)
        #expect(RankingMetrics.gradedNDCG(scores: [0.1, 0.9], labels: [0, 0], k: 10) == 1)
        #expect(RankingMetrics.gradedNDCG(scores: [3, 2, 1], labels: [2, 1, 0], k: 10) == 1)
    }
}
