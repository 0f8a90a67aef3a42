import Foundation
import Plots
import StyleTransfer
import TensorCore

/// Keeps every iteration's losses and where each scale began, for the sidecar's loss trace and `--plot`. The
/// terms are plotted as they enter the total (weight × loss), so the curves add up to the total's.
final class LossRecorder: EngineObserver {
    /// One iteration as the sidecar records it.
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

    private let recipe: Recipe
    private(set) var points: [Point] = []
    private var scaleStarts: [LossPlot.Marker] = []

    init(recipe: Recipe) { self.recipe = recipe }

    func engine(_ event: EngineEvent, image: () -> Tensor) -> ObserverDecision {
        switch event {
        case .scaleStarted(let index, let count, let shape, _) where index > 0:
            // Between the last iteration of the previous scale and the first of this one.
            scaleStarts.append(.init(x: Double(points.last?.iteration ?? 0) + 0.5, label: "scale \(index + 1)/\(count): \(shape.width)×\(shape.height)"))
        case .iteration(let r):
            points.append(Point(iteration: r.iteration, scale: r.scale + 1, scaleIteration: r.scaleIteration, elapsed: r.elapsed, losses: r.losses))
        default:
            break
        }
        return .proceed
    }

    func plot(title: String) -> LossPlot {
        func series(_ name: String, _ value: (Losses) -> Double?) -> LossPlot.Series {
            .init(name: name, points: points.compactMap { p in value(p.losses).map { .init(x: Double(p.iteration), y: $0) } })
        }
        func weighted(_ name: String, _ weight: Double) -> String { weight == 1 ? name : "\(name) × \(Self.format(weight))" }
        var all = [
            series("total", { $0.total }),
            series(weighted("content", recipe.contentWeight), { $0.content * self.recipe.contentWeight }),
            series(weighted("style", recipe.styleWeight), { $0.style * self.recipe.styleWeight }),
            series(weighted("tv", recipe.tvWeight), { $0.tv * self.recipe.tvWeight }),
        ]
        for name in Set(points.flatMap(\.losses.pixelTerms.keys)).sorted() { all.append(series(name, { $0.pixelTerms[name] })) }
        // A term that is zero throughout (weight 0) has no place on a log axis.
        return LossPlot(title: title, series: all.filter { $0.points.contains { $0.y > 0 } }, markers: scaleStarts)
    }

    /// A weight as people write it: 0.5, 10, 1e5, 2.5e-4.
    static func format(_ v: Double) -> String {
        guard v > 0, v >= 1e4 || v < 1e-3 else { return String(format: "%g", v) }
        let exponent = Int(floor(log10(v)))
        var mantissa = String(format: "%.3f", v / pow(10, Double(exponent)))
        while mantissa.hasSuffix("0") { mantissa.removeLast() }
        if mantissa.hasSuffix(".") { mantissa.removeLast() }
        return "\(mantissa)e\(exponent)"
    }
}
