import Foundation
import ImageTensor
import Media
import TensorCore

/// One segment of a clip (`stylize video --segment i/N`): stylizes the frames the `SegmentPlan` gives it, its
/// lead-in first, into its own folder of the shared work folder (`segment-i-of-N`, a `WorkFolder` with the
/// one-machine run's fingerprint), frame by frame and resumable like a one-machine run. It writes no video:
/// `SegmentJoiner` does once every segment is done. Other segments' folders are never touched, so any segment
/// can be run again after a failure.
///
/// Every segment after the first starts its chain from the same picture as the first: the clip's frame 0,
/// stylized with the same recipe, seed and network (so every segment computes it alike, with no dependency on
/// another's folder), kept at 8 bits as the first segment keeps it, then warped onto the lead-in's first frame
/// by `FrameStylizer`'s flow step (what the flow cannot carry starts from the content). It is kept in the
/// segment's folder as frame 1 (byte for byte the first segment's), so a resumed segment does not redo it; the
/// join does not use it. Started from scratch, two chains differ by a fixed amount in every frame, which on a
/// still shot the cross-fade spreads visibly over the overlap; from a shared start they agree wherever the
/// picture has not changed since frame 0.
public final class SegmentStylizer {
    public let stylizer: FrameStylizer

    public init(stylizer: FrameStylizer) { self.stylizer = stylizer }

    /// What a segment run did, beside the plan it followed and where its frames are.
    public struct Outcome {
        public var summary: VideoSummary
        public var job: SegmentedJob
        public var folder: String
        /// Whether the lead-in started from frame 0 as the first segment stylizes it (segments after the first,
        /// unless the lead-in's first frame was already kept).
        public var anchored: Bool
    }

    /// `overlap`: lead-in frames (nil: the recorded job's, else `SegmentPlan.defaultOverlap`).
    public func run(_ job: VideoJob, segment: Segment, overlap: Int?, events: (VideoEvent) -> Void = { _ in }) throws -> Outcome {
        let described = try SegmentedJob.describing(job, segments: segment.count, overlap: overlap).record(in: job.workDirectory)
        let plan = described.plan
        let reader = try VideoReader(path: job.input, selection: job.selection, longSide: job.size)
        let folder = (job.workDirectory as NSString).appendingPathComponent(segment.folderName)
        let work = WorkFolder(path: folder, fingerprint: described.fingerprint, resume: job.resume)
        try work.check()

        let range = plan.stylized(segment.index)
        events(.started(width: reader.width, height: reader.height, expectedFrames: plan.frames, frameRate: reader.frameRate, notes: []))
        var summary = VideoSummary(frames: 0, stylized: 0, resumed: 0, cancelled: false)
        var seconds: [Double] = []
        var previous: PreviousFrame?
        let anchors = range.lowerBound > 0 && !(job.resume && FileManager.default.fileExists(atPath: work.framePath(index: range.lowerBound)))
        while let decoded = try reader.nextFrame(), decoded.index < range.upperBound {
            guard decoded.index >= range.lowerBound else {
                if anchors && decoded.index == 0 {
                    guard let anchor = try FrameStep.take(decoded, previous: nil, work: work, stylizer: stylizer) else {
                        summary.cancelled = true
                        break
                    }
                    previous = anchor.next
                }
                continue
            }
            var report = FrameReport(index: decoded.index, expected: plan.frames, resumed: false)
            let start = Clock.now()
            guard let step = try FrameStep.take(decoded, previous: previous, work: work, stylizer: stylizer) else {
                summary.cancelled = true
                break
            }
            previous = step.next
            if let outcome = step.outcome {
                if summary.stylized > 0 { seconds.append(Clock.now() - start) }
                summary.stylized += 1
                report.outcome = outcome
            } else {
                summary.resumed += 1
                report.resumed = true
            }
            summary.frames += 1
            if !seconds.isEmpty {
                let recent = seconds.suffix(5)
                report.secondsPerFrame = recent.reduce(0, +) / Double(recent.count)
                report.secondsLeft = Double(range.count - summary.frames) * report.secondsPerFrame!
            }
            events(.frame(report))
        }
        if !summary.cancelled && summary.frames < range.count {
            throw SegmentError.frameCountChanged(path: job.input, expected: plan.frames, found: range.lowerBound + summary.frames)
        }
        summary.secondsPerFrame = seconds.isEmpty ? nil : seconds.reduce(0, +) / Double(seconds.count)
        return Outcome(summary: summary, job: described, folder: folder, anchored: anchors)
    }
}
