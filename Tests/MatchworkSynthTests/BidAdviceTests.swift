@testable import MatchworkCore
import MatchworkSynth
import Testing

/// Bid advice (issue 25): a job's bidders ranked again with a cleaner's bid changed, the
/// ranker's calibrated choice probabilities, the amount that maximises expected earnings, and
/// refusals that say what to do.
@Suite("Bid advice")
struct BidAdviceTests {
    /// The small cleaning marketplace with a ranker trained on it.
    static let trained = Result { () throws -> (Marketplace, RecommendationEngine) in
        let m = try CleaningMarketplace(seed: 42, size: .small).generate()
        let result = try RankerTraining.train(
            people: m.people, opportunities: m.opportunities, interactions: m.interactions, scenario: .cleaning, configuration: RankerTests.configuration())
        let snapshot = try MarketplaceSnapshot(people: m.people, opportunities: m.opportunities, interactions: m.interactions, scenario: .cleaning)
        return (m, try RecommendationEngine(snapshot: snapshot).with(ranker: result.model))
    }

    /// Open jobs with two bids or more, and their bidders.
    static func biddedJobs(_ m: Marketplace) -> [(job: OpportunityID, bidders: [PersonID])] {
        m.opportunities.filter { $0.status == .open }.compactMap { o in
            var bidders: [PersonID] = []
            for e in m.interactions where e.opportunity == o.id && e.type == .bid && !bidders.contains(e.person) { bidders.append(e.person) }
            return bidders.count >= 2 ? (o.id, bidders) : nil
        }
    }

    @Test("At each bidder's own bid the advice gives their place in the ranked list, and their hire probabilities add up to the free slots")
    func consistentWithTheRankedList() throws {
        let (m, engine) = try Self.trained.get()
        let scale = try #require(engine.ranker?.stage(for: .applicants)?.choiceScale)
        #expect(scale > 0 && scale < 50)
        var checked = 0
        for (job, _) in Self.biddedJobs(m).prefix(6) {
            let list = try engine.recommend(RecommendationRequest(.opportunity(job), count: 50, mode: .ranked, pool: .applicants, explain: false))
            guard list.items.count >= 2, list.answeredBy == ["ranked"] else { continue }
            var total = 0.0
            for (k, item) in list.items.enumerated() {
                let advice = try engine.adviseBid(BidAdviceRequest(person: PersonID(item.id), opportunity: job))
                let current = try #require(advice.outlooks.first { $0.tags.contains("current bid") }, "\(item.id) on \(job.rawValue)")
                #expect(current.amount == advice.inputs.currentBid)
                #expect(current.bids == list.items.count)
                // Ties share the better place.
                let tiedAhead = list.items.prefix(k).count { $0.score == item.score }
                #expect(current.rank == k + 1 - tiedAhead, "\(item.id) on \(job.rawValue): place \(current.rank), listed \(k + 1)")
                total += try #require(current.hireProbability)
            }
            #expect(abs(total - 1) < 1e-3, "\(job.rawValue): hire probabilities add up to \(total)")
            checked += 1
        }
        #expect(checked >= 2)
    }

    @Test("A cleaner who has not bid gets a range of amounts with probabilities, cheaper bids win more often, and the best amount maximises expected earnings")
    func adviceForANewBidder() throws {
        let (m, engine) = try Self.trained.get()
        var advised = 0
        for (job, bidders) in Self.biddedJobs(m) where advised < 3 {
            // A cleaner the hard filters let take the job, who has not bid on it.
            for cleaner in m.people where cleaner.role == .worker && !bidders.contains(cleaner.id) {
                guard let advice = try? engine.adviseBid(BidAdviceRequest(person: cleaner.id, opportunity: job, amounts: [123.45])) else { continue }
                #expect(advice.answeredBy == ["ranked"])
                #expect(advice.inputs.currentBid == nil && advice.inputs.bidCount == bidders.count)
                #expect(advice.outlooks.count >= 20)
                #expect(zip(advice.outlooks, advice.outlooks.dropFirst()).allSatisfy { $0.amount < $1.amount })
                #expect(advice.outlooks.contains { $0.amount == 123.45 && $0.tags.contains("asked") })
                for o in advice.outlooks {
                    let hire = try #require(o.hireProbability), top = try #require(o.topThreeProbability)
                    #expect(hire > 0 && hire <= top && top <= 1, "\(o)")
                    #expect(abs(try #require(o.expectedEarnings) - (o.amount * hire).roundedTo(2)) < 0.02)
                    #expect(o.bids == bidders.count + 1 && (1...o.bids).contains(o.rank))
                    #expect(o.reason.hasPrefix("At ") && o.reason.contains("% chance of being hired"), "\(o.reason)")
                }
                let best = try #require(advice.best)
                #expect(best.tags.contains("best expected earnings"))
                #expect(advice.outlooks.allSatisfy { $0.expectedEarnings! <= best.expectedEarnings! })
                #expect(advice.outlooks.first!.hireProbability! >= advice.outlooks.last!.hireProbability!, "\(advice.outlooks.map(\.hireProbability))")
                advised += 1
                break
            }
        }
        #expect(advised == 3)
    }

