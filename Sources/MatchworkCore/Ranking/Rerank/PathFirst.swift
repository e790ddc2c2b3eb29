import Synchronization

extension RecommendationEngine {
    /// The search budget of a path planned for a course list: the planner's proven optimum on
    /// most learners, its best plan found so far on the rest (``PathPlanner``), in a fraction of
    /// a second.
    static let pathFirstNodeBudget = 20_000

    /// The skill market of this engine's snapshot (requirements, pass model), built once.
    public func skillMarket() -> SkillMarket { skillSource.market(for: snapshot) }

    /// A learner's course list led by the next course of their best learning path
    /// (``LearningPath``; the first step that passes the hard filters), then `chosen` without it,
    /// cut to `count`. Every path course in the list has its step as its first reason. The later
    /// steps keep their places: pinned in path order they would crowd out the courses learners
    /// take (docs/learning-paths.md measures both).
    ///
    /// - Returns: the new order, the step reason per candidate position, and a notice when no
    ///   path could be planned (no target, no gap a course closes).
    func pathFirst(_ query: QueryState, chosen: [Int], count: Int) -> (chosen: [Int], reasons: [Int: String], notice: String?) {
        let person = snapshot.people[Int(query.subject)].id
        let market = skillMarket()
        guard !market.courses.isEmpty else {
            return (chosen, [:], "No learning path to rank by: this marketplace offers no courses.")
        }
        let path: LearningPath
        do {
            path = try market.path(person: person, settings: PathSettings(nodeBudget: Self.pathFirstNodeBudget))
        } catch {
            return (chosen, [:], "No learning path to rank by: \(error.message)")
        }
        guard !path.steps.isEmpty else {
            return (chosen, [:], "No learning path to rank by: \(path.summary).")
        }
        let candidates = query.candidates
        func position(_ id: OpportunityID) -> Int? {
            guard let o = snapshot.opportunityIndex.index(of: id) else { return nil }
            var low = 0, high = candidates.count
            while low < high {
                let mid = (low + high) / 2
                if candidates[mid] < o { low = mid + 1 } else { high = mid }
            }
            return low < candidates.count && candidates[low] == o ? low : nil
        }
        var first: Int?, reasons: [Int: String] = [:]
        for step in path.steps {
            guard let i = position(step.course) else { continue }
            if first == nil { first = i }
            reasons[i] = "Step \(step.position) of \(path.steps.count) of your learning path to \(path.target.title): \(step.reason)"
        }
        guard let first else {
            return (chosen, [:], "No course of the learning path (\(path.steps.map(\.course.rawValue).joined(separator: ", "))) passes the hard filters.")
        }
        return (Array(([first] + chosen.filter { $0 != first }).prefix(count)), reasons, nil)
    }
}

/// The engine's skill market, built on first use under a lock, so concurrent first requests
/// build it once.
final class SkillSource: Sendable {
    private let state = Mutex<SkillMarket?>(nil)

    func market(for snapshot: MarketplaceSnapshot) -> SkillMarket {
        state.withLock { stored in
            if let stored { return stored }
            let built = SkillMarket(snapshot: snapshot)
            stored = built
            return built
        }
    }
}
