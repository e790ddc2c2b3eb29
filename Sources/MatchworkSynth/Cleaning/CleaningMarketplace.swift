public import MatchworkCore
import RealModule

/// The cleaning marketplace: households post jobs, cleaners bid, clients pick, cleaners work and
/// are reviewed.
///
/// - Cleaners come in tiers: premium 15% (ratings 9-10, 25-35 EUR/h, fast responses),
///   experienced 30% (7-9, 18-25 EUR/h), average 40% (6-8, 12-18 EUR/h), budget 15% (5-7,
///   8-12 EUR/h).
/// - Clients are high (20%), medium (50%) or low (30%) budget, with 1-3 properties each within
///   ±0.15° of the city centre.
/// - A job goes open → bidding → accepted → confirmed → completed; 10% are cancelled or fail
///   (no-show). Events carry the steps (view, bid, hire, decline for the losing bids, complete
///   or cancel / no_show, rate); the job keeps `accepted_at`, `confirmed_at` and
///   `completed_at`, `cancelled_at` or `failed_at` as attributes. 3-8 bids per job, priced at tier rate × hours (size factor) × 90-115%; earlier
///   bids are favoured; low-budget clients pick mostly on price, medium ones balance price and
///   quality, high-budget ones pick on quality.
/// - Cleaners only see and bid on jobs that start within their weekly availability.
/// - Reviews follow the tier (overall plus quality, communication, professionalism,
///   timeliness, each within ±1 of the overall); payments carry a 15% platform fee.
public struct CleaningMarketplace: Sendable {
    public struct Tier: Sendable {
        public let name: String
        public let share: Double
        public let rating: ClosedRange<Double>
        public let hourlyRate: ClosedRange<Double>
        /// Typical minutes before the cleaner bids on a job.
        public let responseMinutes: ClosedRange<Double>
        /// Probability that an accepted job is completed rather than cancelled or failed.
        public let reliability: Double
    }

    public static let tiers: [Tier] = [
        Tier(name: "premium", share: 0.15, rating: 9...10, hourlyRate: 25...35, responseMinutes: 5...20, reliability: 0.96),
        Tier(name: "experienced", share: 0.30, rating: 7...9, hourlyRate: 18...25, responseMinutes: 15...45, reliability: 0.92),
        Tier(name: "average", share: 0.40, rating: 6...8, hourlyRate: 12...18, responseMinutes: 30...120, reliability: 0.89),
        Tier(name: "budget", share: 0.15, rating: 5...7, hourlyRate: 8...12, responseMinutes: 60...240, reliability: 0.85),
    ]

    /// Client budget tiers and how they weigh price, quality and earliness when picking a bid.
    public struct ClientTier: Sendable {
        public let name: String
        public let share: Double
        public let priceWeight: Double
        public let qualityWeight: Double
        public let earlinessWeight: Double
    }

    public static let clientTiers: [ClientTier] = [
        ClientTier(name: "high", share: 0.20, priceWeight: 0.5, qualityWeight: 6, earlinessWeight: 0.6),
        ClientTier(name: "medium", share: 0.50, priceWeight: 3, qualityWeight: 3, earlinessWeight: 0.6),
        ClientTier(name: "low", share: 0.30, priceWeight: 9, qualityWeight: 0.8, earlinessWeight: 0.6),
    ]

    /// Paris.
    public static let centre = (latitude: 48.8566, longitude: 2.3522)
    public static let platformFee = 0.15

    private static let propertySizes: [String: ClosedRange<Double>] = [
        "studio": 18...35, "apartment": 35...120, "house": 80...220, "villa": 180...400, "office": 60...500,
    ]
    private static let serviceHours: [String: Double] = [
        "regular": 1, "deep": 1.6, "move_out": 1.5, "post_construction": 2, "windows": 0.6, "ironing": 0.5, "office": 1,
    ]

    public let seed: UInt64
    public let size: MarketplaceSize

    public init(seed: UInt64, size: MarketplaceSize) {
        self.seed = seed
        self.size = size
    }

    private struct Cleaner {
        let id: PersonID
        let tier: Int
        let location: GeoPoint
        let rate: Double
        let quality: Double
        let response: Double
        let services: Set<String>
        let propertyTypes: Set<String>
        let activity: Double
        let availability: Availability
    }

