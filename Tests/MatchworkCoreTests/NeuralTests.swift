import MatchworkCore
import Testing

@Suite("Neural building blocks")
struct NeuralTests {
    /// Random values uniform in ±1.
    static func random(_ count: Int, _ generator: inout SeededGenerator) -> [Float] {
        (0..<count).map { _ in Float(generator.unit() * 2 - 1) }
    }

    /// `Σ c ⊙ mlp(x)`: a loss whose output gradient is `c`.
    static func loss(_ mlp: MLP, _ x: [Float], batch: Int, _ c: [Float]) -> Double {
        var workspace = MLPWorkspace()
        var y = [Float](repeating: 0, count: batch * mlp.outputs)
        x.withUnsafeBufferPointer { x in y.withUnsafeMutableBufferPointer { mlp.forward(x, batch: batch, workspace: &workspace, into: $0) } }
        return zip(y, c).reduce(0) { $0 + Double($1.0 * $1.1) }
    }

    @Test("MLP gradients (parameters and input) agree with central finite differences")
    func mlpGradientCheck() {
        var generator = SeededGenerator(seed: 5)
        let mlp = MLP(sizes: [5, 4, 3, 2], generator: &generator)
        let batch = 3
        let x = Self.random(batch * 5, &generator), c = Self.random(batch * 2, &generator)
        var workspace = MLPWorkspace()
        var y = [Float](repeating: 0, count: batch * 2)
        var gradients = [Float](repeating: 0, count: mlp.parameters.count)
        var inputGradient = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { xb in
            y.withUnsafeMutableBufferPointer { mlp.forward(xb, batch: batch, workspace: &workspace, into: $0) }
            c.withUnsafeBufferPointer { cb in
                gradients.withUnsafeMutableBufferPointer { g in
                    inputGradient.withUnsafeMutableBufferPointer { ig in
                        mlp.backward(cb, workspace: &workspace, input: xb, parameterGradients: g, inputGradient: ig)
                    }
                }
            }
        }
        let epsilon: Float = 1e-3
        func close(_ analytic: Float, _ numeric: Double) -> Bool { abs(Double(analytic) - numeric) <= 2e-3 * max(1, abs(numeric)) }
        var checked = 0
        for i in mlp.parameters.indices {
            var plus = mlp, minus = mlp
            plus.parameters[i] += epsilon
            minus.parameters[i] -= epsilon
            let numeric = (Self.loss(plus, x, batch: batch, c) - Self.loss(minus, x, batch: batch, c)) / Double(2 * epsilon)
            #expect(close(gradients[i], numeric), "parameter \(i): \(gradients[i]) vs \(numeric)")
            checked += 1
        }
        for i in x.indices {
            var plus = x, minus = x
            plus[i] += epsilon
            minus[i] -= epsilon
            let numeric = (Self.loss(mlp, plus, batch: batch, c) - Self.loss(mlp, minus, batch: batch, c)) / Double(2 * epsilon)
            #expect(close(inputGradient[i], numeric), "input \(i): \(inputGradient[i]) vs \(numeric)")
        }
        #expect(checked == 5 * 4 + 4 + 4 * 3 + 3 + 3 * 2 + 2)
        // Gradients accumulate: a second backward pass doubles them.
        let first = gradients
        x.withUnsafeBufferPointer { xb in
            c.withUnsafeBufferPointer { cb in
                gradients.withUnsafeMutableBufferPointer { mlp.backward(cb, workspace: &workspace, input: xb, parameterGradients: $0, inputGradient: nil) }
            }
        }
        #expect(zip(gradients, first).allSatisfy { abs($0 - 2 * $1) <= 1e-5 * max(1, abs($0)) })
    }

    @Test("MLP forward through BLAS equals a plain scalar reference")
    func mlpForwardReference() {
        var generator = SeededGenerator(seed: 9)
        let mlp = MLP(sizes: [6, 5, 1], generator: &generator)
        let batch = 4
        let x = Self.random(batch * 6, &generator)
        var workspace = MLPWorkspace()
        var y = [Float](repeating: 0, count: batch)
        x.withUnsafeBufferPointer { xb in y.withUnsafeMutableBufferPointer { mlp.forward(xb, batch: batch, workspace: &workspace, into: $0) } }
        let (w1, b1) = mlp.offsets(layer: 1), (w2, b2) = mlp.offsets(layer: 2)
        let p = mlp.parameters
        for r in 0..<batch {
            var hidden = [Float](repeating: 0, count: 5)
            for j in 0..<5 {
                var z = p[b1 + j]
                for k in 0..<6 { z += x[r * 6 + k] * p[w1 + k * 5 + j] }
                hidden[j] = max(0, z)
            }
            var out = p[b2]
            for k in 0..<5 { out += hidden[k] * p[w2 + k] }
            #expect(abs(out - y[r]) <= 1e-5 * max(1, abs(out)))
        }
    }

