/// Chooses and orders courses so that a learner reaches goal levels at the least total cost.
///
/// The problem: skills with a starting level and a goal level; courses that each raise some
/// skills to a level (`max(held, taught)`), can be taken once their prerequisites
/// (`held ≥ level` per skill) are met by the start plus the courses before them, and cost
/// something (hours, price or expected hours). A set of courses is a solution when some order of
/// it meets every prerequisite and, after it, every goal. Minimise the total cost.
///
/// ``solve(_:nodeBudget:)`` is exact by depth-first branch and bound: at each node it branches on
/// the unmet goal with the fewest courses that can meet it (the goals grow with the chosen
/// courses' prerequisites), and prunes with the lower bound
/// `cost + max(max_g c_g, Σ_g y_g)` over the unmet goals `g`, where `c_g` is the cheapest course
/// meeting `g` and `y` a feasible dual of the covering LP: each goal's cheapest share
/// `min_{c meets g} cost(c) / m(c)` (with `m(c)` the unmet goals `c` meets), then raised by the
/// slack its courses have left. Courses dominated by one no dearer that teaches at least as much and needs no
/// more are skipped, and so are sets reached twice (by a 64-bit hash of the set). When the budget of nodes runs out, the best
/// set found so far (never worse than ``greedy(_:)``, its starting point) is returned with the
/// root's lower bound, so the answer states how far from the optimum it can be.
public enum PathPlanner {
    public struct Course: Sendable, Hashable {
        /// Skills raised, by index into ``Problem/skills``, and the level reached.
        public var teaches: [(skill: Int, level: Double)]
        public var prerequisites: [(skill: Int, level: Double)]
        public var cost: Double

        public init(teaches: [(skill: Int, level: Double)], prerequisites: [(skill: Int, level: Double)], cost: Double) {
            self.teaches = teaches
            self.prerequisites = prerequisites
            self.cost = cost
        }

        public static func == (a: Self, b: Self) -> Bool {
            a.cost == b.cost && a.teaches.elementsEqual(b.teaches, by: ==) && a.prerequisites.elementsEqual(b.prerequisites, by: ==)
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(cost)
            for t in teaches { hasher.combine(t.skill); hasher.combine(t.level) }
            for p in prerequisites { hasher.combine(p.skill); hasher.combine(p.level) }
        }

        func teaches(_ skill: Int, atLeast level: Double) -> Bool { teaches.contains { $0.skill == skill && $0.level >= level } }
    }

    public struct Problem: Sendable, Hashable {
        public var skills: Int
        public var start: [Double]
        /// The goal level per skill (0: none).
        public var goal: [Double]
        public var courses: [Course]

        public init(start: [Double], goal: [Double], courses: [Course]) {
            precondition(start.count == goal.count, "start and goal must have a level per skill")
            self.skills = start.count
            self.start = start
            self.goal = goal
            self.courses = courses
        }
    }

    public struct Solution: Sendable, Hashable {
        /// Course indices in a valid order.
        public var order: [Int]
        public var cost: Double
        /// Whether the search finished, so the cost is the optimum.
        public var proven: Bool
        /// A lower bound on the optimum (the cost itself when proven).
        public var lowerBound: Double
        public var nodes: Int
        /// Goals no set of courses reaches (skill indices); the rest are met.
        public var unreachable: [Int]
    }

    /// Levels reachable by taking every course whose prerequisites become met, repeatedly.
    public static func reachable(_ problem: Problem) -> [Double] {
        var levels = problem.start
        var taken = [Bool](repeating: false, count: problem.courses.count)
        var changed = true
        while changed {
            changed = false
            for (c, course) in problem.courses.enumerated() where !taken[c] && course.prerequisites.allSatisfy({ levels[$0.skill] >= $0.level }) {
                taken[c] = true
                changed = true
                for t in course.teaches { levels[t.skill] = max(levels[t.skill], t.level) }
            }
        }
        return levels
    }

    /// Takes the courses of `set` whose prerequisites are met, repeatedly: the levels reached, and
    /// the prerequisites the courses left over still lack (empty when some order takes them all).
    static func closure(_ set: [Int], in problem: Problem) -> (levels: [Double], missing: [(skill: Int, level: Double)]) {
        var levels = problem.start
        var stuck = Set(set)
        var progressed = true
        while progressed {
            progressed = false
            for c in stuck where problem.courses[c].prerequisites.allSatisfy({ levels[$0.skill] >= $0.level }) {
                stuck.remove(c)
                for t in problem.courses[c].teaches { levels[t.skill] = max(levels[t.skill], t.level) }
                progressed = true
            }
        }
        return (levels, stuck.sorted().flatMap { problem.courses[$0].prerequisites.filter { levels[$0.skill] < $0.level } })
    }

