import Foundation
import Models
import StyleTransfer
import TensorCore

/// What stylizing one frame produced.
public struct FrameOutcome {
    public var image: Tensor
    public var result: EngineResult
    /// Share of pixels the temporal mask trusts (nil on the first frame and in `none` mode).
    public var maskCoverage: Double?
    /// `Flicker.warpedDifference` of the stylized frame against the previous one (flow mode, after the first frame).
    public var flicker: Double?
    /// The same measure on the input frames, for scale.
    public var inputFlicker: Double?
    /// Seconds spent on the optical flows and masks.
    public var flowSeconds: Double
}

/// The previous input frame and its stylized result, at the size of the frame being stylized.
public struct PreviousFrame {
    public var frame: Tensor
    public var stylized: Tensor

    public init(frame: Tensor, stylized: Tensor) {
        self.frame = frame
        self.stylized = stylized
    }
}

/// Stylizes frames one after another with one network: the first from the recipe's initialization with its
/// schedule, each later one single-scale as `FrameSettings.temporal` says (Ruder, Dosovitskiy & Brox 2016).
public final class FrameStylizer {
    public let network: FeatureNetwork
    public let styles: [Tensor]
    public let recipe: Recipe
    public let settings: FrameSettings
    public let firstInitialization: Initialization
    /// Each frame's masks.
    public let masks: FrameMasks
    /// Estimated at half the frame's long side, at least 160 px (`OpticalFlow.maxSide`): at 320 px the two
    /// flows of a frame took 0.95 s at full size and 0.26 s so, with the same warping error.
    public var flow = OpticalFlow()
    /// Added to every frame's engine (progress printers).
    public var observers: [EngineObserver] = []
    /// Set from any thread to end the current frame after its current iteration; the frame then reports
    /// `StopReason.cancelled` and must not be kept.
    public let cancellation = Cancellation()

    public init(network: FeatureNetwork, styles: [Tensor], recipe: Recipe, settings: FrameSettings,
                firstInitialization: Initialization = .content, masks: FrameMasks = FrameMasks()) throws {
        try settings.validate()
        guard !styles.isEmpty else { throw VideoStyleError.invalidValue(knob: "style", value: "none", expected: "at least one style image") }
        self.network = network
        self.styles = styles
        self.recipe = recipe
        self.settings = settings
        self.firstInitialization = firstInitialization
        self.masks = masks
    }

    /// Stylizes `frame` (RGB, already at the output size; frame `index` of the clip's selection) after `previous`, which
    /// must have the same size.
    public func stylize(_ frame: Tensor, index: Int, previous: PreviousFrame?) throws -> FrameOutcome {
        let size = max(frame.shape.height, frame.shape.width), guidance = try masks.guidance(frame: index)
        guard let previous else {
            var first = recipe
            first.size = size  // the frame is already at the output size
            return try run(first, frame: frame, initialization: firstInitialization, guidance: guidance, terms: [], flowSeconds: 0)
        }
        precondition(previous.frame.shape == frame.shape && previous.stylized.shape == frame.shape, "previous frame of another size")
        let r = settings.laterFrameRecipe(from: recipe, size: size)
        // Under preserve_colors the engine optimizes luminance only, so its start and the temporal target are
        // the previous result's luminance, not its recombined colours.
        let stylized = recipe.preserveColors ? ColorPreservation.luminanceImage(previous.stylized) : previous.stylized
        let start = Clock.now()
        switch settings.temporal {
        case .none:
            return try run(r, frame: frame, initialization: .content, guidance: guidance, terms: [], flowSeconds: 0)
        case .previous:
            // The previous paint, moved with the camera; where the picture then still differs (what moved on
            // its own, what a pan brings in at the border) the frame starts afresh from its content.
            let h = frame.shape.height, w = frame.shape.width
            let shift = CameraShift.flow(CameraShift.estimate(from: frame, to: previous.frame, maxShift: max(2, r.size / 8)),
                                         height: h, width: w)
            let moved = Warp.backward(stylized, flow: shift)
            let mask = ChangeMask.unchanged(Warp.backward(previous.frame, flow: shift), frame)
            for y in 0..<h { for x in 0..<w where !Warp.lands(inside: shift, x: x, y: y) { mask.data[y * w + x] = 0 } }
            let initial = Self.blend(moved, recipe.preserveColors ? ColorPreservation.luminanceImage(frame) : frame, mask: mask)
            var outcome = try run(r, frame: frame, initialization: .image(initial), guidance: guidance,
                                  terms: temporalTerms(target: moved, mask: mask), flowSeconds: Clock.now() - start)
            outcome.maskCoverage = mask.mean
            return outcome
        case .flow:
            let motion = self.motion(frame, previous: previous, size: r.size)
            let warped = Warp.backward(stylized, flow: motion.flow)
            let initial = Self.blend(warped, fill(content: frame, paint: warped, size: r.size), mask: motion.trusted)
            var outcome = try run(r, frame: frame, initialization: .image(initial), guidance: guidance,
                                  terms: temporalTerms(target: warped, mask: motion.trusted), flowSeconds: Clock.now() - start)
            outcome.maskCoverage = motion.trusted.mean
            outcome.flicker = Flicker.warpedDifference(current: outcome.image, previous: previous.stylized, flow: motion.flow, mask: motion.trusted)
            outcome.inputFlicker = Flicker.warpedDifference(current: frame, previous: previous.frame, flow: motion.flow, mask: motion.trusted)
            return outcome
        }
    }