    private struct Property {
        let type: String
        let size: Double
        let location: GeoPoint
    }

    private struct Client {
        let id: PersonID
        let tier: Int
        let properties: [Property]
    }

    public func generate() throws(MatchworkError) -> Marketplace {
        var rng = SeededGenerator(seed: seed)
        var peopleRNG = rng.fork(), jobRNG = rng.fork()
        var truth = GroundTruth(scenario: .cleaning, seed: seed, scale: size.scale)
        var people: [Person] = []

        // Cleaners, in tier proportions.
        let cleanerCount = size.scaled(200, minimum: 8)
        var cleaners: [Cleaner] = []
        // When each cleaner's insurance, which every job requires, runs out.
        var insuredUntil: [Int64] = []
        let tierCounts = Self.apportion(cleanerCount, Self.tiers.map(\.share))
        for (t, n) in tierCounts.enumerated() {
            let tier = Self.tiers[t]
            for _ in 0..<n {
                let id = PersonID("cleaner-\(cleaners.count + 1)")
                let location = try Self.jitter(&peopleRNG, radius: 0.15)
                let services = Set(["regular"] + CleaningVocabulary.services.filter { $0 != "regular" && peopleRNG.chance(t <= 1 ? 0.55 : 0.35) })
                let propertyTypes = Set(CleaningVocabulary.propertyTypes.filter { _ in peopleRNG.chance(0.7) } + ["apartment"])
                let availability = Self.availability(&peopleRNG)
                let cleaner = Cleaner(
                    id: id, tier: t, location: location,
                    rate: peopleRNG.uniform(tier.hourlyRate.lowerBound, tier.hourlyRate.upperBound).rounded(places: 1),
                    quality: peopleRNG.uniform(tier.rating.lowerBound, tier.rating.upperBound),
                    response: peopleRNG.uniform(tier.responseMinutes.lowerBound, tier.responseMinutes.upperBound),
                    services: services, propertyTypes: propertyTypes, activity: peopleRNG.uniform(0.4, 1.6), availability: availability)
                cleaners.append(cleaner)
                let languages = ["fr"] + (peopleRNG.chance(0.4) ? ["en"] : []) + (peopleRNG.chance(0.15) ? [peopleRNG.pick(["ar", "es", "pt", "ro"])] : [])
                insuredUntil.append(Timeline.start + Int64(peopleRNG.int(200...900)) * Timeline.day)
                var certifications = [try Certification(name: "insured", expires: Timestamp(secondsSinceEpoch: insuredUntil[insuredUntil.count - 1]))]
                if peopleRNG.chance(t == 0 ? 0.8 : 0.35) { certifications.append(try Certification(name: "background_checked", expires: nil)) }
                let eco = peopleRNG.chance(t <= 1 ? 0.5 : 0.2)
                if eco { certifications.append(try Certification(name: "eco_label", expires: nil)) }
                people.append(try Person(
                    id: id, role: .worker, name: "Cleaner \(cleaners.count)",
                    facets: try Facets([.service: Array(services), .propertyType: Array(propertyTypes), .language: languages]),
                    certifications: certifications,
                    attributes: try Attributes([
                        "hourly_rate": cleaner.rate,
                        "years_experience": Double(peopleRNG.int(t == 0 ? 5...15 : t == 3 ? 0...3 : 1...10)),
                        "response_minutes": cleaner.response.rounded(),
                        "eco_friendly": eco ? 1 : 0,
                    ]),
                    location: location,
                    availability: availability,
                    capacity: peopleRNG.int(1...3)))
                truth.personSegments[id.rawValue] = tier.name
                truth.personLatent[id.rawValue] = ["quality": cleaner.quality.rounded(places: 3), "activity": cleaner.activity.rounded(places: 3), "reliability": tier.reliability]
            }
        }

        // Clients, in budget tiers, with their properties.
        let clientCount = size.scaled(500, minimum: 6)
        var clients: [Client] = []
        for (t, n) in Self.apportion(clientCount, Self.clientTiers.map(\.share)).enumerated() {
            for _ in 0..<n {
                let id = PersonID("client-\(clients.count + 1)")
                var properties: [Property] = []
                for _ in 0..<peopleRNG.int(1...3) {
                    let type = peopleRNG.pick(t == 0 ? ["apartment", "house", "villa", "office"] : t == 1 ? ["studio", "apartment", "house", "office"] : ["studio", "apartment", "apartment", "house"])
                    let range = Self.propertySizes[type]!
                    properties.append(Property(type: type, size: peopleRNG.uniform(range.lowerBound, range.upperBound).rounded(), location: try Self.jitter(&peopleRNG, radius: 0.15)))
                }
                clients.append(Client(id: id, tier: t, properties: properties))
                people.append(try Person(
                    id: id, role: .client, name: "Household \(clients.count)",
                    facets: try Facets([.propertyType: properties.map(\.type), .language: ["fr"]]),
                    attributes: try Attributes(["properties": Double(properties.count)]),
                    location: properties[0].location))
                truth.personSegments[id.rawValue] = Self.clientTiers[t].name
            }
        }

        // Which cleaners can take which (service, property type).
        var eligibleCleaners: [String: [Int]] = [:]
        for (index, c) in cleaners.enumerated() {
            for service in c.services.sorted() {
                for type in c.propertyTypes.sorted() { eligibleCleaners[service + "|" + type, default: []].append(index) }
            }
        }

        // Jobs and their events.
        let jobCount = size.scaled(5000, minimum: 40)
        var opportunities: [Opportunity] = []
        var log = EventLog(prefix: "cl")
        let postingTimes = (0..<jobCount).map { _ in Timeline.start + Int64(jobRNG.unit() * Double(Timeline.end - Timeline.start - 14 * Timeline.day)) }.sorted()
        let openFrom = Timeline.end - 21 * Timeline.day
        let hourlyWindow: [Int] = [8, 9, 10, 13, 14, 15, 16]
        // Each cleaner's hired jobs, (start, end).
        var booked: [Int: [(start: Int64, end: Int64)]] = [:]
        for (j, posted) in postingTimes.enumerated() {
            let client = clients[jobRNG.int(0...(clients.count - 1))]
            let clientTier = Self.clientTiers[client.tier]
            let property = jobRNG.pick(client.properties)
            let service = property.type == "office" ? (jobRNG.chance(0.8) ? "office" : "windows")
                : jobRNG.pick(["regular", "regular", "regular", "regular", "deep", "deep", "move_out", "windows", "ironing", "post_construction"])
            let hours = max(1.5, (property.size / 28 * Self.serviceHours[service]!).rounded(places: 1))
            // Jobs still open at the end start three weeks later than posting alone would make
            // them (whole weeks: the same weekday and hour), so that they start after the
            // marketplace's last event instead of having started unfilled.
            let isOpen = posted >= openFrom
            let startDay = (posted + Int64(jobRNG.int(2...10)) * Timeline.day) / Timeline.day * Timeline.day + (isOpen ? 21 * Timeline.day : 0)
            let startsAt = startDay + Int64(jobRNG.pick(hourlyWindow)) * Timeline.hour
            let endsAt = startsAt + Int64((hours * 3600).rounded())
            let eco = jobRNG.chance(0.3) ? jobRNG.uniform(0.6, 1).rounded(places: 2) : jobRNG.uniform(0, 0.5).rounded(places: 2)
            let budgetRate = [32.0, 21.0, 14.0][client.tier]
            let budget = (budgetRate * hours * jobRNG.uniform(0.9, 1.3)).rounded()
            let id = OpportunityID("job-\(j + 1)")

            // Cleaners likely to see and bid on this job: nearby, offering the service and
            // property type, available when it starts, insured then (the platform takes no
            // bid without insurance) and not already hired for a job at the same time.
            let startStamp = Timestamp(secondsSinceEpoch: startsAt)
            let candidates = (eligibleCleaners[service + "|" + property.type] ?? []).filter { index in
                cleaners[index].availability.slots.contains { $0.covers(startStamp) } && insuredUntil[index] > startsAt
                    && !(booked[index] ?? []).contains { $0.start <= endsAt && startsAt <= $0.end }
            }
            let weights = candidates.map { index -> Double in
                let c = cleaners[index]
                let km = Self.planarKilometres(c.location, property.location)
                return c.activity * Double.exp(-km / 9) * (eco > 0.6 && c.tier <= 1 ? 1.3 : 1)
            }
            let eligible = candidates.count
            let bidders = jobRNG.sampleWithoutReplacement(weights, count: min(eligible, jobRNG.int(3...8))).map { candidates[$0] }
            let viewers = Set(bidders + jobRNG.sampleWithoutReplacement(weights, count: min(eligible, jobRNG.int(4...12))).map { candidates[$0] })
            for v in viewers.sorted() {
                log.add(cleaners[v].id, id, .view, at: posted + Int64(jobRNG.exponential(mean: 3 * 3600)))
            }
            // Bids: faster tiers bid earlier.
            var bids: [(cleaner: Int, amount: Double, time: Int64)] = bidders.map { c in
                let amount = (cleaners[c].rate * hours * jobRNG.uniform(0.90, 1.15)).rounded(places: 2)
                let delay = Int64(jobRNG.exponential(mean: cleaners[c].response * 60) + 60)
                return (c, amount, posted + delay)
            }
            bids.sort { ($0.time, $0.cleaner) < ($1.time, $1.cleaner) }
            for bid in bids { log.add(cleaners[bid.cleaner].id, id, .bid, at: bid.time, value: bid.amount) }

            var status = OpportunityStatus.open
            var outcome = "open"
            var attributes: [String: Double] = ["size_m2": property.size, "duration_hours": hours, "budget": budget, "eco_preference": eco]
            if !isOpen, !bids.isEmpty {
                // The client picks a bid: a softmax over price, quality and earliness.
                let minAmount = bids.map(\.amount).min()!
                let meanAmount = bids.map(\.amount).reduce(0, +) / Double(bids.count)
                let utilities = bids.enumerated().map { rank, bid -> Double in
                    let price = -(bid.amount - minAmount) / meanAmount * 4
                    let quality = (cleaners[bid.cleaner].quality - 7.5) / 1.25
                    let earliness = -Double(rank) / Double(bids.count)
                    return clientTier.priceWeight * price + clientTier.qualityWeight * quality + clientTier.earlinessWeight * earliness
                }
                let top = utilities.max()!
                let odds = utilities.map { Double.exp($0 - top) }
                let chosen = jobRNG.weightedIndex(odds)
                // The choice model is hidden ground truth: each bidder's probability of being hired.
                let total = odds.reduce(0, +)
                for (bid, weight) in zip(bids, odds) {
                    truth.opportunityLatent[id.rawValue, default: [:]][GroundTruth.choicePrefix + cleaners[bid.cleaner].id.rawValue] = weight / total
                }
                let winner = bids[chosen]
                let cleaner = cleaners[winner.cleaner]
                booked[winner.cleaner, default: []].append((startsAt, endsAt))
                let acceptedAt = bids.map(\.time).max()! + Int64(jobRNG.exponential(mean: 6 * 3600))
                log.add(cleaner.id, id, .hire, at: acceptedAt, value: winner.amount)
                // The cleaner confirms the accepted job a little later; lifecycle times are kept
                // on the job (Unix seconds): accepted, confirmed, then completed or cancelled.
                let confirmedAt = min(startsAt - 3600, acceptedAt + Int64(jobRNG.exponential(mean: 4 * 3600)) + 600)
                attributes["accepted_at"] = Double(acceptedAt)
                attributes["confirmed_at"] = Double(max(acceptedAt, confirmedAt))
                for (rank, bid) in bids.enumerated() where rank != chosen {
                    log.add(cleaners[bid.cleaner].id, id, .decline, at: acceptedAt + 60)
                }
                status = .closed
                let roll = jobRNG.unit()
                let reliability = Self.tiers[cleaner.tier].reliability
                if roll > reliability {
                    // Cancelled (by either side) or failed (no-show).
                    let failed = jobRNG.chance(0.4)
                    let endedAt = failed ? startsAt + 3600 : max(acceptedAt + 60, startsAt - Int64(jobRNG.int(2...48)) * Timeline.hour)
                    log.add(cleaner.id, id, failed ? .noShow : .cancel, at: endedAt)
                    attributes[failed ? "failed_at" : "cancelled_at"] = Double(endedAt)
                    outcome = failed ? "failed" : "cancelled"
                } else {
                    log.add(cleaner.id, id, .complete, at: endsAt, value: winner.amount)
                    attributes["completed_at"] = Double(endsAt)
                    attributes["paid_amount"] = winner.amount
                    attributes["platform_fee"] = (winner.amount * Self.platformFee).rounded(places: 2)
                    outcome = "completed"
                    if jobRNG.chance(0.85) {
                        let overall = (cleaner.quality + jobRNG.normal(sd: 0.35)).clamped(0, 10).rounded(places: 1)
                        let scores = ["communication", "professionalism", "quality", "timeliness"].map { name in
                            Interaction.SubScore(name: name, value: (overall + jobRNG.uniform(-1, 1)).clamped(0, 10).rounded(places: 1))
                        }
                        log.add(cleaner.id, id, .rate, at: endsAt + Int64(jobRNG.exponential(mean: 20 * 3600)), value: overall, subScores: scores)
                    }
                }
                truth.opportunityLatent[id.rawValue, default: [:]]["winner_rank_by_price"] = Double(bids.sorted { $0.amount < $1.amount }.firstIndex { $0.cleaner == winner.cleaner }!)
            } else if !isOpen {
                status = .closed
                outcome = "expired"
            }
            truth.opportunityOutcomes[id.rawValue] = outcome
            opportunities.append(try Opportunity(
                id: id, kind: .job, client: client.id, title: "\(service.replacingUnderscores) cleaning, \(property.type), \(Int(property.size)) m²",
                required: try Facets([.service: [service], .propertyType: [property.type]]),
                preferred: eco > 0.6 ? try Facets([.language: ["fr"]]) : Facets(),
                requiredCertifications: ["insured"],
                attributes: try Attributes(attributes),
                location: property.location,
                window: try TimeWindow(start: Timestamp(secondsSinceEpoch: startsAt), end: Timestamp(secondsSinceEpoch: endsAt)),
                slots: 1, status: status))
        }

        return Marketplace(scenario: .cleaning, people: people, opportunities: opportunities, interactions: try log.interactions(), groundTruth: truth, attribution: nil)
    }

