import ImageTensor
import Media
import StyleTransfer
import TensorCore

/// Turns engine events into frames: the initial image, the iterations the schedule picks, and the final picture
/// held for a while. Frames of coarser scales are scaled up to the final size, so the video has one size, and a
/// finer scale's start (sharper: the content's detail is restored) fades in from the coarser scale's last frame
/// rather than jumping. Encoding happens on the `FrameSink`'s thread; an encoder error stops the run and is thrown by `finish()`.
final class FrameRecorder: EngineObserver {
    private let sink: FrameSink
    private let schedule: FrameSchedule
    private let holdFrames: Int
    private let fadeFrames: Int
    private let width, height: Int
    private let sideBySide: SideBySide?
    private var lastRecorded = -1
    private var lastFrame: RGBImage?
    private var failure: Error?

    init(options: FrameOptions, engine: Engine, content: String?, style: String?) throws {
        let recipe = engine.recipe
        let scales = engine.schedule.shapes.count
        let budgets = (0..<scales).map { recipe.iterations(atScale: $0, of: scales) }
        let total = budgets.reduce(0, +)
        schedule = try FrameSchedule(
            kind: options.frameSchedule, saveEvery: options.saveEvery ?? max(1, total / 60), iterations: total)
        holdFrames = FrameSchedule.holdFrames(seconds: options.hold, frameRate: options.fps)
        fadeFrames = max(1, FrameSchedule.holdFrames(seconds: RecordingDefaults.scaleFade, frameRate: options.fps))
        let final = engine.schedule.shapes.last!
        (width, height) = (final.width, final.height)
        if options.layout == .sideBySide {
            // Texture synthesis has no content: its panel shows the style twice rather than nothing.
            guard let style = style ?? content else { throw FrameRecorderError.sideBySideNeedsImages }
            sideBySide = SideBySide(content: try ImageReader.read(content ?? style), style: try ImageReader.read(style))
        } else {
            sideBySide = nil
        }
        sink = FrameSink(consumers: try options.makeConsumers())
    }

    func engine(_ event: EngineEvent, image: () -> Tensor) -> ObserverDecision {
        guard failure == nil else { return .stop }
        do {
            switch event {
            case .scaleStarted(let index, _, _, _) where index == 0:
                try record(image(), iteration: 0)
            case .scaleStarted:
                try fade(to: try frame(from: image()))
            case .iteration(let report) where schedule.includes(report.iteration):
                try record(image(), iteration: report.iteration)
            case .finished(let result):
                // The final picture is clamped and colour-corrected; show it even if its iteration was recorded.
                let frame = try frame(from: result.image)
                for _ in 0..<max(1, holdFrames) { try sink.push(frame) }
            default:
                break
            }
        } catch {
            failure = error
            return .stop
        }
        return .proceed
    }

    /// Writes out what is queued and closes every file; throws the first encoding error of the run.
    func finish() throws {
        let closing = Result { try sink.finish() }
        if let failure { throw failure }
        try closing.get()
    }

    /// Closes every file without finishing it: a failed run leaves no video or GIF.
    func discard() {
        try? sink.finish(discarding: true)
    }

    private func record(_ image: Tensor, iteration: Int) throws {
        guard iteration != lastRecorded else { return }
        lastRecorded = iteration
        let frame = try frame(from: image)
        try sink.push(frame)
        lastFrame = frame
    }

    /// `fadeFrames` frames blending the last recorded frame into `next`, the last of them `next` itself.
    private func fade(to next: RGBImage) throws {
        guard let last = lastFrame else { return try sink.push(next) }
        for k in 1...fadeFrames {
            let t = Float(k) / Float(fadeFrames)
            var blend = next
            for i in blend.planes.indices { blend.planes[i] = (1 - t) * last.planes[i] + t * next.planes[i] }
            try sink.push(blend)
        }
        lastFrame = next
    }

    private func frame(from tensor: Tensor) throws -> RGBImage {
        let s = tensor.shape
        var image = RGBImage(tensor)
        if s.width != width || s.height != height { image = try ImageResize.resize(image, width: width, height: height) }
        return try sideBySide?.compose(image) ?? image
    }
}

enum FrameRecorderError: Error, CustomStringConvertible {
    case sideBySideNeedsImages

    var description: String { "--layout side-by-side needs a content or style image to show beside the result" }
}