    @Test("Losses: values on hand cases, gradients against finite differences")
    func losses() {
        let predictions: [Float] = [0.2, -1.5, 3.0, 0.7], targets: [Float] = [1, 0, 1, 0.25]
        var gradient = [Float](repeating: 0, count: 4)
        func value(_ kind: Int, _ y: [Float]) -> Double {
            var scratch = [Float](repeating: 0, count: 4)
            return y.withUnsafeBufferPointer { yb in
                targets.withUnsafeBufferPointer { tb in
                    scratch.withUnsafeMutableBufferPointer { g in
                        kind == 0 ? Loss.meanSquaredError(yb, tb, gradient: g)
                            : kind == 1 ? Loss.binaryCrossEntropy(logits: yb, tb, gradient: g) : Loss.pinball(yb, tb, quantile: 0.9, gradient: g)
                    }
                }
            }
        }
        // MSE by hand: (0.64 + 2.25 + 4 + 0.2025) / 4.
        #expect(abs(value(0, predictions) - 7.0925 / 4) < 1e-6)
        // Pinball at 0.9: errors t − y = 0.8, 1.5, −2, −0.45 → 0.72, 1.35, 0.2, 0.045.
        #expect(abs(value(2, predictions) - 2.315 / 4) < 1e-6)
        // BCE stays finite for large logits.
        let large: [Float] = [80, -80, 80, -80]
        #expect(value(1, large).isFinite)
        for kind in 0..<3 {
            _ = predictions.withUnsafeBufferPointer { yb in
                targets.withUnsafeBufferPointer { tb in
                    gradient.withUnsafeMutableBufferPointer { g in
                        kind == 0 ? Loss.meanSquaredError(yb, tb, gradient: g)
                            : kind == 1 ? Loss.binaryCrossEntropy(logits: yb, tb, gradient: g) : Loss.pinball(yb, tb, quantile: 0.9, gradient: g)
                    }
                }
            }
            for i in 0..<4 {
                var plus = predictions, minus = predictions
                plus[i] += 1e-3
                minus[i] -= 1e-3
                let numeric = (value(kind, plus) - value(kind, minus)) / 2e-3
                #expect(abs(Double(gradient[i]) - numeric) < 1e-3, "loss \(kind), entry \(i): \(gradient[i]) vs \(numeric)")
            }
        }
    }

    @Test("Embedding rows are gathered and their gradients summed per row")
    func embeddings() {
        var generator = SeededGenerator(seed: 3)
        let table = EmbeddingTable(rows: 10, width: 3, generator: &generator)
        #expect(table.values.allSatisfy { abs($0) <= 0.05 })
        // Two batch rows, each 5 wide: the embedding at columns 1...3.
        var batch = [Float](repeating: 9, count: 10)
        batch.withUnsafeMutableBufferPointer { table.gather([4, 7], into: $0, stride: 5, offset: 1) }
        #expect(Array(batch[1...3]) == Array(table.values[12..<15]))
        #expect(Array(batch[6...8]) == Array(table.values[21..<24]))
        #expect(batch[0] == 9 && batch[4] == 9)
        var gradients = RowGradients(width: 3)
        let upstream: [Float] = [0, 1, 2, 3, 0, 0, 10, 20, 30, 0, 0, 100, 200, 300, 0]
        upstream.withUnsafeBufferPointer { gradients.add([4, 7, 4], from: $0, stride: 5, offset: 1) }
        #expect(gradients.rows == [4, 7])
        #expect(gradients.values == [101, 202, 303, 10, 20, 30])
        gradients.removeAll()
        #expect(gradients.rows.isEmpty && gradients.values.isEmpty)
    }

    @Test("Adam minimises a quadratic; lazy row updates touch only their rows")
    func adam() {
        // f(θ) = Σ (θ_i − i)², from 0.
        var theta = [Float](repeating: 0, count: 4)
        var adam = AdamOptimizer(parameters: 4)
        for _ in 0..<2000 {
            adam.advance()
            let gradient = theta.indices.map { 2 * (theta[$0] - Float($0)) }
            adam.update(&theta, gradients: gradient, learningRate: 0.05)
        }
        #expect(theta.indices.allSatisfy { abs(theta[$0] - Float($0)) < 1e-2 }, "\(theta)")
        // The first step moves each touched parameter by about the learning rate.
        var table = [Float](repeating: 1, count: 6)
        var lazy = AdamOptimizer(parameters: 6)
        lazy.advance()
        lazy.update(rows: [2], width: 2, of: &table, gradients: [3, -0.5], learningRate: 0.1)
        #expect(Array(table[0..<4]) == [1, 1, 1, 1])
        #expect(abs(table[4] - 0.9) < 1e-5 && abs(table[5] - 1.1) < 1e-5)
    }

    @Test("An MLP trained with Adam learns XOR")
    func learnsXOR() {
        var generator = SeededGenerator(seed: 1)
        var mlp = MLP(sizes: [2, 8, 1], generator: &generator)
        let x: [Float] = [0, 0, 0, 1, 1, 0, 1, 1], t: [Float] = [0, 1, 1, 0]
        var adam = AdamOptimizer(parameters: mlp.parameters.count)
        var workspace = MLPWorkspace()
        var y = [Float](repeating: 0, count: 4), dy = y
        var gradients = [Float](repeating: 0, count: mlp.parameters.count)
        var loss = 0.0
        for _ in 0..<1500 {
            for i in gradients.indices { gradients[i] = 0 }
            x.withUnsafeBufferPointer { xb in
                y.withUnsafeMutableBufferPointer { mlp.forward(xb, batch: 4, workspace: &workspace, into: $0) }
                loss = y.withUnsafeBufferPointer { yb in t.withUnsafeBufferPointer { tb in dy.withUnsafeMutableBufferPointer { Loss.binaryCrossEntropy(logits: yb, tb, gradient: $0) } } }
                dy.withUnsafeBufferPointer { d in gradients.withUnsafeMutableBufferPointer { mlp.backward(d, workspace: &workspace, input: xb, parameterGradients: $0, inputGradient: nil) } }
            }
            adam.advance()
            adam.update(&mlp.parameters, gradients: gradients, learningRate: 0.03)
        }
        #expect(loss < 0.05, "loss \(loss)")
        #expect(zip(y, t).allSatisfy { ($0.0 > 0) == ($0.1 > 0.5) })
    }
}
