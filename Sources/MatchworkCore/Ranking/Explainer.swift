import RealModule

/// Plain-words reasons and assumptions for one result, ordered by how many points the
/// underlying component contributed.
extension QueryState {
    func explain(candidate i: Int, breakdown: [ScorePart], blend: Blend) -> (reasons: [String], assumptions: [String]) {
        let c = candidates[i]
        let (p, o) = pair(c)
        let words = engine.features.words
        let person = snapshot.people[Int(p)], opportunity = snapshot.opportunities[Int(o)]
        var points: [String: Double] = [:]
        for part in breakdown {
            points[part.component] = part.points
            for sub in part.parts { points[sub.component] = sub.points }
        }
        var reasons: [(Double, String)] = []
        func add(_ component: String, _ text: String, bonus: Double = 0) {
            reasons.append(((points[component] ?? 0) + bonus, text))
        }
        let summary = index.summaries[Int(p)]
        let ranked = blend.answeredBy == [RecommendationMode.ranked.rawValue]

        // Prerequisites kept by the warn policy: said first.
        for unmet in engine.unmetPrerequisites(person: p, opportunity: o) {
            let skill = unmet.skill.replacingUnderscores
            reasons.append((.infinity, forPerson ? "Needs \(skill) \(Self.amount(unmet.needed)); you have \(Self.amount(unmet.has))" : "Lacks a prerequisite: \(skill) \(Self.amount(unmet.has)) of the \(Self.amount(unmet.needed)) needed"))
        }

        // The rules' reasons; the ranker's own (below) carry each feature group's points instead.
        if !ranked {
            // Specialization: the preference facets that match.
            for facet in engine.features.preferenceFacets {
                let required = opportunity.required[facet]
                guard let source = summary.sources[facet], !source.isAssumed else { continue }
                let wanted = summary.values[facet] ?? []
                for value in required where wanted.contains(value) {
                    add("specialization", forPerson ? Self.personPhrase(facet, value, source: source, words: words) : Self.candidatePhrase(facet, value, words: words), bonus: 0.01)
                }
            }
            if let km = snapshot.distanceKm(person: p, opportunity: o) {
                add("location", forPerson ? "\(Self.kilometres(km)) from home" : "\(Self.kilometres(km)) from the \(words.opportunity)")
            }
            if let bid = engine.bidContext(person: p, opportunity: o), bid.count >= 2 {
                let above = Self.whole((bid.amount / bid.minimum - 1) * 100)
                let who = forPerson ? "Your bid of" : "Bid"
                add("pricing", above == 0 ? "\(who) \(Self.amount(bid.amount)) is the lowest of \(bid.count)" : "\(who) \(Self.amount(bid.amount)) is \(above)% above the lowest of \(bid.count)")
            } else if let pricing = engine.features.pricing, let ratio = pricing.ratio(opportunity, person) {
                let pct = Self.whole(abs(ratio - 1) * 100)
                if forPerson {
                    if pricing.askPer == nil, let pay = opportunity.attributes[pricing.offer] {
                        add("pricing", pct == 0 ? "Pays \(Self.amount(pay)) per hour, your rate" : "Pays \(Self.amount(pay)) per hour, \(pct)% \(ratio > 1 ? "above" : "below") your rate")
                    } else if let budget = opportunity.attributes[pricing.offer] {
                        add("pricing", "Budget \(Self.amount(budget)) is \(pct == 0 ? "your usual price" : "\(pct)% \(ratio > 1 ? "above" : "below") your usual price")")
                    }
                } else {
                    add("pricing", Self.askPhrase(ratio: ratio, opportunity: words.opportunity))
                }
            }
            if let window = opportunity.window, person.availability.slots.contains(where: { $0.covers(window.start) }) {
                add("availability", forPerson ? "Starts \(Self.weekday(window.start)) \(Self.clock(window.start)), when you are available" : "Available when it starts")
            }
            if !opportunity.teaches.isEmpty, forPerson {
                for taught in opportunity.teaches {
                    let current = person.skills.first { $0.skill == taught.skill }?.level ?? 0
                    guard taught.level > current else { continue }
                    add("specialization", "Teaches \(taught.skill.replacingUnderscores) up to level \(Self.one(taught.level)), above your \(Self.one(current))")
                }
            }
            if !forPerson {
                let w = snapshot.activity.workers[Int(p)]
                if let rating = w.meanRating {
                    add("quality", "Rated \(Self.one(rating)) by \(w.ratings) \(w.ratings == 1 ? words.client : words.clients)")
                }
                if w.hires > 0 {
                    let rate = Self.whole(100 * Double(w.completions) / Double(w.hires))
                    add("reliability", "Completed \(rate)% of \(w.hires) accepted \(w.hires == 1 ? words.opportunity : words.opportunities)")
                }
                if w.completions > 0 {
                    add("experience", "\(w.completions) \(w.completions == 1 ? words.opportunity : words.opportunities) completed")
                } else if let years = person.attributes["years_experience"], years > 0 {
                    add("experience", "\(Self.whole(years.rounded(.down))) years of experience")
                }
                if let ratio = w.meanBidRatio, w.bidRatios >= 2 {
                    let pct = Self.whole(abs(ratio - 1) * 100)
                    add("bidding", pct <= 5 ? "Bids close to the market average" : "Bids \(pct)% \(ratio < 1 ? "below" : "above") the market average")
                } else if w.bids + w.applications >= 3 {
                    let rate = Self.whole(100 * Double(w.hires) / Double(w.bids + w.applications))
                    add("bidding", "Chosen for \(rate)% of \(w.bids + w.applications) applications")
                }
                if w.hiresLast30Days > 0 {
                    add("activity", "\(w.hiresLast30Days) \(w.hiresLast30Days == 1 ? words.opportunity : words.opportunities) in the last 30 days")
                }
                if case let n = neighbourTook(c), n > 0 {
                    add("neighbourhood", "Took \(n) similar \(n == 1 ? words.opportunity : words.opportunities)")
                } else if case let n = neighbourInterest(in: c), n > 0 {
                    add("neighbourhood", "Showed interest in \(n) similar \(n == 1 ? words.opportunity : words.opportunities)")
                }
            } else {
                let client = snapshot.clientOf[Int(o)]
                if client >= 0, case let n = neighbourClientHires(client), n > 0 {
                    add("neighbourhood", "\(words.people.capitalisedFirst) like you took \(n) \(n == 1 ? words.opportunity : words.opportunities) here")
                }
                if case let n = neighbourInterest(in: c), n > 0 {
                    add("neighbourhood", "\(n) \(n == 1 ? words.person : words.people) like you showed interest", bonus: -0.01)
                }
                let applicants = snapshot.activity.opportunityRecords[Int(o)].applicants
                if applicants > 0 {
                    add("popularity", "\(applicants) \(applicants == 1 ? words.person : words.people) applied so far")
                }
            }
        }
        // What each scorer's part of the score supports, in the blend's order.
        for (component, part) in zip(blend.components, breakdown) {
            for text in component.scorer.reasons(self, candidate: i, part: part) { add(part.component, text) }
        }
        reasons.sort { $0.0 > $1.0 }
        var seen = Set<String>()
        let texts = reasons.map(\.1).filter { seen.insert($0).inserted }

        // Assumptions: defaults and priors the score relied on.
        var assumptions: [String] = []
        let whose = forPerson ? "your profile" : "\(person.name ?? person.id.rawValue)'s profile"
        for facet in summary.assumedFacets {
            let values = (summary.values[facet] ?? []).map(\.replacingUnderscores).joined(separator: ", ")
            let source = summary.sources[facet] == .scenarioDefault ? "the marketplace default" : "the most common \(facet.rawValue.replacingUnderscores) here"
            assumptions.append("No \(facet.rawValue.replacingUnderscores) in \(whose): assumed \(values) (\(source))")
        }
        for part in breakdown.flatMap({ $0.parts }) where part.assumed && part.weight > 0 {
            switch part.component {
            case "quality": assumptions.append("No reviews yet: quality taken as the marketplace average (\(Self.one(snapshot.activity.meanRating)))")
            case "reliability": assumptions.append("No accepted \(words.opportunities) yet: reliability taken from marketplace averages")
            case "bidding": assumptions.append("No bids or applications yet: bidding taken at the marketplace's win rate")
            case "location": assumptions.append("No home location: distance counted as neutral")
            case "pricing": assumptions.append("No rate or budget to compare: price counted as neutral")
            case "availability": assumptions.append("No weekly availability stated: counted as neutral")
            default: break
            }
        }
        return (Array(texts.prefix(8)), assumptions)
    }