    /// The flow of `frame`'s pixels into the previous frame, and where it is trusted (0/1).
    private func motion(_ frame: Tensor, previous: PreviousFrame, size: Int) -> (flow: Tensor, trusted: Tensor) {
        var flow = self.flow
        flow.maxSide = min(flow.maxSide, max(160, size / 2))
        let forward = flow.estimate(from: frame, to: previous.frame)
        let backward = flow.estimate(from: previous.frame, to: frame)
        let trusted = FlowConsistency.mask(forward: forward, backward: backward)
        FlowConsistency.erode(trusted, radius: max(1, size / 160))
        FlowConsistency.settle(forward, mask: trusted, frame: frame, previous: previous.frame)
        return (forward, trusted)
    }

    /// The start where the previous frame cannot be trusted: there its paint belongs to something else (the
    /// background a moving object uncovered), and starting from it drags the object's colours along as a ghost;
    /// the frame's own content is unpainted and a frame's few iterations leave it a photograph. So: the content, barely
    /// softened, under the previous frame's brush texture (its high frequencies). A wider blur of the content
    /// would spread the object's colours over the background it has just left, and the temporal term would
    /// keep them there in the frames after (an orange trail behind a cat crossing a yellow wall).
    private func fill(content frame: Tensor, paint: Tensor, size: Int) -> Tensor {
        let content = recipe.preserveColors ? ColorPreservation.luminanceImage(frame) : frame
        let contentRadius = max(1, size / 80), paintRadius = max(2, size / 40)
        let lowContent = BoxBlur.apply(BoxBlur.apply(content, radius: contentRadius), radius: contentRadius)
        let lowPaint = BoxBlur.apply(BoxBlur.apply(paint, radius: paintRadius), radius: paintRadius)
        let out = Tensor(content.shape)
        for i in 0..<out.count { out.data[i] = min(max(lowContent.data[i] + paint.data[i] - lowPaint.data[i], 0), 1) }
        return out
    }

    private func temporalTerms(target: Tensor, mask: Tensor) -> [PixelTerm] {
        settings.temporalWeight > 0 ? [TemporalTerm(target: target, mask: mask, weight: settings.temporalWeight)] : []
    }

    private func run(_ recipe: Recipe, frame: Tensor, initialization: Initialization, guidance: Guidance, terms: [PixelTerm],
                     flowSeconds: Double) throws -> FrameOutcome {
        let engine = try Engine(network: network, recipe: recipe, content: frame, styles: styles, initialization: initialization,
                                guidance: guidance)
        engine.pixelTerms = terms
        let cancellation = self.cancellation
        engine.observers = observers + [ClosureObserver { _, _ in cancellation.isCancelled ? .stop : .proceed }]
        let result = try engine.run()
        return FrameOutcome(image: result.image, result: result, flowSeconds: flowSeconds)
    }

    /// mask·a + (1 − mask)·b, per pixel over all channels.
    static func blend(_ a: Tensor, _ b: Tensor, mask: Tensor) -> Tensor {
        let out = Tensor(a.shape), n = a.shape.planeSize
        for c in 0..<a.shape.channels {
            for i in 0..<n {
                let j = c * n + i, m = mask.data[i]
                out.data[j] = m * a.data[j] + (1 - m) * b.data[j]
            }
        }
        return out
    }
}

extension Tensor {
    /// Mean of all values (a mask's coverage).
    var mean: Double { count == 0 ? 0 : Double(buffer.reduce(0, +)) / Double(count) }
}