    /// A valid order of `set` (courses taken as soon as their prerequisites are met, cheapest
    /// first among those that can be), or `nil` when none exists.
    public static func order(_ set: [Int], in problem: Problem) -> [Int]? {
        var levels = problem.start
        var left = set.sorted { (problem.courses[$0].cost, $0) < (problem.courses[$1].cost, $1) }
        var order: [Int] = []
        while !left.isEmpty {
            guard let next = left.firstIndex(where: { problem.courses[$0].prerequisites.allSatisfy { levels[$0.skill] >= $0.level } }) else { return nil }
            let c = left.remove(at: next)
            order.append(c)
            for t in problem.courses[c].teaches { levels[t.skill] = max(levels[t.skill], t.level) }
        }
        return order
    }

    /// Whether `order` is valid and meets every goal that ``reachable(_:)`` can reach.
    public static func isValid(_ order: [Int], in problem: Problem) -> Bool {
        var levels = problem.start
        guard Set(order).count == order.count else { return false }
        for c in order {
            guard problem.courses[c].prerequisites.allSatisfy({ levels[$0.skill] >= $0.level }) else { return false }
            for t in problem.courses[c].teaches { levels[t.skill] = max(levels[t.skill], t.level) }
        }
        let reach = reachable(problem)
        return (0..<problem.skills).allSatisfy { s in problem.goal[s] <= levels[s] || reach[s] < problem.goal[s] }
    }

    /// The search state: chosen courses, the levels they reach, the goals they imply.
    struct State {
        var chosen: [Bool]
        var list: [Int] = []
        var cost = 0.0
        var levels: [Double]
        var goals: [Double]

        init(_ problem: Problem, goals: [Double]) {
            chosen = [Bool](repeating: false, count: problem.courses.count)
            levels = problem.start
            self.goals = goals
        }

        mutating func add(_ c: Int, _ problem: Problem) {
            chosen[c] = true
            list.append(c)
            hash ^= Self.word(c)
            cost += problem.courses[c].cost
            for t in problem.courses[c].teaches { levels[t.skill] = max(levels[t.skill], t.level) }
            for p in problem.courses[c].prerequisites { goals[p.skill] = max(goals[p.skill], p.level) }
        }

        func unmet() -> [Int] { levels.indices.filter { levels[$0] < goals[$0] } }

        /// The set's Zobrist hash: the XOR of a fixed random word per chosen course.
        private(set) var hash: UInt64 = 0

