/// The allowed values of a facet: a closed list, or open (any token).
public enum Vocabulary: Hashable, Sendable {
    case closed([String])
    case open

    func check(_ value: String, field: String) throws(MatchworkError) {
        guard case .closed(let allowed) = self, !allowed.contains(value) else { return }
        throw MatchworkError(.unknownVocabulary, "\(field) '\(value)' is not in this scenario's vocabulary; use one of \(allowed.joined(separator: ", ")).", field: field)
    }
}

/// One of the three marketplaces Matchwork ships presets for.
public enum ScenarioName: String, Sendable, Codable, CaseIterable {
    /// Clinicians and hospital missions.
    case missions
    /// Cleaners, households and cleaning jobs with bids.
    case cleaning
    /// Learners, courses and job postings.
    case learning

    public static func parse(_ text: String, field: String = "scenario") throws(MatchworkError) -> ScenarioName {
        guard let name = ScenarioName(rawValue: text) else {
            throw MatchworkError(.unknownVocabulary, "\(field) '\(text)' is not a scenario; use one of missions, cleaning, learning.", field: field)
        }
        return name
    }
}

/// A scenario preset: the facet vocabularies, certification names, rating sub-scores and event
/// weights of one kind of marketplace. Records imported into a store that has a scenario are
/// validated against its preset.
public struct ScenarioPreset: Sendable {
    public let name: ScenarioName
    /// One line saying what the marketplace is.
    public let summary: String
    /// The role of the people who take opportunities.
    public let takerRole: PersonRole
    /// The opportunity kinds the marketplace holds.
    public let opportunityKinds: [OpportunityKind]
    public let vocabularies: [FacetName: Vocabulary]
    public let certifications: Vocabulary
    /// The sub-scores a rating may carry.
    public let subScores: [String]
    public let weights: InteractionWeights

    public static func named(_ name: ScenarioName) -> ScenarioPreset {
        switch name {
        case .missions: missions
        case .cleaning: cleaning
        case .learning: learning
        }
    }

    private static let languages = Vocabulary.closed(["ar", "de", "en", "es", "fr", "it", "nl", "pt", "ro"])

    /// Clinicians to hospital missions by service × specialty × rhythm.
    public static let missions = ScenarioPreset(
        name: .missions,
        summary: "clinicians and hospital missions (service x specialty x rhythm)",
        takerRole: .worker,
        opportunityKinds: [.mission],
        vocabularies: [
            .service: .closed(MissionVocabulary.services),
            .specialty: .closed(MissionVocabulary.specialties),
            .rhythm: .closed(MissionVocabulary.rhythms),
            .language: languages,
        ],
        certifications: .closed(MissionVocabulary.certifications),
        subScores: ["communication", "professionalism", "quality", "timeliness"],
        weights: .standard)

    /// Cleaners to cleaning jobs, with bids and reviews.
    public static let cleaning = ScenarioPreset(
        name: .cleaning,
        summary: "cleaners, households and cleaning jobs with bids and reviews",
        takerRole: .worker,
        opportunityKinds: [.job],
        vocabularies: [
            .service: .closed(CleaningVocabulary.services),
            .propertyType: .closed(CleaningVocabulary.propertyTypes),
            .language: languages,
        ],
        certifications: .closed(CleaningVocabulary.certifications),
        subScores: ["communication", "professionalism", "quality", "timeliness"],
        weights: .standard)

    /// Learners to courses that close the skill gap of their target occupation.
    public static let learning = ScenarioPreset(
        name: .learning,
        summary: "learners, courses and job postings by O*NET occupation",
        takerRole: .learner,
        opportunityKinds: [.course, .posting],
        vocabularies: [
            .occupation: .open,
            .language: languages,
            "delivery": .closed(["blended", "in_person", "online"]),
        ],
        certifications: .open,
        subScores: ["content", "difficulty", "instructor"],
        weights: .standard)

    /// Checks a person's facets and certifications against the preset.
    public func validate(_ person: Person) throws(MatchworkError) {
        try validate(person.facets, field: "facets")
        for certification in person.certifications {
            try certifications.check(certification.name, field: "certifications")
        }
    }

    /// Checks an opportunity's kind, facets and certifications against the preset.
    public func validate(_ opportunity: Opportunity) throws(MatchworkError) {
        guard opportunityKinds.contains(opportunity.kind) else {
            throw MatchworkError(.unknownVocabulary, "kind '\(opportunity.kind.rawValue)' does not belong to the \(name.rawValue) scenario; use \(opportunityKinds.map(\.rawValue).joined(separator: " or ")).", field: "kind")
        }
        try validate(opportunity.required, field: "required")
        try validate(opportunity.preferred, field: "preferred")
        for certification in opportunity.requiredCertifications {
            try certifications.check(certification, field: "certifications")
        }
    }

    /// Checks a rating's sub-score names against the preset.
    public func validate(_ interaction: Interaction) throws(MatchworkError) {
        for score in interaction.subScores where !subScores.contains(score.name) {
            throw MatchworkError(.unknownVocabulary, "sub-score '\(score.name)' is not rated in the \(name.rawValue) scenario; use \(subScores.joined(separator: ", ")).", field: "sub_scores")
        }
    }

    private func validate(_ facets: Facets, field: String) throws(MatchworkError) {
        for name in facets.names {
            guard let vocabulary = vocabularies[name] else {
                let known = vocabularies.keys.sorted().map(\.rawValue).joined(separator: ", ")
                throw MatchworkError(.unknownVocabulary, "\(field): facet '\(name)' is not used in the \(self.name.rawValue) scenario; use \(known).", field: field)
            }
            for value in facets[name] { try vocabulary.check(value, field: "\(field).\(name)") }
        }
    }
}

/// The hospital-mission vocabulary.
public enum MissionVocabulary {
    public static let services = [
        "cardiology", "emergency", "geriatrics", "intensive_care", "internal_medicine", "maternity",
        "oncology", "pediatrics", "psychiatry", "rehabilitation", "surgery",
    ]
    public static let specialties = [
        "anesthetist_nurse", "midwife", "nurse", "nursing_assistant", "operating_room_nurse",
        "pediatric_nurse", "physician", "physiotherapist",
    ]
    public static let rhythms = ["day", "night", "part_time", "twelve_hour", "weekend"]
    public static let certifications = [
        "advanced_life_support", "basic_life_support", "neonatal_resuscitation", "radiation_safety",
        "sterile_technique", "trauma_care",
    ]
}

/// The cleaning-marketplace vocabulary.
public enum CleaningVocabulary {
    public static let services = ["deep", "ironing", "move_out", "office", "post_construction", "regular", "windows"]
    public static let propertyTypes = ["apartment", "house", "office", "studio", "villa"]
    public static let certifications = ["eco_label", "insured", "background_checked"]
}
