import ImageTensor
import Media
import TensorCore

/// One frame of a run that keeps its frames in a `WorkFolder`, the same for a one-machine run and a segment.
struct FrameStep {
    /// What the next frame starts from: this frame and its picture as kept (8-bit), whether an earlier run made
    /// it or this one did, so a resumed run goes on exactly as an uninterrupted one.
    var next: PreviousFrame
    /// nil when the frame was taken from the work folder.
    var outcome: FrameOutcome?

    /// The kept frame when there is one, else `stylizer`'s, stored; nil when the stylizer was cancelled (the
    /// frame is then not kept).
    static func take(_ decoded: VideoFrame, previous: PreviousFrame?, work: WorkFolder, stylizer: FrameStylizer) throws -> FrameStep? {
        let image = decoded.image, frame = Tensor(image)
        if let kept = try work.keptFrame(index: decoded.index) {
            guard kept.width == image.width && kept.height == image.height else {
                throw VideoStyleError.resumeMismatch(path: work.framePath(index: decoded.index),
                                                     expected: "\(image.width)×\(image.height)", found: "\(kept.width)×\(kept.height)")
            }
            return FrameStep(next: PreviousFrame(frame: frame, stylized: Tensor(kept)), outcome: nil)
        }
        let outcome = try stylizer.stylize(frame, index: decoded.index, previous: previous)
        if outcome.result.stopReason == .cancelled { return nil }
        try work.store(RGBImage(outcome.image), index: decoded.index)
        return FrameStep(next: PreviousFrame(frame: frame, stylized: Tensor(try work.frame(index: decoded.index))), outcome: outcome)
    }
}