        static func word(_ c: Int) -> UInt64 {
            // SplitMix64 of the index.
            var z = UInt64(c) &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// The goals that some set reaches: those above ``reachable(_:)`` dropped.
    static func reachableGoals(_ problem: Problem) -> (goals: [Double], unreachable: [Int]) {
        let reach = reachable(problem)
        var goals = problem.goal, unreachable: [Int] = []
        for s in 0..<problem.skills where goals[s] > problem.start[s] && reach[s] < goals[s] {
            goals[s] = 0
            unreachable.append(s)
        }
        return (goals, unreachable)
    }

    /// What the search reads at every node: the usable courses, and per skill the courses
    /// teaching it, cheapest first.
    struct Index {
        let usable: [Bool]
        let teachers: [[(course: Int, level: Double)]]

        init(_ problem: Problem) {
            let reach = reachable(problem)
            var usable = problem.courses.map { course in course.prerequisites.allSatisfy { reach[$0.skill] >= $0.level } }
            // A course is dominated by one no dearer that teaches at least as much of each of its
            // skills and needs no more: swapping them keeps any plan valid, so the search skips it.
            for a in problem.courses.indices where usable[a] {
                let ca = problem.courses[a]
                for b in problem.courses.indices where b != a && usable[b] {
                    let cb = problem.courses[b]
                    guard cb.cost <= ca.cost, ca.teaches.allSatisfy({ cb.teaches($0.skill, atLeast: $0.level) }) else { continue }
                    let needsNoMore = cb.prerequisites.allSatisfy { pre in
                        problem.start[pre.skill] >= pre.level || ca.prerequisites.contains { $0.skill == pre.skill && $0.level >= pre.level }
                    }
                    // Equal courses: the first stays.
                    let equal = cb.cost == ca.cost && cb.teaches.allSatisfy({ ca.teaches($0.skill, atLeast: $0.level) })
                        && ca.prerequisites.allSatisfy { pre in problem.start[pre.skill] >= pre.level || cb.prerequisites.contains { $0.skill == pre.skill && $0.level >= pre.level } }
                    if needsNoMore, !equal || b < a {
                        usable[a] = false
                        break
                    }
                }
            }
            var teachers = [[(course: Int, level: Double)]](repeating: [], count: problem.skills)
            for (c, course) in problem.courses.enumerated() where usable[c] {
                for t in course.teaches { teachers[t.skill].append((c, t.level)) }
            }
            for s in teachers.indices { teachers[s].sort { (problem.courses[$0.course].cost, $0.course) < (problem.courses[$1.course].cost, $1.course) } }
            self.usable = usable
            self.teachers = teachers
        }

        /// Courses not in `state` that meet goal `g`, cheapest first.
        func options(_ g: Int, _ state: State) -> [Int] {
            teachers[g].lazy.filter { $0.level >= state.goals[g] && !state.chosen[$0.course] }.map(\.course)
        }

        /// A lower bound on the cost still to pay, or `nil` when a goal cannot be met:
        /// `max(max_g c_g, Σ_g min_{c meets g} cost(c) / m(c))`, where `c_g` is the cheapest
        /// course meeting unmet goal `g` and `m(c)` how many unmet goals `c` meets. (Split each
        /// course's cost evenly over the goals it meets: a plan pays at least each goal's
        /// cheapest share.)
        func lowerBound(_ state: State, _ problem: Problem, scratch covers: inout [Int]) -> Double? {
            let unmet = state.unmet()
            return lowerBound(unmet.map { Array(options($0, state)) }, problem, scratch: &covers)
        }

        /// The bound from each unmet goal's options (cheapest first).
        func lowerBound(_ options: [[Int]], _ problem: Problem, scratch covers: inout [Int]) -> Double? {
            guard !options.isEmpty else { return 0 }
            var largest = 0.0
            for opts in options {
                guard let first = opts.first else { return nil }
                largest = max(largest, problem.courses[first].cost)
                for c in opts { covers[c] += 1 }
            }
            // y_g = the cheapest share is a feasible dual of the covering LP (Σ_{g ∈ c} y_g ≤ cost(c)
            // for every course); raising each y_g by the least slack left on its courses keeps it
            // feasible, and Σ y_g stays a lower bound. `covers` holds m(c), then the slack.
            var y = [Double](repeating: 0, count: options.count)
            for (i, opts) in options.enumerated() {
                var least = Double.infinity
                for c in opts { least = min(least, problem.courses[c].cost / Double(covers[c])) }
                y[i] = least
            }
            var slack = [Double](repeating: 0, count: problem.courses.count)
            for opts in options { for c in opts { slack[c] = problem.courses[c].cost; covers[c] = 0 } }
            for (i, opts) in options.enumerated() { for c in opts { slack[c] -= y[i] } }
            for (i, opts) in options.enumerated() {
                var least = Double.infinity
                for c in opts { least = min(least, slack[c]) }
                let raise = max(0, least)
                y[i] += raise
                for c in opts { slack[c] -= raise }
            }
            return max(largest, y.reduce(0, +))
        }
    }

    /// The cheapest set of courses meeting every reachable goal, in a valid order.
    ///
    /// - Parameter nodeBudget: nodes to visit before returning the best found (not proven).
    /// - Complexity: exponential in the worst case; the budget bounds it.
    public static func solve(_ problem: Problem, nodeBudget: Int = 200_000) -> Solution {
        let (goals, unreachable) = reachableGoals(problem)
        let index = Index(problem)
        let usable = index.usable
        let start = greedy(problem)
        var best = start.order, bestCost = start.cost
        let root = State(problem, goals: goals)
        var covers = [Int](repeating: 0, count: problem.courses.count)
        let rootBound = index.lowerBound(root, problem, scratch: &covers) ?? 0
        var nodes = 0, exhausted = false
        var seen = Set<UInt64>()

        func visit(_ state: inout State) {
            guard !exhausted else { return }
            nodes += 1
            if nodes > nodeBudget { exhausted = true; return }
            guard seen.insert(state.hash).inserted else { return }
            let unmet = state.unmet()
            let options = unmet.map { Array(index.options($0, state)) }
            guard let bound = index.lowerBound(options, problem, scratch: &covers), state.cost + bound < bestCost - 1e-9 else { return }
            if unmet.isEmpty {
                if let order = order(state.list, in: problem) {
                    best = order
                    bestCost = state.cost
                    return
                }
                // No order exists: some chosen course's prerequisite is met only by courses after it.
                // Any solution containing these courses adds one that teaches such a prerequisite.
                let needed = closure(state.list, in: problem).missing
                let providers = problem.courses.indices.filter { c in
                    usable[c] && !state.chosen[c] && needed.contains { problem.courses[c].teaches($0.skill, atLeast: $0.level) }
                }.sorted { (problem.courses[$0].cost, $0) < (problem.courses[$1].cost, $1) }
                for c in providers {
                    var next = state
                    next.add(c, problem)
                    visit(&next)
                }
                return
            }
            // The most constrained unmet goal.
            let branch = options.min { $0.count < $1.count } ?? []
            for c in branch {
                var next = state
                next.add(c, problem)
                visit(&next)
            }
        }
        var rootState = root
        visit(&rootState)
        return Solution(order: best, cost: bestCost, proven: !exhausted, lowerBound: exhausted ? min(rootBound, bestCost) : bestCost, nodes: nodes, unreachable: unreachable)
    }

    /// A greedy plan: repeatedly the course with the most unmet goals met per unit of cost (the
    /// cheapest way to meet its own unmet prerequisites counted in its cost), then courses added
    /// for any prerequisite no order meets, then courses removed whose removal keeps the plan valid,
    /// costliest first.
    public static func greedy(_ problem: Problem) -> Solution {
        let (goals, unreachable) = reachableGoals(problem)
        let usable = Index(problem).usable
        var state = State(problem, goals: goals)
        func cheapestFor(_ skill: Int, _ level: Double, _ state: State) -> Double {
            problem.courses.indices.filter { usable[$0] && !state.chosen[$0] && problem.courses[$0].teaches(skill, atLeast: level) }
                .map { problem.courses[$0].cost }.min() ?? .infinity
        }
        var guardCount = 0
        while case let unmet = state.unmet(), !unmet.isEmpty, guardCount < problem.courses.count {
            guardCount += 1
            var bestCourse = -1, bestScore = -Double.infinity
            for c in problem.courses.indices where usable[c] && !state.chosen[c] {
                let course = problem.courses[c]
                let met = unmet.filter { course.teaches($0, atLeast: state.goals[$0]) }.count
                guard met > 0 else { continue }
                var extra = 0.0
                for p in course.prerequisites where state.levels[p.skill] < p.level {
                    extra += cheapestFor(p.skill, p.level, state)
                }
                let score = Double(met) / max(1e-9, course.cost + extra)
                if score > bestScore { (bestCourse, bestScore) = (c, score) }
            }
            guard bestCourse >= 0 else { break }
            state.add(bestCourse, problem)
        }
        // Prerequisites no order meets: add the cheapest course teaching one, until an order exists.
        var order = PathPlanner.order(state.list, in: problem)
        var repairs = 0
        while order == nil, repairs < problem.courses.count {
            repairs += 1
            let (levels, needed) = closure(state.list, in: problem)
            guard let c = problem.courses.indices.filter({ c in usable[c] && !state.chosen[c] && problem.courses[c].prerequisites.allSatisfy { levels[$0.skill] >= $0.level } && needed.contains { problem.courses[c].teaches($0.skill, atLeast: $0.level) } })
                .min(by: { (problem.courses[$0].cost, $0) < (problem.courses[$1].cost, $1) })
            else { break }
            state.add(c, problem)
            order = PathPlanner.order(state.list, in: problem)
        }
        var plan = order ?? []
        // Drop what is not needed, costliest first.
        for c in plan.sorted(by: { (problem.courses[$0].cost, $0) > (problem.courses[$1].cost, $1) }) {
            let rest = plan.filter { $0 != c }
            if let reordered = PathPlanner.order(rest, in: problem), meets(rest, goals, problem) { plan = reordered }
        }
        let cost = plan.reduce(0) { $0 + problem.courses[$1].cost }
        let complete = meets(plan, goals, problem) && PathPlanner.order(plan, in: problem) != nil
        return Solution(order: plan, cost: complete ? cost : .infinity, proven: false, lowerBound: 0, nodes: 0, unreachable: unreachable)
    }

    static func meets(_ set: [Int], _ goals: [Double], _ problem: Problem) -> Bool {
        var levels = problem.start
        for c in set { for t in problem.courses[c].teaches { levels[t.skill] = max(levels[t.skill], t.level) } }
        return goals.indices.allSatisfy { levels[$0] >= goals[$0] }
    }
}
