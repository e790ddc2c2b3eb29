import MatchworkCore
import MatchworkStore

/// A list as the engine answered it, with its items as served and as JSON, rendered once and
/// cached together so that a cache hit writes bytes instead of encoding again.
struct RenderedList: Sendable {
    let result: Recommendations
    /// The items as recorded with each served list.
    let served: EncodedServedItems
    /// The `items` member of the answer.
    let itemsJSON: [UInt8]

    init(_ result: Recommendations, explain: Bool) {
        self.result = result
        var served: [ServedItem] = []
        served.reserveCapacity(result.items.count)
        // Each breakdown is written once, for the answer and for the served list.
        let breakdowns = result.items.map { JSONWriter.breakdown($0.breakdown) }
        var json = JSONWriter(capacity: breakdowns.reduce(2) { $0 + $1.count + 256 })
        json.array {
            for (rank, item) in result.items.enumerated() {
                served.append(ServedItem(id: item.id, rank: rank + 1, score: item.score, breakdown: item.breakdown))
                $0.object { o in
                    o.key("adjustment"); o.number(item.adjustment)
                    if explain { o.key("assumptions"); o.strings(item.assumptions) }
                    o.key("breakdown"); o.raw(breakdowns[rank])
                    o.key("id"); o.string(item.id)
                    o.key("rank"); o.integer(rank + 1)
                    if explain || !item.reasons.isEmpty { o.key("reasons"); o.strings(item.reasons) }
                    o.key("score"); o.number(item.score)
                    if let bid = item.suggestedBid {
                        o.key("suggested_bid")
                        o.object { b in
                            b.key("maximum"); b.number(bid.maximum)
                            b.key("minimum"); b.number(bid.minimum)
                            b.key("optimal"); b.number(bid.optimal)
                        }
                    }
                    if let title = item.title { o.key("title"); o.string(title) }
                }
            }
        }
        self.served = EncodedServedItems(served, breakdowns: breakdowns)
        itemsJSON = json.bytes
    }
}
