import StyleTransfer
import TensorCore

/// Every iteration's losses, kept for the sidecar.
final class LossTrace: EngineObserver {
    struct Point: Encodable {
        var iteration: Int
        var scale: Int
        var scaleIteration: Int
        var elapsed: Double
        var losses: Losses

        enum CodingKeys: String, CodingKey {
            case iteration, scale, elapsed, losses
            case scaleIteration = "scale_iteration"
        }
    }

    private(set) var points: [Point] = []

    func engine(_ event: EngineEvent, image: () -> Tensor) -> ObserverDecision {
        if case .iteration(let r) = event {
            points.append(Point(iteration: r.iteration, scale: r.scale + 1, scaleIteration: r.scaleIteration, elapsed: r.elapsed, losses: r.losses))
        }
        return .proceed
    }
}
