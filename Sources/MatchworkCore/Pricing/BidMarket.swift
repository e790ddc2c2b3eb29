/// What the market's bids show: the range a suggested bid must stay within.
///
/// The bid head extrapolates: for a pair unlike its training bids it can suggest a range from
/// 0 to less than the job's own lowest bid. A suggestion is clamped to what bids in this
/// marketplace have been: overall between the lowest and highest bid ever placed, and, for an
/// opportunity with an offer (a cleaning job's budget), between the 1st and 99th percentile of
/// bid ÷ offer times its offer.
public struct BidMarket: Sendable, Hashable {
    /// The lowest and highest bid amounts placed.
    public let lowest: Double
    public let highest: Double
    /// The 1st and 99th percentiles of bid ÷ offer (`nil` without offers).
    public let offerRatios: ClosedRange<Double>?
    /// How many bids the figures come from.
    public let bids: Int
    /// The mean bid, and the mean of bid ÷ offer (`nil` without offers or when not measured).
    public var meanAmount: Double?
    public var meanOfferRatio: Double?

    public init(lowest: Double, highest: Double, offerRatios: ClosedRange<Double>?, bids: Int) {
        self.lowest = lowest
        self.highest = highest
        self.offerRatios = offerRatios
        self.bids = bids
    }

    /// The market of `snapshot`'s bids, or `nil` when it has fewer than 10 bids.
    public init?(snapshot: MarketplaceSnapshot, offerAttribute: String?) {
        var amounts: [Double] = [], ratios: [Double] = []
        for o in snapshot.opportunities.indices {
            let offer = offerAttribute.flatMap { snapshot.opportunities[o].attributes[$0] }.flatMap { $0 > 0 && $0.isFinite ? $0 : nil }
            for e in snapshot.events(onOpportunity: DenseIndex(o)) where e.type == .bid && e.value.isFinite && e.value > 0 {
                amounts.append(Double(e.value))
                if let offer { ratios.append(Double(e.value) / offer) }
            }
        }
        guard amounts.count >= 10 else { return nil }
        ratios.sort()
        func quantile(_ q: Double) -> Double { ratios[min(ratios.count - 1, Int((q * Double(ratios.count - 1)).rounded()))] }
        self.init(
            lowest: amounts.min()!, highest: amounts.max()!, offerRatios: ratios.count >= 10 ? quantile(0.01)...quantile(0.99) : nil, bids: amounts.count)
        meanAmount = amounts.reduce(0, +) / Double(amounts.count)
        meanOfferRatio = ratios.count >= 10 ? ratios.reduce(0, +) / Double(ratios.count) : nil
    }

    /// The market's average bid for an opportunity offering `offer`: the mean bid ÷ offer
    /// times `offer`, or the mean bid without offers.
    public func average(offer: Double?) -> Double? {
        if let offer, offer > 0, offer.isFinite, let ratio = meanOfferRatio { return ratio * offer }
        return meanAmount
    }

    /// The range a bid on an opportunity offering `offer` stays within.
    public func bounds(offer: Double?) -> ClosedRange<Double> {
        var low = lowest, high = highest
        if let offer, offer > 0, offer.isFinite, let ratios = offerRatios {
            low = max(low, ratios.lowerBound * offer)
            high = min(high, ratios.upperBound * offer)
        }
        return low <= high ? low...high : low...low
    }

    /// `suggestion` clamped to ``bounds(offer:)``, still ordered minimum ≤ optimal ≤ maximum.
    public func clamp(_ suggestion: BidSuggestion, offer: Double?) -> BidSuggestion {
        let range = bounds(offer: offer)
        func inside(_ x: Double) -> Double { x.isFinite ? min(range.upperBound, max(range.lowerBound, x)) : range.lowerBound }
        let minimum = inside(suggestion.minimum)
        let maximum = max(minimum, inside(suggestion.maximum))
        let optimal = min(maximum, max(minimum, inside(suggestion.optimal)))
        return BidSuggestion(minimum: minimum, optimal: optimal, maximum: maximum)
    }
}