    /// Splits `total` into counts proportional to `shares` (largest remainders), each at least 1.
    static func apportion(_ total: Int, _ shares: [Double]) -> [Int] {
        let raw = shares.map { $0 * Double(total) }
        var counts = raw.map { max(1, Int($0)) }
        var remaining = total - counts.reduce(0, +)
        let order = raw.indices.sorted { (raw[$0] - raw[$0].rounded(.down), -$0) > (raw[$1] - raw[$1].rounded(.down), -$1) }
        var k = 0
        while remaining > 0 { counts[order[k % order.count]] += 1; remaining -= 1; k += 1 }
        return counts
    }

    /// Equirectangular distance, accurate to well under 1% within a city and free of trigonometry.
    static func planarKilometres(_ a: GeoPoint, _ b: GeoPoint) -> Double {
        let dy = (a.latitude - b.latitude) * 111.195
        let dx = (a.longitude - b.longitude) * 111.195 * cosCentre
        return (dx * dx + dy * dy).squareRoot()
    }

    private static let cosCentre = Double.cos(centre.latitude * Double.pi / 180)

    static func jitter(_ rng: inout SeededGenerator, radius: Double) throws(MatchworkError) -> GeoPoint {
        try GeoPoint(latitude: (centre.latitude + rng.uniform(-radius, radius)).rounded(places: 5),
                     longitude: (centre.longitude + rng.uniform(-radius, radius)).rounded(places: 5))
    }

    static func availability(_ rng: inout SeededGenerator) -> Availability {
        var slots: [WeeklySlot] = []
        for day in 0..<7 where rng.chance(day < 5 ? 0.75 : 0.3) {
            let start = rng.pick([7, 8, 9]) * 60
            slots.append(try! WeeklySlot(weekday: day, startMinute: start, endMinute: start + rng.pick([4, 6, 8, 10]) * 60))
        }
        return Availability(slots: slots)
    }
}

extension String {
    var replacingUnderscores: String { String(map { $0 == "_" ? " " : $0 }).capitalizedFirst }
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
