/// Why a scale (or the run) ended.
public enum StopReason: String, Sendable, Codable {
    /// The scale's iteration count was used.
    case iterations
    /// The loss rose (`stop_on_rise`); the image before the rise was kept.
    case lossRose = "loss_rose"
    /// The loss fell by less than `tolerance` over `tolerance_window` iterations.
    case tolerance
    /// The optimizer found nothing left to gain (its gradient/change tolerances).
    case converged
    /// An observer or the cancellation flag asked to stop.
    case cancelled
}

/// Watches the loss of one scale and says when to stop.
struct StopRules {
    let stopOnRise: Bool
    let tolerance: Double
    let window: Int
    private var history: [Double] = []

    init(stopOnRise: Bool, tolerance: Double, window: Int) {
        self.stopOnRise = stopOnRise
        self.tolerance = tolerance
        self.window = window
    }

    /// Records the loss of the latest iteration; returns a reason to stop, if any.
    mutating func record(_ loss: Double) -> StopReason? {
        defer { history.append(loss) }
        if stopOnRise, let last = history.last, loss > last { return .lossRose }
        if tolerance > 0, history.count >= window {
            let old = history[history.count - window]
            if (old - loss) < tolerance * abs(old) { return .tolerance }
        }
        return nil
    }
}
