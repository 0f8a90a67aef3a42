import Foundation
import StyleTransfer

/// One line of `--json`: what a GUI or a notebook reads while a run goes on. Every object has `"event"`; the
/// README lists the keys of each kind. Seconds are seconds, scales and frames count from 1.
enum ProgressEvent: Encodable {
    /// The run is set up: the command, the model, the recipe as it will run, the inputs and outputs; for a
    /// picture the scales and their iterations, for a clip its size, frame count and rate.
    case started(Started)
    case scale(Scale)
    case iteration(Iteration)
    /// Video: a frame is stylized (or taken from the work folder).
    case frame(Frame)
    /// A remark a text run prints on a line of its own (audio re-encoded, streams dropped).
    case note(String)
    case finished(Finished)

    struct Started: Encodable {
        var command: String
        var model: String
        var recipe: any Encodable
        var inputs: [String]
        var outputs: [String]
        var scales: [Scale]? = nil
        var width: Int? = nil
        var height: Int? = nil
        var frames: Int? = nil
        var fps: String? = nil

        enum CodingKeys: String, CodingKey { case command, model, recipe, inputs, outputs, scales, width, height, frames, fps }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(command, forKey: .command)
            try c.encode(model, forKey: .model)
            try c.encode(recipe, forKey: .recipe)
            try c.encode(inputs, forKey: .inputs)
            try c.encode(outputs, forKey: .outputs)
            try c.encodeIfPresent(scales, forKey: .scales)
            try c.encodeIfPresent(width, forKey: .width)
            try c.encodeIfPresent(height, forKey: .height)
            try c.encodeIfPresent(frames, forKey: .frames)
            try c.encodeIfPresent(fps, forKey: .fps)
        }
    }

    struct Scale: Encodable {
        var scale: Int
        var scales: Int
        var width: Int
        var height: Int
        var iterations: Int
        /// How the scale is evaluated within the memory budget (`EvaluationPlan`): tiles (1: whole), the largest
        /// interior's size, L-BFGS pairs kept (and whether in half precision), the estimated peak.
        var tiles: Int? = nil
        var tileHeight: Int? = nil
        var tileWidth: Int? = nil
        var historySize: Int? = nil
        /// The pairs are kept in half precision.
        var historyCompact: Bool? = nil
        var memoryBytes: Int? = nil

        enum CodingKeys: String, CodingKey {
            case scale, scales, width, height, iterations, tiles
            case tileHeight = "tile_height"
            case tileWidth = "tile_width"
            case historySize = "history_size"
            case historyCompact = "history_compact"
            case memoryBytes = "memory_bytes"
        }

        init(scale: Int, scales: Int, width: Int, height: Int, iterations: Int, plan: EvaluationPlan? = nil) {
            (self.scale, self.scales, self.width, self.height, self.iterations) = (scale, scales, width, height, iterations)
            tiles = plan?.tiles
            tileHeight = plan.flatMap { $0.tiles > 1 ? $0.interior.height : nil }
            tileWidth = plan.flatMap { $0.tiles > 1 ? $0.interior.width : nil }
            historySize = plan.flatMap { $0.historySize > 0 ? $0.historySize : nil }
            historyCompact = plan.flatMap { $0.compactHistory ? true : nil }
            memoryBytes = plan.flatMap { $0.bytes > 0 ? $0.bytes : nil }
        }
    }

    struct Iteration: Encodable {
        var iteration: Int
        /// Over all scales; nil in video mode, where each frame's engine has its own count.
        var totalIterations: Int?
        var scale: Int
        var scales: Int
        var scaleIteration: Int
        var losses: Losses
        var elapsed: Double
        var iterationsPerSecond: Double?
        var eta: Double?
        /// Video: the frame being stylized, of how many (nil when the container does not say).
        var frame: Int?
        var frames: Int?

        enum CodingKeys: String, CodingKey {
            case iteration, scale, scales, losses, elapsed, eta, frame, frames
            case totalIterations = "total_iterations"
            case scaleIteration = "scale_iteration"
            case iterationsPerSecond = "iterations_per_second"
        }
    }

    struct Frame: Encodable {
        var frame: Int
        var frames: Int?
        var resumed: Bool
        var iterations: Int?
        var losses: Losses?
        var secondsPerFrame: Double?
        var eta: Double?

        enum CodingKeys: String, CodingKey {
            case frame, frames, resumed, iterations, losses, eta
            case secondsPerFrame = "seconds_per_frame"
        }
    }

    struct Finished: Encodable {
        var outputs: [String]
        /// The run's `OUT.json` (nil for a segment, which writes only frames).
        var sidecar: String?
        var elapsed: Double
        var iterations: Int? = nil
        var stopReason: String? = nil
        var losses: Losses? = nil
        var frames: Int? = nil
        var cancelled: Bool

        enum CodingKeys: String, CodingKey {
            case outputs, sidecar, elapsed, iterations, losses, frames, cancelled
            case stopReason = "stop_reason"
        }
    }

    private enum Kind: String, CodingKey { case event, message }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Kind.self)
        switch self {
        case .started(let e): try c.encode("started", forKey: .event); try e.encode(to: encoder)
        case .scale(let e): try c.encode("scale", forKey: .event); try e.encode(to: encoder)
        case .iteration(let e): try c.encode("iteration", forKey: .event); try e.encode(to: encoder)
        case .frame(let e): try c.encode("frame", forKey: .event); try e.encode(to: encoder)
        case .note(let m): try c.encode("note", forKey: .event); try c.encode(m, forKey: .message)
        case .finished(let e): try c.encode("finished", forKey: .event); try e.encode(to: encoder)
        }
    }
}