    @Test("Without a ranker the advice gives places by the ensemble and says how to get probabilities")
    func withoutARanker() throws {
        let (m, engine) = try Self.trained.get()
        let (job, bidders) = try #require(Self.biddedJobs(m).first)
        let advice = try engine.with(ranker: nil).adviseBid(BidAdviceRequest(person: bidders[0], opportunity: job))
        #expect(!advice.answeredBy.contains("ranked") && advice.best == nil)
        #expect(advice.outlooks.allSatisfy { $0.hireProbability == nil && $0.reason.hasSuffix("bids.") })
        #expect(advice.notice?.contains("matchwork train --model ranker") == true)
    }

    @Test("Bad requests are refused with the field and what to do")
    func refusals() throws {
        let (m, engine) = try Self.trained.get()
        let (job, bidders) = try #require(Self.biddedJobs(m).first)
        func field(_ request: BidAdviceRequest) -> (String?, String) {
            do { _ = try engine.adviseBid(request) } catch { return (error.field, error.message) }
            return (nil, "")
        }
        #expect(field(BidAdviceRequest(person: PersonID("nobody"), opportunity: job)).0 == "person_id")
        #expect(field(BidAdviceRequest(person: bidders[0], opportunity: OpportunityID("nothing"))).0 == "opportunity_id")
        let client = try #require(m.people.first { $0.role == .client })
        #expect(field(BidAdviceRequest(person: client.id, opportunity: job)).1.contains("is a client"))
        let closed = try #require(m.opportunities.first { $0.status != .open })
        #expect(field(BidAdviceRequest(person: bidders[0], opportunity: closed.id)).1.contains("nobody can bid on it"))
        #expect(field(BidAdviceRequest(person: bidders[0], opportunity: job, amounts: [10, -5])).0 == "amounts[1]")
        #expect(field(BidAdviceRequest(person: bidders[0], opportunity: job, amounts: [.nan])).0 == "amounts[0]")
        #expect(field(BidAdviceRequest(person: bidders[0], opportunity: job, amounts: Array(repeating: 10, count: 51))).0 == "amounts")
        // A cleaner the job's filters exclude: the filter is named.
        let snapshot = engine.snapshot
        let o = try snapshot.index(of: job)
        if let excluded = snapshot.takers.first(where: { engine.pairFilter(person: $0, opportunity: o, filters: RecommendationFilters()) != nil }) {
            let (f, message) = field(BidAdviceRequest(person: snapshot.people[Int(excluded)].id, opportunity: job))
            #expect(f == "person_id" && message.contains("filter excludes the pair"), "\(message)")
        }
    }

    @Test("The choice scale is the maximum-likelihood one: lists chosen by softmax(2m) give back a scale near 2")
    func choiceScaleRecoversTheTruth() {
        var generator = SeededGenerator(seed: 9)
        var margins: [Double] = [], labels: [Float] = [], groups: [Int] = []
        for _ in 0..<2_000 {
            let m = (0..<6).map { _ in Double.random(in: -1.5..<1.5, using: &generator) }
            let w = m.map { Double.exp(2 * $0) }
            var u = Double.random(in: 0..<w.reduce(0, +), using: &generator)
            var chosen = 0
            while u > w[chosen] { u -= w[chosen]; chosen += 1 }
            margins += m
            labels += (0..<6).map { $0 == chosen ? 1 : 0 }
            groups.append(6)
        }
        let s = RankerTraining.choiceScale(margins: margins, labels: labels, groups: groups)
        #expect(s.map { abs($0 - 2) < 0.25 } == true, "scale \(String(describing: s))")
        #expect(RankerTraining.choiceScale(margins: [1, 2], labels: [1, 0], groups: [2]) == nil)
    }

    @Test("Plackett–Luce choice probabilities: every item's chance of the first k choices adds up to k, exactly for k ≤ 3 and by sampling beyond")
    func choiceProbabilities() {
        let weights = [3.0, 1, 0.5, 2, 0.25, 1.5]
        for k in 1...3 {
            let total = weights.indices.reduce(0.0) { $0 + RecommendationEngine.choiceProbability(weights, item: $1, within: k) }
            #expect(abs(total - Double(k)) < 1e-9, "k = \(k): \(total)")
        }
        #expect(abs(RecommendationEngine.choiceProbability(weights, item: 0, within: 1) - 3.0 / 8.25) < 1e-12)
        let sampled = weights.indices.reduce(0.0) { $0 + RecommendationEngine.choiceProbability(weights, item: $1, within: 4) }
        #expect(abs(sampled - 4) < 0.1, "\(sampled)")
        #expect(RecommendationEngine.choiceProbability(weights, item: 2, within: 6) == 1)
        // The heavier item is more likely among the first two.
        #expect(RecommendationEngine.choiceProbability(weights, item: 0, within: 2) > RecommendationEngine.choiceProbability(weights, item: 3, within: 2))
    }
}
