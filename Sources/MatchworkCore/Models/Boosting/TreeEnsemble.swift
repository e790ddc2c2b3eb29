import RealModule

/// A booster's trees evaluated in Swift, for the request path: the C call costs a DMatrix copy
/// and a lock per list, far more than walking a few dozen shallow trees over ten rows.
///
/// Read from the model XGBoost saves as JSON (``Booster/serialized()``): per tree its nodes'
/// children, split features, conditions (a leaf's value in place of a condition) and default
/// directions, and for SHAP each node's cover (`sum_hessian`). A row goes left when its value
/// is below the condition, the default way when it is missing (`NaN`), as XGBoost decides;
/// margins add the leaves tree by tree in `Float` onto the base margin, so they equal the
/// library's to rounding (tested to 1e-6).
public struct TreeEnsemble: Sendable, Hashable {
    /// One node: a split (`feature ≥ 0`) or a leaf (`feature < 0`, `value` its weight).
    struct Node: Sendable, Hashable {
        var feature: Int32
        var value: Float
        var left: Int32
        var right: Int32
        var missing: Int32
    }

    /// Every tree's nodes, one after another; node indices are absolute.
    let nodes: [Node]
    /// Each tree's root in ``nodes``.
    let roots: [Int32]
    /// Each node's cover (the hessian sum of the training rows that reached it).
    let covers: [Float]
    /// Each node's expected value over the training rows (cover-weighted mean of its leaves).
    let means: [Float]
    /// Each tree's depth (a lone leaf: 0).
    let depths: [Int]
    /// Every leaf's path and its SHAP table, for ``contributions(_:)`` (``LeafPaths``).
    private(set) var paths: LeafPaths
    /// The margin before any tree (the base score, through the objective's link).
    public let baseMargin: Float
    /// The features a row has.
    public let columns: Int

    public var trees: Int { roots.count }

