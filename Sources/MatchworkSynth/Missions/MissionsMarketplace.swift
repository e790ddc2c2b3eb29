public import MatchworkCore
import RealModule

/// The hospital-missions marketplace: hospitals post missions by service × specialty × rhythm
/// in a region; clinicians with stated (often incomplete) preferences, qualifications that
/// expire, home locations and a capacity view, apply, are hired, complete and are rated.
///
/// Each clinician has latent affinities for services and rhythms, a pay sensitivity and a
/// travel tolerance; their stated preferences are the top latent ones, with rhythms missing for
/// 30% of profiles, services for 20% and the specialty for 10%. Applications follow
/// `sigmoid(service + rhythm + pay - distance)`; hospitals hire qualified applicants (matching
/// specialty, certifications valid on the start day) up to the mission's slots.
public struct MissionsMarketplace: Sendable {
    /// Lyon.
    public static let centre = (latitude: 45.764, longitude: 4.8357)

    /// Share of clinicians per specialty.
    static let specialtyShares: [(String, Double)] = [
        ("nurse", 0.34), ("nursing_assistant", 0.18), ("physician", 0.12), ("operating_room_nurse", 0.08),
        ("anesthetist_nurse", 0.07), ("pediatric_nurse", 0.08), ("midwife", 0.06), ("physiotherapist", 0.07),
    ]
    /// Base hourly pay per specialty (EUR).
    static let basePay: [String: Double] = [
        "nurse": 32, "nursing_assistant": 22, "physician": 85, "operating_room_nurse": 38,
        "anesthetist_nurse": 45, "pediatric_nurse": 34, "midwife": 40, "physiotherapist": 36,
    ]
    static let rhythmPremium: [String: Double] = ["day": 1, "night": 1.25, "weekend": 1.2, "twelve_hour": 1.1, "part_time": 0.95]
    /// Certifications a specialty requires beyond basic life support.
    static let specialtyCertification: [String: String] = [
        "anesthetist_nurse": "advanced_life_support", "midwife": "neonatal_resuscitation",
        "operating_room_nurse": "sterile_technique", "pediatric_nurse": "neonatal_resuscitation",
    ]
    /// Certifications a service requires beyond basic life support.
    static let serviceCertification: [String: String] = [
        "intensive_care": "advanced_life_support", "emergency": "trauma_care", "oncology": "radiation_safety",
    ]

    /// The most clinicians who consider one mission, so that events grow linearly with size.
    static let audience = 120

    public let seed: UInt64
    public let size: MarketplaceSize
    /// Overrides the number of clinicians the size implies (600 × scale).
    public let clinicianCount: Int?
    /// Overrides the number of missions the size implies (3,000 × scale).
    public let missionCount: Int?
    /// How much later than the others the open missions start: three weeks.
    static let openLead: Int64 = 21 * Timeline.day

    /// Missions posted in the last `openDays` days of the year are still open.
    public let openDays: Int

    public init(seed: UInt64, size: MarketplaceSize, clinicians: Int? = nil, missions: Int? = nil, openDays: Int = 30) {
        self.seed = seed
        self.size = size
        clinicianCount = clinicians
        missionCount = missions
        self.openDays = openDays
    }

    private struct Clinician {
        let id: PersonID
        let specialty: String
        let location: GeoPoint
        let serviceAffinity: [Double]
        let rhythmAffinity: [Double]
        let paySensitivity: Double
        let travelKm: Double
        let skill: Double
        let reliability: Double
        let certifications: [Certification]
    }

