@testable import MatchworkCore
import Testing

/// The numbers explanations print (issue 21, items 4 and 22).
@Suite("Explanation wording")
struct ExplainerWordingTests {
    @Test("An ask is compared with the offer in both directions, as a share of the offer", arguments: [
        (4.05, "Asks 75% less than the job offers"),
        (1.25, "Asks 20% less than the job offers"),
        (1.0, "Asks what the job pays"),
        (1.002, "Asks what the job pays"),
        (0.8, "Asks 25% more than the job offers"),
        (0.5, "Asks 100% more than the job offers"),
        (0.246, "Asks 307% more than the job offers"),
        (0.0, "Asks a price that cannot be compared with what the job offers"),
        (Double.nan, "Asks a price that cannot be compared with what the job offers"),
        (Double.infinity, "Asks a price that cannot be compared with what the job offers"),
    ])
    func ask(ratio: Double, phrase: String) {
        #expect(QueryState.askPhrase(ratio: ratio, opportunity: "job") == phrase)
    }

    @Test("No printed number can trap, whatever a model's weights give", arguments: [
        (3e38, 1_000_000_000_000_000), (-3e38, -1_000_000_000_000_000), (Double.nan, 0), (Double.infinity, 0), (-Double.infinity, 0), (2.5, 3), (-2.5, -3), (0.49, 0),
    ])
    func whole(value: Double, expected: Int) {
        #expect(QueryState.whole(value) == expected)
    }

    @Test("Tenths keep their sign and never trap")
    func tenths() {
        #expect(QueryState.one(3.25) == "3.3")
        #expect(QueryState.one(-0.5) == "-0.5")
        #expect(QueryState.one(-12.34) == "-12.3")
        #expect(QueryState.one(.nan) == "0.0")
        #expect(QueryState.amount(3e38) == "1000000000000000")
    }
}