    /// The trees of a model in XGBoost's JSON format, scoring rows of `columns` features.
    /// - Throws: when the bytes are not such a model, or it is not one this evaluator reads
    ///   (a `gbtree` of single-output trees with numerical splits, for a ranking, logistic or
    ///   squared-error objective).
    public init(xgboostJSON bytes: [UInt8], columns: Int) throws(MatchworkError) {
        func refuse(_ why: String) -> MatchworkError {
            MatchworkError(.invalidValue, "the booster's JSON model cannot be read in Swift: \(why); train the ranker again.", field: "model")
        }
        let root: MiniJSON
        do throws(MiniJSON.ParseError) {
            root = try MiniJSON.parse(bytes)
        } catch {
            throw refuse("\(error.message) at byte \(error.offset)")
        }
        guard let learner = root["learner"], let booster = learner["gradient_booster"] else { throw refuse("it has no learner.gradient_booster") }
        guard booster["name"]?.string == "gbtree", let model = booster["model"], let trees = model["trees"]?.array else {
            throw refuse("its booster is '\(booster["name"]?.string ?? "?")', not a gbtree")
        }
        if let parallel = model["gbtree_model_param"]?["num_parallel_tree"]?.string, parallel != "1" { throw refuse("it has \(parallel) parallel trees per round") }
        if let info = model["tree_info"]?.array, info.contains(where: { $0.number != 0 }) { throw refuse("it has more than one output group") }
        guard let baseText = learner["learner_model_param"]?["base_score"]?.string, let base = Double(baseText) else { throw refuse("it has no base_score") }
        switch learner["objective"]?["name"]?.string {
        case "binary:logistic":
            guard base > 0, base < 1 else { throw refuse("its base score \(base) is not a probability") }
            baseMargin = Float(-Double.log(1 / base - 1))
        case "rank:ndcg", "rank:pairwise", "rank:map", "reg:squarederror":
            baseMargin = Float(base)
        case let other:
            throw refuse("its objective '\(other ?? "?")' is not one of rank:ndcg, rank:pairwise, binary:logistic, reg:squarederror")
        }
        var nodes: [Node] = [], roots: [Int32] = [], covers: [Float] = []
        for (t, tree) in trees.enumerated() {
            guard let left = tree["left_children"]?.integers, let right = tree["right_children"]?.integers, let features = tree["split_indices"]?.integers,
                let conditions = tree["split_conditions"]?.floats, let defaults = tree["default_left"]?.integers, let hessians = tree["sum_hessian"]?.floats
            else { throw refuse("tree \(t) lacks its children, splits, conditions, default directions or covers") }
            let n = left.count
            guard n >= 1, right.count == n, features.count == n, conditions.count == n, defaults.count == n, hessians.count == n else {
                throw refuse("tree \(t)'s node arrays differ in length")
            }
            if let types = tree["split_type"]?.integers, types.contains(where: { $0 != 0 }) { throw refuse("tree \(t) has categorical splits") }
            let offset = Int32(nodes.count)
            roots.append(offset)
            for i in 0..<n {
                let isLeaf = left[i] < 0
                if !isLeaf {
                    guard (0..<n).contains(left[i]), (0..<n).contains(right[i]), left[i] > i, right[i] > i else { throw refuse("tree \(t)'s node \(i) has a child out of order") }
                    guard (0..<columns).contains(features[i]) else { throw refuse("tree \(t) splits on feature \(features[i]) of \(columns)") }
                }
                let l = isLeaf ? -1 : offset + Int32(left[i]), r = isLeaf ? -1 : offset + Int32(right[i])
                nodes.append(Node(feature: isLeaf ? -1 : Int32(features[i]), value: conditions[i], left: l, right: r, missing: defaults[i] != 0 ? l : r))
                covers.append(hessians[i])
            }
        }
        self.nodes = nodes
        self.roots = roots
        self.covers = covers
        self.columns = columns
        // Expected values bottom-up (children come after their parent), as XGBoost fills them.
        var means = [Float](repeating: 0, count: nodes.count)
        for n in nodes.indices.reversed() {
            let node = nodes[n]
            means[n] = node.feature < 0 ? node.value : (means[Int(node.left)] * covers[Int(node.left)] + means[Int(node.right)] * covers[Int(node.right)]) / covers[n]
        }
        self.means = means
        var depth = [Int](repeating: 0, count: nodes.count)
        var depths = [Int](repeating: 0, count: roots.count)
        for (t, root) in roots.enumerated() {
            let end = t + 1 < roots.count ? Int(roots[t + 1]) : nodes.count
            for n in Int(root)..<end where nodes[n].feature >= 0 {
                depth[Int(nodes[n].left)] = depth[n] + 1
                depth[Int(nodes[n].right)] = depth[n] + 1
            }
            depths[t] = depth[Int(root)..<end].max() ?? 0
        }
        self.depths = depths
        self.paths = LeafPaths(nodes: nodes, roots: roots, covers: covers)
    }

    /// The same trees with tables only where a leaf's path has at most `features` distinct
    /// features (for tests of the trees that keep the recursion).
    func limitingTables(to features: Int) -> TreeEnsemble {
        var copy = self
        copy.paths = LeafPaths(nodes: nodes, roots: roots, covers: covers, maxFeatures: features)
        return copy
    }

    /// The leaf a row reaches in the tree rooted at `root`.
    @inline(__always)
    func leaf(_ root: Int32, _ row: UnsafePointer<Float>, _ nodes: UnsafeBufferPointer<Node>) -> Int {
        var n = Int(root)
        while true {
            let node = nodes[n]
            guard node.feature >= 0 else { return n }
            let x = row[Int(node.feature)]
            n = Int(x.isNaN ? node.missing : x < node.value ? node.left : node.right)
        }
    }

    /// The margin of each row of `values` (row-major, ``columns`` per row; `NaN` is missing).
    public func margins(_ values: [Float]) -> [Float] {
        let rows = values.count / max(1, columns)
        var out = [Float](repeating: baseMargin, count: rows)
        values.withUnsafeBufferPointer { v in
            nodes.withUnsafeBufferPointer { nodes in
                guard let base = v.baseAddress else { return }
                for r in 0..<rows {
                    let row = base + r * columns
                    var sum = baseMargin
                    for root in roots { sum += nodes[leaf(root, row, nodes)].value }
                    out[r] = sum
                }
            }
        }
        return out
    }
}

