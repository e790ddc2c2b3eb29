import ArgumentParser
import MatchworkCore

/// The subject of `recommend` and `similar`: exactly one of `--person ID` or `--opportunity ID`.
enum SubjectArguments {
    /// Refuses none or both, as argument-parser's `validate()` does.
    static func checkOne(person: String?, opportunity: String?) throws {
        guard (person == nil) != (opportunity == nil) else {
            throw ValidationError("Give exactly one of --person ID or --opportunity ID.")
        }
    }

    /// The validated subject (after ``checkOne(person:opportunity:)``).
    static func subject(person: String?, opportunity: String?) throws(MatchworkError) -> RecommendationSubject {
        if let person { return .person(try PersonID.validated(person, field: "--person")) }
        return .opportunity(try OpportunityID.validated(opportunity ?? "", field: "--opportunity"))
    }
}
