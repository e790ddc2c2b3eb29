import RealModule

/// A multilayer perceptron: dense layers with ReLU between them and a linear last layer.
///
///     a₀ = x,   z_l = a_{l−1} W_l + b_l,   a_l = max(0, z_l) for l < L,   y = z_L
///
/// `sizes` = [inputs, hidden…, outputs]. The parameters of every layer sit in one contiguous
/// buffer (`W₁` row-major `inputs × h₁`, then `b₁`, then `W₂`, …), so that one optimiser step
/// covers them all. Batches are row-major `batch × width` buffers; the matrix products go
/// through ``LinearAlgebra/gemm(_:transposeA:_:transposeB:into:m:n:k:alpha:beta:)``.
public struct MLP: Sendable, Hashable, Codable {
    /// Layer widths, input first.
    public let sizes: [Int]
    /// Every layer's weights then biases, layer by layer.
    public var parameters: [Float]

    /// Starts the weights He-uniform (`±√(6 / fan-in)`, for ReLU) and the biases at 0.
    public init(sizes: [Int], generator: inout SeededGenerator) {
        precondition(sizes.count >= 2 && sizes.allSatisfy { $0 > 0 }, "MLP: at least an input and an output width, all positive")
        self.sizes = sizes
        var parameters: [Float] = []
        for l in 1..<sizes.count {
            let limit = (6 / Double(sizes[l - 1])).squareRoot()
            for _ in 0..<(sizes[l - 1] * sizes[l]) { parameters.append(Float((generator.unit() * 2 - 1) * limit)) }
            parameters += repeatElement(0, count: sizes[l])
        }
        self.parameters = parameters
    }

    public var inputs: Int { sizes[0] }
    public var outputs: Int { sizes[sizes.count - 1] }
    public var layers: Int { sizes.count - 1 }

    /// Where layer `l`'s (1-based) weights and biases start in ``parameters``.
    public func offsets(layer l: Int) -> (weights: Int, biases: Int) {
        var offset = 0
        for k in 1..<l { offset += sizes[k - 1] * sizes[k] + sizes[k] }
        return (offset, offset + sizes[l - 1] * sizes[l])
    }

    /// Writes the outputs for `batch` rows of `input` (`batch × inputs`) into `output`
    /// (`batch × outputs`), keeping in `workspace` what
    /// ``backward(_:workspace:input:parameterGradients:inputGradient:)`` needs.
    public func forward(_ input: UnsafeBufferPointer<Float>, batch: Int, workspace: inout MLPWorkspace, into output: UnsafeMutableBufferPointer<Float>) {
        workspace.prepare(for: self, batch: batch)
        let layout = workspace.layout
        parameters.withUnsafeBufferPointer { p in
            workspace.storage.withUnsafeMutableBufferPointer { s in
                for l in 1...layers {
                    let n = sizes[l], k = sizes[l - 1]
                    let (w, b) = offsets(layer: l)
                    let a = l == 1 ? input : UnsafeBufferPointer(rebasing: s[layout.activation(l - 1)..<(layout.activation(l - 1) + batch * k)])
                    let z = UnsafeMutableBufferPointer(rebasing: s[layout.preActivation(l)..<(layout.preActivation(l) + batch * n)])
                    // z = 1 bᵀ, then z += a W.
                    for r in 0..<batch { for j in 0..<n { z[r * n + j] = p[b + j] } }
                    LinearAlgebra.gemm(a, UnsafeBufferPointer(rebasing: p[w..<(w + k * n)]), into: z, m: batch, n: n, k: k, beta: 1)
                    if l < layers {
                        // a_l = max(0, z_l)
                        let out = layout.activation(l)
                        for i in 0..<(batch * n) { s[out + i] = max(0, z[i]) }
                    } else {
                        for i in 0..<(batch * n) { output[i] = z[i] }
                    }
                }
            }
        }
    }

    /// The outputs (`rows × outputs`) from the first layer's pre-activations `z₁`
    /// (`rows × sizes[1]`), for scoring only: ``forward(_:batch:workspace:into:)`` from layer 2
    /// without a training workspace to allocate and clear.
    public func outputs(fromFirstLayer z: [Float], rows: Int) -> [Float] {
        var a = z
        guard layers > 1 else { return a }
        parameters.withUnsafeBufferPointer { p in
            for l in 2...layers {
                let k = sizes[l - 1], n = sizes[l]
                a.withUnsafeMutableBufferPointer { a in for i in a.indices { a[i] = max(0, a[i]) } }
                let (w, b) = offsets(layer: l)
                // z = 1 bᵀ, then z += a W.
                var next = [Float](unsafeUninitializedCapacity: rows * n) { buffer, count in
                    for r in 0..<rows { for j in 0..<n { buffer[r * n + j] = p[b + j] } }
                    count = rows * n
                }
                a.withUnsafeBufferPointer { a in
                    next.withUnsafeMutableBufferPointer {
                        LinearAlgebra.gemm(a, UnsafeBufferPointer(rebasing: p[w..<(w + k * n)]), into: $0, m: rows, n: n, k: k, beta: 1)
                    }
                }
                a = next
            }
        }
        return a
    }