extension TreeEnsemble {
    /// One feature on the path from the root in TreeSHAP: the share of covers that follow it
    /// (`zero`), whether the row follows it (`one`), and the path's permutation weight.
    struct PathElement {
        var feature: Int32 = -1
        var zero: Float = 0
        var one: Float = 0
        var weight: Float = 0
    }

    /// Per row of `values`, each feature's SHAP contribution to the margin and then the bias:
    /// `columns + 1` values per row, summing to ``margins(_:)``: the exact path-dependent
    /// TreeSHAP values XGBoost's `pred_contribs` gives, to rounding (tested to 1e-5).
    ///
    /// Each tree is read from its leaves' precomputed tables (``LeafPaths``): per leaf, which
    /// of its path's features the row follows picks one entry, and each of those features gets
    /// its share from it, so a row costs a comparison per split and a few additions per leaf
    /// and path feature. A tree without tables (a path too deep, a child with no cover) goes
    /// through the recursion of ``referenceContributions(_:)``.
    public func contributions(_ values: [Float]) -> [Float] {
        let rows = values.count / max(1, columns)
        let width = columns + 1
        var out = [Float](repeating: 0, count: rows * width)
        let deepest = (depths.max() ?? 0) + 2
        var path = [PathElement](repeating: PathElement(), count: deepest * (deepest + 1) / 2)
        var tree = [Float](repeating: 0, count: width)
        var widest = 0
        for t in roots.indices { widest = max(widest, (t + 1 < roots.count ? Int(roots[t + 1]) : nodes.count) - Int(roots[t])) }
        var mask = [Int](repeating: 0, count: widest)
        values.withUnsafeBufferPointer { v in
            guard let base = v.baseAddress else { return }
            nodes.withUnsafeBufferPointer { nodes in
                out.withUnsafeMutableBufferPointer { out in
                    mask.withUnsafeMutableBufferPointer { mask in
                        path.withUnsafeMutableBufferPointer { path in
                            tree.withUnsafeMutableBufferPointer { tree in
                                paths.withTables { p in
                                    for r in 0..<rows {
                                        let phi = out.baseAddress! + r * width
                                        contributions(of: base + r * columns, into: phi, nodes, p, mask.baseAddress!, path.baseAddress!, tree.baseAddress!)
                                        phi[columns] += baseMargin
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// One row's contributions, added to `phi` (``contributions(_:)``); `mask`, `path` and
    /// `tree` are scratch space for the widest tree, the deepest path and a row's width.
    @inline(__always)
    private func contributions(
        of row: UnsafePointer<Float>, into phi: UnsafeMutablePointer<Float>, _ nodes: UnsafeBufferPointer<Node>, _ p: LeafPaths.Buffers,
        _ mask: UnsafeMutablePointer<Int>, _ path: UnsafeMutablePointer<PathElement>, _ tree: UnsafeMutablePointer<Float>
    ) {
        for t in 0..<roots.count {
            let start = Int(roots[t]), end = t + 1 < roots.count ? Int(roots[t + 1]) : nodes.count
            phi[columns] += means[start]
            guard p.fast[t] else {
                for k in 0..<columns { tree[k] = 0 }
                shap(row, tree, node: start, depth: 0, path: path, zero: 1, one: 1, feature: -1)
                for k in 0..<columns { phi[k] += tree[k] }
                continue
            }
            // Per node, which of its path's features (by slot) the row has followed so far:
            // children come after their parent, so one pass in node order.
            mask[0] = ~0
            for n in start..<end {
                let node = nodes[n]
                guard node.feature >= 0 else { continue }
                let x = row[Int(node.feature)]
                let taken = x.isNaN ? node.missing : x < node.value ? node.left : node.right
                let m = mask[n - start], off = m & ~(1 << Int(p.nodeSlots[n]))
                mask[Int(node.left) - start] = taken == node.left ? m : off
                mask[Int(node.right) - start] = taken == node.right ? m : off
            }
            for l in Int(p.treeLeaves[t])..<Int(p.treeLeaves[t + 1]) {
                let leaf = p.leaves[l]
                let d = Int(leaf.features)
                let hot = mask[Int(leaf.node) - start] & ((1 << d) - 1)
                let table = p.tables + Int(leaf.table)
                let cold = -table[hot]
                let slots = p.slots.baseAddress! + Int(leaf.slots)
                for j in 0..<d {
                    let bit = 1 << j
                    let warm = slots[j].scale * table[hot & ~bit]
                    phi[Int(slots[j].feature)] += hot & bit != 0 ? warm : cold
                }
            }
        }
    }

    /// The same contributions as ``contributions(_:)`` by the recursion of exact TreeSHAP
    /// (Lundberg, Erion and Lee 2018, Algorithm 2) over every tree, in `Float` as XGBoost
    /// computes it: the reference the tables are tested against.
    public func referenceContributions(_ values: [Float]) -> [Float] {
        let rows = values.count / max(1, columns)
        let width = columns + 1
        var out = [Float](repeating: 0, count: rows * width)
        let deepest = (depths.max() ?? 0) + 2
        var path = [PathElement](repeating: PathElement(), count: deepest * (deepest + 1) / 2)
        var tree = [Float](repeating: 0, count: width)
        let rootMeans = roots.map { means[Int($0)] }
        values.withUnsafeBufferPointer { v in
            guard let base = v.baseAddress else { return }
            for r in 0..<rows {
                let row = base + r * columns
                for (t, root) in roots.enumerated() {
                    for k in 0..<width { tree[k] = 0 }
                    tree[columns] += rootMeans[t]
                    path.withUnsafeMutableBufferPointer { p in
                        tree.withUnsafeMutableBufferPointer { phi in
                            shap(row, phi.baseAddress!, node: Int(root), depth: 0, path: p.baseAddress!, zero: 1, one: 1, feature: -1)
                        }
                    }
                    for k in 0..<width { out[r * width + k] += tree[k] }
                }
                out[r * width + columns] += baseMargin
            }
        }
        return out
    }

    /// TreeSHAP's recursion from `node`, the path so far at `path[0...depth]` (a copy is made
    /// just after it for the children), arriving by `feature` with fractions `zero` and `one`.
    private func shap(
        _ row: UnsafePointer<Float>, _ phi: UnsafeMutablePointer<Float>, node n: Int, depth parentDepth: Int, path parent: UnsafeMutablePointer<PathElement>,
        zero: Float, one: Float, feature: Int32
    ) {
        var depth = parentDepth
        let path = parent + depth + 1
        for k in 0...depth { path[k] = parent[k] }
        Self.extend(path, depth: depth, zero: zero, one: one, feature: feature)
        let node = nodes[n]
        if node.feature < 0 {
            if depth >= 1 {
                for i in 1...depth {
                    let w = Self.unwoundSum(path, depth: depth, index: i)
                    let e = path[i]
                    phi[Int(e.feature)] += w * (e.one - e.zero) * node.value
                }
            }
            return
        }
        let x = row[Int(node.feature)]
        let hot = Int(x.isNaN ? node.missing : x < node.value ? node.left : node.right)
        let cold = hot == Int(node.left) ? Int(node.right) : Int(node.left)
        let cover = covers[n]
        let hotZero = covers[hot] / cover, coldZero = covers[cold] / cover
        var incomingZero: Float = 1, incomingOne: Float = 1
        // A feature split on earlier is unwound, to be split again here.
        var k = 0
        while k <= depth, path[k].feature != node.feature { k += 1 }
        if k <= depth {
            incomingZero = path[k].zero
            incomingOne = path[k].one
            Self.unwind(path, depth: depth, index: k)
            depth -= 1
        }
        shap(row, phi, node: hot, depth: depth + 1, path: path, zero: hotZero * incomingZero, one: incomingOne, feature: node.feature)
        shap(row, phi, node: cold, depth: depth + 1, path: path, zero: coldZero * incomingZero, one: 0, feature: node.feature)
    }

    private static func extend(_ path: UnsafeMutablePointer<PathElement>, depth: Int, zero: Float, one: Float, feature: Int32) {
        path[depth] = PathElement(feature: feature, zero: zero, one: one, weight: depth == 0 ? 1 : 0)
        var i = depth - 1
        while i >= 0 {
            path[i + 1].weight += one * path[i].weight * Float(i + 1) / Float(depth + 1)
            path[i].weight = zero * path[i].weight * Float(depth - i) / Float(depth + 1)
            i -= 1
        }
    }

    private static func unwind(_ path: UnsafeMutablePointer<PathElement>, depth: Int, index: Int) {
        let one = path[index].one, zero = path[index].zero
        var next = path[depth].weight
        var i = depth - 1
        while i >= 0 {
            if one != 0 {
                let tmp = path[i].weight
                path[i].weight = next * Float(depth + 1) / (Float(i + 1) * one)
                next = tmp - path[i].weight * zero * Float(depth - i) / Float(depth + 1)
            } else {
                path[i].weight = path[i].weight * Float(depth + 1) / (zero * Float(depth - i))
            }
            i -= 1
        }
        for k in index..<depth {
            path[k].feature = path[k + 1].feature
            path[k].zero = path[k + 1].zero
            path[k].one = path[k + 1].one
        }
    }

    private static func unwoundSum(_ path: UnsafeMutablePointer<PathElement>, depth: Int, index: Int) -> Float {
        let one = path[index].one, zero = path[index].zero
        var next = path[depth].weight
        var total: Float = 0
        var i = depth - 1
        while i >= 0 {
            if one != 0 {
                let tmp = next * Float(depth + 1) / (Float(i + 1) * one)
                total += tmp
                next = path[i].weight - tmp * zero * (Float(depth - i) / Float(depth + 1))
            } else if zero != 0 {
                total += (path[i].weight / zero) / (Float(depth - i) / Float(depth + 1))
            }
            i -= 1
        }
        return total
    }
}

/// Every leaf's path through its tree, and a table that gives TreeSHAP's contributions in
/// closed form for whichever of the path's splits a row follows.
///
/// On a leaf's path, let `P` be its distinct split features (`d` of them), `z_j` the share of
/// the cover that follows `j`'s splits (the product over them of child cover / node cover) and
/// `H ⊆ P` the features whose every split the row follows. Path-dependent TreeSHAP gives
/// feature `i` the part `v (o_i − z_i) Σ_{S ⊆ H∖{i}} c(|S|) Π_{j ∈ P∖S∖{i}} z_j` of the leaf's
/// value `v`, with `c(k) = k! (d − k − 1)! / d!` and `o_i = 1` when `i ∈ H`. With
/// `A(H) = Σ_{S ⊆ H} c(|S|) Π_{j ∈ P∖S} z_j`, that is `v (1 − z_i) / z_i × A(H∖{i})` for
/// `i ∈ H` and `−v A(H)` otherwise (the idea of Yang's Fast TreeSHAP v2, 2021). The table
/// holds `v A(H)` for every `H`: `2^d` entries per leaf, so a tree whose paths have more than
/// ``maxFeatures`` distinct features, or a child with no cover, keeps the recursion.
struct LeafPaths: Sendable, Hashable {
    struct Leaf: Sendable, Hashable {
        /// The leaf's node, its path's distinct features and where its slots and table start.
        var node: Int32
        var features: UInt8
        var slots: Int32
        var table: Int32
    }
    /// A distinct feature on a leaf's path and its `(1 − z) / z`.
    struct Slot: Sendable, Hashable {
        var feature: Int32
        var scale: Float
    }

    static let maxFeatures = 10

    /// Whether each tree has tables.
    let fast: [Bool]
    /// Each tree's first leaf in ``leaves``, and one past the last tree's.
    let treeLeaves: [Int32]
    let leaves: [Leaf]
    /// Per node (absolute), the slot of its split feature among the distinct features of the
    /// path to it, in order of first appearance: leaves that share the path share the slots.
    let nodeSlots: [UInt8]
    let slots: [Slot]
    let tables: [Float]

    init(nodes: [TreeEnsemble.Node], roots: [Int32], covers: [Float], maxFeatures: Int = LeafPaths.maxFeatures) {
        var fast: [Bool] = [], treeLeaves: [Int32] = [], leaves: [Leaf] = [], slots: [Slot] = [], tables: [Float] = []
        var nodeSlots = [UInt8](repeating: 0, count: nodes.count)
        for root in roots {
            treeLeaves.append(Int32(leaves.count))
            let marks = (leaves.count, slots.count, tables.count)
            var ok = true
            // Depth-first from the root, with the path's distinct features and their cover shares.
            var stack: [(node: Int32, features: [Int32], zeros: [Double])] = [(root, [], [])]
            while ok, let (n, features, zeros) = stack.popLast() {
                let node = nodes[Int(n)]
                if node.feature >= 0 {
                    let slot = features.firstIndex(of: node.feature) ?? features.count
                    guard slot < maxFeatures, covers[Int(n)] > 0 else { ok = false; break }
                    nodeSlots[Int(n)] = UInt8(slot)
                    for child in [node.right, node.left] {
                        let share = Double(covers[Int(child)]) / Double(covers[Int(n)])
                        guard share > 0 else { ok = false; break }
                        var (f, z) = (features, zeros)
                        if slot == f.count { f.append(node.feature); z.append(1) }
                        z[slot] *= share
                        stack.append((child, f, z))
                    }
                    continue
                }
                leaves.append(Leaf(node: n, features: UInt8(features.count), slots: Int32(slots.count), table: Int32(tables.count)))
                for (f, z) in zip(features, zeros) { slots.append(Slot(feature: f, scale: Float((1 - z) / z))) }
                tables += Self.table(value: Double(node.value), zeros: zeros)
            }
            if !ok {
                leaves.removeSubrange(marks.0...)
                slots.removeSubrange(marks.1...)
                tables.removeSubrange(marks.2...)
            }
            fast.append(ok)
        }
        treeLeaves.append(Int32(leaves.count))
        (self.fast, self.treeLeaves, self.leaves, self.nodeSlots, self.slots, self.tables) = (fast, treeLeaves, leaves, nodeSlots, slots, tables)
    }

    /// `v A(H)` for every subset `H` of a path's `zeros.count` features (bit `j`: feature `j`).
    static func table(value: Double, zeros: [Double]) -> [Float] {
        let d = zeros.count, full = 1 << d
        // c(k) = k! (d − k − 1)! / d!, for k < d.
        var c = [Double](repeating: 0, count: d + 1)
        for k in 0..<d {
            // k! (d − 1 − k)! / (d − 1)! is 1 / binomial(d − 1, k).
            var binomial = 1.0
            for i in 0..<k { binomial = binomial * Double(d - 1 - i) / Double(i + 1) }
            c[k] = 1 / (Double(d) * binomial)
        }
        // Π_{j ∉ S} z_j for every S.
        var outside = [Double](repeating: 1, count: full)
        for set in 0..<full {
            var p = 1.0
            for j in 0..<d where set & (1 << j) == 0 { p *= zeros[j] }
            outside[set] = p
        }
        var out = [Float](repeating: 0, count: full)
        for hot in 0..<full {
            var a = 0.0, sub = hot
            while true {
                a += c[sub.nonzeroBitCount] * outside[sub]
                if sub == 0 { break }
                sub = (sub - 1) & hot
            }
            out[hot] = Float(value * a)
        }
        return out
    }

    /// The arrays as raw buffers for the per-row loop.
    struct Buffers {
        let fast: UnsafeBufferPointer<Bool>
        let treeLeaves: UnsafeBufferPointer<Int32>
        let leaves: UnsafeBufferPointer<Leaf>
        let nodeSlots: UnsafeBufferPointer<UInt8>
        let slots: UnsafeBufferPointer<Slot>
        let tables: UnsafePointer<Float>
    }

    func withTables<R>(_ body: (Buffers) -> R) -> R {
        fast.withUnsafeBufferPointer { fast in
            treeLeaves.withUnsafeBufferPointer { treeLeaves in
                leaves.withUnsafeBufferPointer { leaves in
                    nodeSlots.withUnsafeBufferPointer { nodeSlots in
                        slots.withUnsafeBufferPointer { slots in
                            tables.withUnsafeBufferPointer { tables in
                                // A model of lone leaves has no table: any valid pointer serves.
                                let start = tables.baseAddress ?? UnsafePointer(bitPattern: MemoryLayout<Float>.alignment)!
                                return body(Buffers(fast: fast, treeLeaves: treeLeaves, leaves: leaves, nodeSlots: nodeSlots, slots: slots, tables: start))
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Just enough JSON for a saved XGBoost model: objects, arrays, strings, numbers, booleans and
/// null, without Foundation (``MatchworkCore`` does no I/O and imports none).
enum MiniJSON: Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([MiniJSON])
    case object([String: MiniJSON])

    struct ParseError: Error {
        var message: String
        var offset: Int
    }

    subscript(key: String) -> MiniJSON? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    var number: Double? {
        switch self {
        case .number(let x): x
        case .bool(let b): b ? 1 : 0
        default: nil
        }
    }

    var array: [MiniJSON]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// An array of whole numbers (booleans as 0 and 1).
    var integers: [Int]? {
        guard let a = array else { return nil }
        var out: [Int] = []
        out.reserveCapacity(a.count)
        for v in a {
            guard let x = v.number, x == x.rounded(), abs(x) < 1e15 else { return nil }
            out.append(Int(x))
        }
        return out
    }

    var floats: [Float]? {
        guard let a = array else { return nil }
        var out: [Float] = []
        out.reserveCapacity(a.count)
        for v in a {
            guard let x = v.number else { return nil }
            out.append(Float(x))
        }
        return out
    }

    static func parse(_ bytes: [UInt8]) throws(ParseError) -> MiniJSON {
        var parser = Parser(bytes: bytes)
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.at == bytes.count else { throw ParseError(message: "text after the JSON value", offset: parser.at) }
        return value
    }

    struct Parser {
        let bytes: [UInt8]
        var at = 0

        mutating func skipSpace() {
            while at < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[at]) { at += 1 }
        }

        func fail(_ message: String) -> ParseError { ParseError(message: message, offset: at) }

        mutating func expect(_ word: String) throws(ParseError) {
            for b in word.utf8 {
                guard at < bytes.count, bytes[at] == b else { throw fail("expected '\(word)'") }
                at += 1
            }
        }

        mutating func value(depth: Int) throws(ParseError) -> MiniJSON {
            guard depth < 64 else { throw fail("nesting deeper than 64") }
            skipSpace()
            guard at < bytes.count else { throw fail("unexpected end") }
            switch bytes[at] {
            case UInt8(ascii: "{"):
                at += 1
                var object: [String: MiniJSON] = [:]
                skipSpace()
                if at < bytes.count, bytes[at] == UInt8(ascii: "}") {
                    at += 1
                    return .object(object)
                }
                while true {
                    skipSpace()
                    let key = try string()
                    skipSpace()
                    try expect(":")
                    object[key] = try value(depth: depth + 1)
                    skipSpace()
                    guard at < bytes.count else { throw fail("unterminated object") }
                    if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                    try expect("}")
                    return .object(object)
                }
            case UInt8(ascii: "["):
                at += 1
                var array: [MiniJSON] = []
                skipSpace()
                if at < bytes.count, bytes[at] == UInt8(ascii: "]") {
                    at += 1
                    return .array(array)
                }
                while true {
                    array.append(try value(depth: depth + 1))
                    skipSpace()
                    guard at < bytes.count else { throw fail("unterminated array") }
                    if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                    try expect("]")
                    return .array(array)
                }
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try expect("true"); return .bool(true)
            case UInt8(ascii: "f"): try expect("false"); return .bool(false)
            case UInt8(ascii: "n"): try expect("null"); return .null
            default: return .number(try number())
            }
        }

        mutating func string() throws(ParseError) -> String {
            try expect("\"")
            var out: [UInt8] = []
            while at < bytes.count {
                let b = bytes[at]
                at += 1
                switch b {
                case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard at < bytes.count else { throw fail("unterminated escape") }
                    let e = bytes[at]
                    at += 1
                    switch e {
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "u"):
                        guard at + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[at..<(at + 4)], as: UTF8.self), radix: 16) else { throw fail("bad \\u escape") }
                        at += 4
                        out.append(contentsOf: String(Unicode.Scalar(code).map(Character.init) ?? "\u{FFFD}").utf8)
                    default: out.append(e)
                    }
                default: out.append(b)
                }
            }
            throw fail("unterminated string")
        }

        mutating func number() throws(ParseError) -> Double {
            let start = at
            while at < bytes.count, "+-0123456789.eE".utf8.contains(bytes[at]) { at += 1 }
            guard at > start, let x = Double(String(decoding: bytes[start..<at], as: UTF8.self)) else { throw fail("expected a value") }
            return x
        }
    }
}
