import Foundation
import Models
import StyleTransfer
import TensorCore

/// Frame mode's knobs besides the recipe.
public struct FrameSettings: Sendable {
    /// Optimizer iterations for every frame after the first (which uses the recipe's schedule).
    public var frameIterations = 60
    /// Weight of the temporal term (`TemporalTerm`); 0 leaves it out. On Samples/tree.mp4 at 128 px with
    /// VGG16 (frames 2–20), 1e4 cut the flicker 3× against 1e3 (0.0010 vs 0.0032) for a 3% higher content
    /// loss at frame 20.
    public var temporalWeight = 1e4
    /// Start each later frame from the previous result warped by the flow (otherwise as the first frame).
    public var flowInit = true
    public var flow = OpticalFlow()

    public init() {}
}

/// What stylizing one frame produced.
public struct FrameOutcome {
    public var image: Tensor
    public var result: EngineResult
    /// Share of pixels the temporal mask trusts (nil on the first frame).
    public var maskCoverage: Double?
    /// `Flicker.warpedDifference` of the stylized frame against the previous one (nil on the first frame).
    public var flicker: Double?
    /// The same measure on the input frames, for scale.
    public var inputFlicker: Double?
    /// Seconds spent on the two optical flows.
    public var flowSeconds: Double
}

/// Stylizes frames one after another with one network: the first from the recipe's initialization with its
/// schedule, each later one single-scale from the previous stylized frame warped onto it, held there by the
/// temporal term where the flow is trusted (Ruder et al. 2016).
public final class FrameStylizer {
    public let network: FeatureNetwork
    public let style: Tensor
    public let recipe: Recipe
    public let settings: FrameSettings
    public let firstInitialization: Initialization
    /// Added to every frame's engine (progress printers).
    public var observers: [EngineObserver] = []
    /// Set from any thread to end the current frame after its current iteration; the frame then reports
    /// `StopReason.cancelled` and must not be kept.
    public let cancellation = Cancellation()

    public init(network: FeatureNetwork, style: Tensor, recipe: Recipe, settings: FrameSettings,
                firstInitialization: Initialization = .content) throws {
        guard settings.frameIterations >= 0 else {
            throw VideoStyleError.invalidValue(knob: "frame_iterations", value: "\(settings.frameIterations)", expected: "0 or more")
        }
        guard settings.temporalWeight >= 0 else {
            throw VideoStyleError.invalidValue(knob: "temporal_weight", value: "\(settings.temporalWeight)", expected: "0 or more")
        }
        self.network = network
        self.style = style
        self.recipe = recipe
        self.settings = settings
        self.firstInitialization = firstInitialization
    }

    /// Stylizes `frame` (RGB, already at the output size). `previous` is the previous input frame and its
    /// stylized result, at the same size.
    public func stylize(_ frame: Tensor, previous: (frame: Tensor, stylized: Tensor)?) throws -> FrameOutcome {
        var r = recipe
        r.size = max(frame.shape.height, frame.shape.width)
        var initialization = firstInitialization
        var consistency: (flow: Tensor, mask: Tensor)?
        var flowSeconds = 0.0
        if let previous {
            let start = Clock.now()
            // Pixels of this frame → the previous frame, and back, for the mask.
            let forward = settings.flow.estimate(from: frame, to: previous.frame)
            let backward = settings.flow.estimate(from: previous.frame, to: frame)
            let mask = FlowConsistency.mask(forward: forward, backward: backward)
            flowSeconds = Clock.now() - start
            consistency = (forward, mask)
            r.scales = 1
            r.scaleIterations = nil
            r.iterations = settings.frameIterations
            if settings.flowInit { initialization = .image(Warp.backward(previous.stylized, flow: forward)) }
        }
        let engine = try Engine(network: network, recipe: r, content: frame, styles: [style], initialization: initialization)
        if let previous, let (flow, mask) = consistency, settings.temporalWeight > 0 {
            engine.pixelTerms = [TemporalTerm(target: Warp.backward(previous.stylized, flow: flow), mask: mask, weight: settings.temporalWeight)]
        }
        let cancellation = self.cancellation
        engine.observers = observers + [ClosureObserver { _, _ in cancellation.isCancelled ? .stop : .proceed }]
        let result = try engine.run()

        var outcome = FrameOutcome(image: result.image, result: result, flowSeconds: flowSeconds)
        if let previous, let (flow, mask) = consistency {
            outcome.maskCoverage = Double(mask.buffer.reduce(0, +)) / Double(mask.count)
            outcome.flicker = Flicker.warpedDifference(current: result.image, previous: previous.stylized, flow: flow, mask: mask)
            outcome.inputFlicker = Flicker.warpedDifference(current: frame, previous: previous.frame, flow: flow, mask: mask)
        }
        return outcome
    }
}