    /// Back-propagates `outputGradient` (∂loss/∂y, `batch × outputs`) through the batch of the
    /// last ``forward(_:batch:workspace:)``: adds ∂loss/∂parameters into `parameterGradients`
    /// (laid out as ``parameters``) and, when given, writes ∂loss/∂x into `inputGradient`.
    public func backward(
        _ outputGradient: UnsafeBufferPointer<Float>, workspace: inout MLPWorkspace, input: UnsafeBufferPointer<Float>,
        parameterGradients: UnsafeMutableBufferPointer<Float>, inputGradient: UnsafeMutableBufferPointer<Float>?
    ) {
        let batch = workspace.batch, layout = workspace.layout
        parameters.withUnsafeBufferPointer { p in
            workspace.storage.withUnsafeMutableBufferPointer { s in
                // δ_L = ∂loss/∂z_L, held in the delta buffer of width `outputs`.
                var delta = layout.delta(0)
                for i in 0..<(batch * outputs) { s[delta + i] = outputGradient[i] }
                for l in stride(from: layers, through: 1, by: -1) {
                    let n = sizes[l], k = sizes[l - 1]
                    let (w, b) = offsets(layer: l)
                    let d = UnsafeBufferPointer(rebasing: s[delta..<(delta + batch * n)])
                    let a = l == 1 ? input : UnsafeBufferPointer(rebasing: s[layout.activation(l - 1)..<(layout.activation(l - 1) + batch * k)])
                    // ∂W_l += a_{l−1}ᵀ δ_l,   ∂b_l += Σ_rows δ_l
                    LinearAlgebra.gemm(a, transposeA: true, d, into: UnsafeMutableBufferPointer(rebasing: parameterGradients[w..<(w + k * n)]), m: k, n: n, k: batch, beta: 1)
                    for r in 0..<batch { for j in 0..<n { parameterGradients[b + j] += d[r * n + j] } }
                    if l == 1 && inputGradient == nil { break }
                    // ∂a_{l−1} = δ_l W_lᵀ
                    let next = l > 1 ? layout.delta(layers - l + 1) : 0
                    let target = l == 1 ? inputGradient! : UnsafeMutableBufferPointer(rebasing: s[next..<(next + batch * k)])
                    LinearAlgebra.gemm(d, UnsafeBufferPointer(rebasing: p[w..<(w + k * n)]), transposeB: true, into: target, m: batch, n: k, k: n)
                    if l > 1 {
                        // δ_{l−1} = ∂a_{l−1} ⊙ [z_{l−1} > 0]
                        let z = layout.preActivation(l - 1)
                        for i in 0..<(batch * k) where s[z + i] <= 0 { s[next + i] = 0 }
                        delta = next
                    }
                }
            }
        }
    }
}

/// The buffers of one forward and backward pass of an ``MLP``, reused across batches
/// (grown, never shrunk): per layer the pre-activations `z_l` and activations `a_l`, and the
/// back-propagated deltas.
public struct MLPWorkspace: Sendable {
    var storage: [Float] = []
    private(set) var batch = 0
    private var sizes: [Int] = []
    private(set) var layout = Layout()

    /// Where each buffer starts in ``storage``.
    struct Layout: Sendable {
        var z: [Int] = [], a: [Int] = [], deltas: [Int] = []
        func preActivation(_ l: Int) -> Int { z[l] }
        func activation(_ l: Int) -> Int { a[l] }
        /// The delta buffer `k` steps back from the output (0 = δ_L, then ∂a_{L−1}, …).
        func delta(_ k: Int) -> Int { deltas[k] }
    }

    public init() {}

    mutating func prepare(for mlp: MLP, batch: Int) {
        if sizes == mlp.sizes && batch == self.batch { return }
        sizes = mlp.sizes
        self.batch = batch
        var offset = 0
        var layout = Layout(z: [0], a: [0])
        for l in 1..<sizes.count {
            layout.z.append(offset)
            offset += batch * sizes[l]
            layout.a.append(offset)
            offset += batch * sizes[l]
        }
        for l in stride(from: sizes.count - 1, through: 1, by: -1) {
            layout.deltas.append(offset)
            offset += batch * sizes[l]
        }
        self.layout = layout
        if storage.count < offset { storage = [Float](repeating: 0, count: offset) }
    }
}