    static func personPhrase(_ facet: FacetName, _ value: String, source: ProfileSource, words: ScenarioFeatures.Words) -> String {
        let which = source == .history ? "you often take" : "you prefer"
        let hyphenated = String(value.map { $0 == "_" ? "-" : $0 })
        switch facet {
        case .specialty: return "Matches your \(hyphenated) specialty"
        case .rhythm: return "\(hyphenated.capitalisedFirst) shifts, which \(which)"
        case .service: return words.opportunity == "job" ? "\(value.replacingUnderscores.capitalisedFirst) cleaning, a service you offer" : "Matches your \(hyphenated) service"
        case .propertyType: return "\(value.replacingUnderscores.capitalisedFirst), a property type you take"
        default: return "\(value.replacingUnderscores.capitalisedFirst) \(facet.rawValue.replacingUnderscores), as \(which)"
        }
    }

    static func candidatePhrase(_ facet: FacetName, _ value: String, words: ScenarioFeatures.Words) -> String {
        let spaced = value.replacingUnderscores
        switch facet {
        case .specialty: return "\(spaced.capitalisedFirst), as the \(words.opportunity) requires"
        case .rhythm: return "Prefers \(String(value.map { $0 == "_" ? "-" : $0 })) shifts"
        case .service: return words.opportunity == "job" ? "Offers \(spaced) cleaning" : "Prefers \(spaced)"
        case .propertyType: return "Takes \(spaced) jobs"
        default: return "Prefers \(spaced) \(facet.rawValue.replacingUnderscores)"
        }
    }