    public func generate() throws(MatchworkError) -> Marketplace {
        var rng = SeededGenerator(seed: seed)
        var peopleRNG = rng.fork(), missionRNG = rng.fork()
        var truth = GroundTruth(scenario: .missions, seed: seed, scale: size.scale)
        let services = MissionVocabulary.services, rhythms = MissionVocabulary.rhythms
        var people: [Person] = []

        // Hospitals.
        let hospitalCount = size.scaled(24, minimum: 3)
        var hospitals: [(id: PersonID, location: GeoPoint, services: [String], prestige: Double)] = []
        for h in 0..<hospitalCount {
            let id = PersonID("hospital-\(h + 1)")
            let location = try Self.point(&peopleRNG, radius: 0.3)
            let offered = Array(peopleRNG.shuffled(services).prefix(peopleRNG.int(3...7))).sorted()
            hospitals.append((id, location, offered, peopleRNG.uniform(-0.5, 0.5)))
            people.append(try Person(id: id, role: .client, name: "Hospital \(h + 1)", facets: try Facets([.service: offered]), location: location))
            truth.personSegments[id.rawValue] = "hospital"
        }

        // Clinicians with latent preferences and incomplete stated ones.
        let clinicianCount = self.clinicianCount ?? size.scaled(600, minimum: 24)
        var clinicians: [Clinician] = []
        var bySpecialty: [String: [Int]] = [:]
        for c in 0..<clinicianCount {
            let id = PersonID("clinician-\(c + 1)")
            let specialty = Self.specialtyShares[peopleRNG.weightedIndex(Self.specialtyShares.map(\.1))].0
            let serviceAffinity = services.map { _ in peopleRNG.normal(sd: 1.2) }
            let rhythmAffinity = rhythms.map { _ in peopleRNG.normal(sd: 1.2) }
            let location = try Self.point(&peopleRNG, radius: 0.35)
            let hasExpiredBLS = peopleRNG.chance(0.12)
            let blsExpiry = hasExpiredBLS ? Timeline.start + Int64(peopleRNG.int(30...300)) * Timeline.day : Timeline.end + Int64(peopleRNG.int(30...900)) * Timeline.day
            var certifications = [try Certification(name: "basic_life_support", expires: Timestamp(secondsSinceEpoch: blsExpiry))]
            var extra = Set<String>()
            if let needed = Self.specialtyCertification[specialty], peopleRNG.chance(0.9) { extra.insert(needed) }
            for (service, cert) in Self.serviceCertification.sorted(by: { $0.key < $1.key }) where serviceAffinity[services.firstIndex(of: service)!] > 0.3 && peopleRNG.chance(0.7) {
                extra.insert(cert)
            }
            for cert in extra.sorted() {
                certifications.append(try Certification(name: cert, expires: peopleRNG.chance(0.3) ? nil : Timestamp(secondsSinceEpoch: Timeline.start + Int64(peopleRNG.int(120...1200)) * Timeline.day)))
            }
            let clinician = Clinician(
                id: id, specialty: specialty, location: location, serviceAffinity: serviceAffinity, rhythmAffinity: rhythmAffinity,
                paySensitivity: peopleRNG.uniform(0.2, 1.5), travelKm: peopleRNG.uniform(8, 40), skill: peopleRNG.uniform(6, 9.8),
                reliability: peopleRNG.uniform(0.88, 0.995), certifications: certifications)
            clinicians.append(clinician)
            bySpecialty[specialty, default: []].append(c)

            // Stated preferences: the top latent ones, often incomplete.
            var facets: [FacetName: [String]] = [:]
            if !peopleRNG.chance(0.10) { facets[.specialty] = [specialty] }
            if !peopleRNG.chance(0.20) {
                let ranked = services.indices.sorted { serviceAffinity[$0] > serviceAffinity[$1] }
                facets[.service] = ranked.prefix(peopleRNG.int(1...3)).map { services[$0] }
            }
            if !peopleRNG.chance(0.30) {
                let ranked = rhythms.indices.sorted { rhythmAffinity[$0] > rhythmAffinity[$1] }
                facets[.rhythm] = ranked.prefix(peopleRNG.int(1...2)).map { rhythms[$0] }
            }
            facets[.language] = ["fr"] + (peopleRNG.chance(0.35) ? ["en"] : [])
            people.append(try Person(
                id: id, role: .worker, name: "Clinician \(c + 1)", facets: try Facets(facets), certifications: certifications,
                attributes: try Attributes([
                    "years_experience": Double(peopleRNG.int(0...30)),
                    "hourly_rate": ((Self.basePay[specialty] ?? 30) * peopleRNG.uniform(0.9, 1.2)).rounded(places: 1),
                ]),
                location: location, capacity: peopleRNG.int(1...3)))
            truth.personSegments[id.rawValue] = specialty
            var latent: [String: Double] = ["pay_sensitivity": clinician.paySensitivity, "travel_km": clinician.travelKm, "skill": clinician.skill, "reliability": clinician.reliability]
            for (i, s) in services.enumerated() { latent["service.\(s)"] = serviceAffinity[i].rounded(places: 3) }
            for (i, r) in rhythms.enumerated() { latent["rhythm.\(r)"] = rhythmAffinity[i].rounded(places: 3) }
            truth.personLatent[id.rawValue] = latent.mapValues { $0.rounded(places: 4) }
        }

        // Missions and the events around them.
        let missionCount = self.missionCount ?? size.scaled(3000, minimum: 60)
        var opportunities: [Opportunity] = []
        var log = EventLog(prefix: "mi")
        let openFrom = Timeline.end - Int64(openDays) * Timeline.day
        let postings = (0..<missionCount).map { _ in Timeline.start + Int64(missionRNG.unit() * Double(Timeline.end - Timeline.start - 7 * Timeline.day)) }.sorted()
        var busyUntil = [[Int64]](repeating: [], count: clinicians.count)
        for (m, posted) in postings.enumerated() {
            let hospital = hospitals[missionRNG.int(0...(hospitals.count - 1))]
            let service = missionRNG.pick(hospital.services)
            let specialty = Self.specialtyShares[missionRNG.weightedIndex(Self.specialtyShares.map(\.1))].0
            let rhythm = rhythms[missionRNG.weightedIndex([0.35, 0.25, 0.1, 0.2, 0.1])]
            // Missions still open at the end are posted three weeks ahead of the rest (whole
            // weeks: the same weekday), so that they start after the marketplace's last event.
            let isOpen = posted >= openFrom
            let startDay = (posted + Int64(missionRNG.int(3...21)) * Timeline.day) / Timeline.day * Timeline.day + (isOpen ? Self.openLead : 0)
            let start = startDay + (rhythm == "night" ? 20 : 7) * Timeline.hour
            let end = start + Int64(missionRNG.int(1...14)) * Timeline.day
            let pay = ((Self.basePay[specialty] ?? 30) * (Self.rhythmPremium[rhythm] ?? 1) * missionRNG.uniform(0.9, 1.25)).rounded(places: 1)
            let payZ = pay / ((Self.basePay[specialty] ?? 30) * 1.1) - 1
            let slots = missionRNG.weightedIndex([0.6, 0.25, 0.15]) + 1
            var required = ["basic_life_support"]
            if let cert = Self.specialtyCertification[specialty] { required.append(cert) }
            if let cert = Self.serviceCertification[service] { required.append(cert) }
            let id = OpportunityID("mission-\(m + 1)")
            let serviceIndex = services.firstIndex(of: service)!, rhythmIndex = rhythms.firstIndex(of: rhythm)!

            // Clinicians of the specialty consider it.
            var applicants: [(clinician: Int, time: Int64, utility: Double)] = []
            // A mission is seen by at most `audience` clinicians of its specialty.
            let pool = bySpecialty[specialty] ?? []
            let audience = pool.count <= Self.audience ? pool : Array(missionRNG.shuffled(pool).prefix(Self.audience)).sorted()
            for c in audience {
                let clinician = clinicians[c]
                let km = clinician.location.distance(to: hospital.location)
                let utility = clinician.serviceAffinity[serviceIndex] + clinician.rhythmAffinity[rhythmIndex]
                    + clinician.paySensitivity * payZ * 4 - 2.5 * km / clinician.travelKm + hospital.prestige * 0.5
                let seeProbability = 0.7 * Self.sigmoid(utility + 1.5)
                guard missionRNG.chance(seeProbability) else { continue }
                let seenAt = posted + Int64(missionRNG.exponential(mean: 12 * 3600))
                log.add(clinician.id, id, .view, at: seenAt)
                guard missionRNG.chance(Self.sigmoid(1.6 * utility - 0.6)) else { continue }
                let appliedAt = seenAt + Int64(missionRNG.exponential(mean: 4 * 3600)) + 300
                log.add(clinician.id, id, .apply, at: appliedAt)
                applicants.append((c, appliedAt, utility))
            }

            var status = OpportunityStatus.open
            var filled = 0
            if !isOpen {
                // Qualified applicants not already busy, best (skill, earliness) first.
                let startStamp = Timestamp(secondsSinceEpoch: start)
                let ranked = applicants.sorted { a, b in
                    (clinicians[a.clinician].skill - Double(a.time - posted) / 86_400 / 5) > (clinicians[b.clinician].skill - Double(b.time - posted) / 86_400 / 5)
                }
                for a in ranked {
                    let clinician = clinicians[a.clinician]
                    let valid = Set(clinician.certifications.filter { $0.isValid(at: startStamp) }.map(\.name))
                    let decisionAt = a.time + Int64(missionRNG.exponential(mean: 24 * 3600)) + 3600
                    let busy = busyUntil[a.clinician].filter { $0 > start }.count
                    guard filled < slots, required.allSatisfy(valid.contains), busy < people[hospitalCount + a.clinician].capacity else {
                        log.add(clinician.id, id, .decline, at: decisionAt)
                        continue
                    }
                    filled += 1
                    busyUntil[a.clinician].append(end)
                    log.add(clinician.id, id, .hire, at: decisionAt, value: pay)
                    let roll = missionRNG.unit()
                    if roll < clinician.reliability {
                        log.add(clinician.id, id, .complete, at: end)
                        if missionRNG.chance(0.7) {
                            let overall = (clinician.skill + missionRNG.normal(sd: 0.5)).clamped(0, 10).rounded(places: 1)
                            let scores = ["communication", "professionalism", "quality", "timeliness"].map { name in
                                Interaction.SubScore(name: name, value: (overall + missionRNG.uniform(-1, 1)).clamped(0, 10).rounded(places: 1))
                            }
                            log.add(clinician.id, id, .rate, at: end + Int64(missionRNG.exponential(mean: 48 * 3600)), value: overall, subScores: scores)
                        }
                    } else {
                        let noShow = missionRNG.chance(0.4)
                        log.add(clinician.id, id, noShow ? .noShow : .cancel, at: noShow ? start + 3600 : start - Int64(missionRNG.int(6...72)) * Timeline.hour)
                    }
                }
                status = filled >= slots ? .filled : .closed
            }
            truth.opportunityOutcomes[id.rawValue] = isOpen ? "open" : filled == 0 ? "unfilled" : filled >= slots ? "filled" : "partially_filled"
            opportunities.append(try Opportunity(
                id: id, kind: .mission, client: hospital.id, title: "\(specialty.replacingUnderscores), \(service.replacingUnderscores), \(rhythm.replacingUnderscores)",
                required: try Facets([.service: [service], .specialty: [specialty], .rhythm: [rhythm]]),
                preferred: missionRNG.chance(0.2) ? try Facets([.language: ["en"]]) : Facets(),
                requiredCertifications: required,
                attributes: try Attributes(["pay": pay, "duration_days": Double((end - start) / Timeline.day), "hours_per_week": rhythm == "part_time" ? 20 : rhythm == "twelve_hour" ? 36 : 35]),
                location: hospital.location,
                window: try TimeWindow(start: Timestamp(secondsSinceEpoch: start), end: Timestamp(secondsSinceEpoch: end)),
                slots: slots, status: status))
        }
        return Marketplace(scenario: .missions, people: people, opportunities: opportunities, interactions: try log.interactions(), groundTruth: truth, attribution: nil)
    }

    static func sigmoid(_ x: Double) -> Double { 1 / (1 + Double.exp(-x)) }

    static func point(_ rng: inout SeededGenerator, radius: Double) throws(MatchworkError) -> GeoPoint {
        try GeoPoint(latitude: (centre.latitude + rng.uniform(-radius, radius)).rounded(places: 5),
                     longitude: (centre.longitude + rng.uniform(-radius, radius) * 1.4).rounded(places: 5))
    }
}
