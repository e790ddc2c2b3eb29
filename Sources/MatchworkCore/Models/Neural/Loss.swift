import RealModule

/// Training losses, each the mean over a batch, with their gradients.
public enum Loss {
    /// `L = (1/n) Σ (y − t)²`; writes `∂L/∂y = 2 (y − t) / n` into `gradient`.
    public static func meanSquaredError(_ predictions: UnsafeBufferPointer<Float>, _ targets: UnsafeBufferPointer<Float>, gradient: UnsafeMutableBufferPointer<Float>) -> Double {
        let n = predictions.count
        guard n > 0 else { return 0 }
        var total = 0.0
        for i in 0..<n {
            let e = predictions[i] - targets[i]
            total += Double(e * e)
            gradient[i] = 2 * e / Float(n)
        }
        return total / Double(n)
    }

    /// Binary cross-entropy of logits `s` against labels `t` in [0, 1]:
    /// `L = (1/n) Σ [log(1 + eˢ) − t s]`, computed stably; `∂L/∂s = (σ(s) − t) / n`.
    public static func binaryCrossEntropy(logits: UnsafeBufferPointer<Float>, _ targets: UnsafeBufferPointer<Float>, gradient: UnsafeMutableBufferPointer<Float>) -> Double {
        let n = logits.count
        guard n > 0 else { return 0 }
        var total = 0.0
        for i in 0..<n {
            let s = Double(logits[i]), t = Double(targets[i])
            // log(1 + eˢ) = max(s, 0) + log(1 + e^−|s|)
            total += max(s, 0) + Double.log(onePlus: Double.exp(-abs(s))) - t * s
            gradient[i] = Float((sigmoid(s) - t) / Double(n))
        }
        return total / Double(n)
    }

    /// Pinball (quantile) loss at quantile `q`: `(1/n) Σ max(q (t − y), (q − 1) (t − y))`;
    /// `∂L/∂y = −q / n` where `t > y`, `(1 − q) / n` where `t < y` (0 at equality).
    public static func pinball(_ predictions: UnsafeBufferPointer<Float>, _ targets: UnsafeBufferPointer<Float>, quantile q: Float, gradient: UnsafeMutableBufferPointer<Float>) -> Double {
        let n = predictions.count
        guard n > 0 else { return 0 }
        var total = 0.0
        for i in 0..<n {
            let e = targets[i] - predictions[i]
            total += Double(max(q * e, (q - 1) * e))
            gradient[i] = e > 0 ? -q / Float(n) : e < 0 ? (1 - q) / Float(n) : 0
        }
        return total / Double(n)
    }

    /// `σ(s) = 1 / (1 + e^−s)`, without overflow for large |s|.
    public static func sigmoid(_ s: Double) -> Double {
        s >= 0 ? 1 / (1 + Double.exp(-s)) : Double.exp(s) / (1 + Double.exp(s))
    }

    /// `log(1 + eˣ)`, without overflow, and its derivative σ(x).
    public static func softplus(_ x: Float) -> Float {
        max(x, 0) + Float.log(onePlus: Float.exp(-abs(x)))
    }
}