    static func kilometres(_ km: Double) -> String { "\(one(km)) km" }

    static func one(_ x: Double) -> String {
        let tenths = whole(x * 10)
        return "\(tenths < 0 && tenths > -10 ? "-" : "")\(tenths / 10).\(abs(tenths % 10))"
    }

    static func amount(_ x: Double) -> String {
        x == x.rounded() ? "\(whole(x))" : one(x)
    }

    /// `x` rounded to an integer, without trapping: a value that is not finite (a model's weights
    /// gone wrong) reads as 0, and one beyond ±10¹⁵ is clamped. Every number an explanation
    /// prints goes through here.
    static func whole(_ x: Double) -> Int {
        guard x.isFinite else { return 0 }
        return Int(min(1e15, max(-1e15, x.rounded())))
    }

    /// How a candidate's asking price compares with what the opportunity offers, as a share of
    /// the offer: `ratio` is offer ÷ ask, so the ask is `1/ratio` of the offer. A ratio of 4 asks
    /// 75% less; 0.5 asks 100% more.
    static func askPhrase(ratio: Double, opportunity: String) -> String {
        guard ratio.isFinite, ratio > 0 else { return "Asks a price that cannot be compared with what the \(opportunity) offers" }
        let relative = 1 / ratio - 1
        let pct = whole(abs(relative) * 100)
        if pct == 0 { return "Asks what the \(opportunity) pays" }
        return relative < 0 ? "Asks \(pct)% less than the \(opportunity) offers" : "Asks \(pct)% more than the \(opportunity) offers"
    }

    static func weekday(_ t: Timestamp) -> String {
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][t.weekday]
    }

    static func clock(_ t: Timestamp) -> String { WeeklySlot.clock(t.secondOfDay / 60) }
}
