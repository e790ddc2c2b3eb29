import RealModule

/// What a person's history says about them as a worker: reviews, reliability, experience,
/// bidding and recent activity.
public struct WorkerRecord: Sendable, Hashable {
    public var ratings = 0
    public var ratingSum = 0.0
    /// Sum and count of the sub-scores of their ratings (quality, communication, professionalism,
    /// timeliness…).
    public var subScoreSum = 0.0
    public var subScores = 0
    public var hires = 0
    public var completions = 0
    public var cancellations = 0
    public var noShows = 0
    public var bids = 0
    public var applications = 0
    /// Sum of each bid divided by the mean bid on the same opportunity.
    public var bidRatioSum = 0.0
    public var bidRatios = 0
    /// Paid amounts of completed work (the `complete` event's value, else the hire's).
    public var earnings = 0.0
    public var hiresLast30Days = 0
    public var hiresLast90Days = 0
    /// Decayed positive interest (half-life 14 days), for popularity.
    public var recentInterest = 0.0

    public var meanRating: Double? { ratings > 0 ? ratingSum / Double(ratings) : nil }
    public var meanBidRatio: Double? { bidRatios > 0 ? bidRatioSum / Double(bidRatios) : nil }
}

/// What an opportunity's history says: bids, applicants and recent interest.
public struct OpportunityRecord: Sendable, Hashable {
    public var bidSum = 0.0
    public var bids = 0
    /// Distinct people who applied or bid.
    public var applicants = 0
    /// Decayed positive interest (half-life 14 days), for popularity.
    public var recentInterest = 0.0
    /// The latest event time, or the window start when it has none.
    public var lastActivity: Int64 = .min

    public var meanBid: Double? { bids > 0 ? bidSum / Double(bids) : nil }
}

/// Per-person and per-opportunity activity, and population means used as priors when a
/// person has little or no history.
public struct ActivityStatistics: Sendable {
    public let workers: [WorkerRecord]
    public let opportunityRecords: [OpportunityRecord]
    /// Population mean of overall ratings (7.5 when nobody was rated).
    public let meanRating: Double
    /// Population completion rate of accepted work (0.9 when nothing was accepted).
    public let completionRate: Double
    /// Population share of applications and bids that led to a hire.
    public let winRate: Double
    /// The half-life of interest for popularity and recency, in days.
    public static let halfLifeDays = 14.0

    init(
        people: [Person], opportunities: [Opportunity], personOffsets: [Int], personEvents: [MarketplaceSnapshot.Event],
        opportunityOffsets: [Int], opportunityEvents: [MarketplaceSnapshot.Event], now: Timestamp, preset: ScenarioPreset?,
        subScoreSums: [(sum: Double, count: Int)]
    ) {
        let weights = preset?.weights ?? .standard
        let nowSeconds = now.secondsSinceEpoch
        let decay = Double.log(2) / (Self.halfLifeDays * 86_400)
        var opportunityRecords = [OpportunityRecord](repeating: OpportunityRecord(), count: opportunities.count)
        var seen = Set<DenseIndex>()
        for o in opportunities.indices {
            var record = OpportunityRecord()
            seen.removeAll(keepingCapacity: true)
            for e in opportunityEvents[opportunityOffsets[o]..<opportunityOffsets[o + 1]] {
                if e.type == .bid, !e.value.isNaN {
                    record.bidSum += Double(e.value)
                    record.bids += 1
                }
                if e.type == .bid || e.type == .apply { seen.insert(e.other) }
                let w = weights[e.type]
                if w > 0 { record.recentInterest += w * Double.exp(-decay * Double(nowSeconds - e.time)) }
                record.lastActivity = max(record.lastActivity, e.time)
            }
            if record.lastActivity == .min, let start = opportunities[o].window?.start { record.lastActivity = start.secondsSinceEpoch }
            record.applicants = seen.count
            opportunityRecords[o] = record
        }

        var workers = [WorkerRecord](repeating: WorkerRecord(), count: people.count)
        var totalRatings = 0, ratingSum = 0.0, hires = 0, completions = 0, failures = 0, attempts = 0
        for p in people.indices {
            var w = WorkerRecord()
            var hireValue: [DenseIndex: Double] = [:]
            for e in personEvents[personOffsets[p]..<personOffsets[p + 1]] {
                let age = nowSeconds - e.time
                switch e.type {
                case .rate:
                    if !e.value.isNaN {
                        w.ratings += 1
                        w.ratingSum += Double(e.value)
                    }
                case .hire:
                    w.hires += 1
                    if !e.value.isNaN { hireValue[e.other] = Double(e.value) }
                    if age <= 30 * 86_400 { w.hiresLast30Days += 1 }
                    if age <= 90 * 86_400 { w.hiresLast90Days += 1 }
                case .complete:
                    w.completions += 1
                    w.earnings += e.value.isNaN ? hireValue[e.other] ?? 0 : Double(e.value)
                case .cancel: w.cancellations += 1
                case .noShow: w.noShows += 1
                case .bid:
                    w.bids += 1
                    if !e.value.isNaN, let mean = opportunityRecords[Int(e.other)].meanBid, mean > 0 {
                        w.bidRatioSum += Double(e.value) / mean
                        w.bidRatios += 1
                    }
                case .apply: w.applications += 1
                default: break
                }
                let weight = weights[e.type]
                if weight > 0 { w.recentInterest += weight * Double.exp(-decay * Double(age)) }
            }
            w.subScoreSum = subScoreSums[p].sum
            w.subScores = subScoreSums[p].count
            workers[p] = w
            totalRatings += w.ratings
            ratingSum += w.ratingSum
            hires += w.hires
            completions += w.completions
            failures += w.cancellations + w.noShows
            attempts += w.bids + w.applications
        }
        self.workers = workers
        self.opportunityRecords = opportunityRecords
        meanRating = totalRatings > 0 ? ratingSum / Double(totalRatings) : 7.5
        completionRate = completions + failures > 0 ? Double(completions) / Double(completions + failures) : 0.9
        winRate = attempts > 0 ? min(1, Double(hires) / Double(attempts)) : 0.2
    }
}
