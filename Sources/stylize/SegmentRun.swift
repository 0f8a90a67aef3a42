import ArgumentParser
import Foundation
import VideoStyle

extension VideoCommand {
    /// `--segment i/N`: this machine's share of a segmented run; the join writes the video.
    func runSegment(_ segment: Segment, stylizer: FrameStylizer, job: VideoJob, printer: ProgressPrinter, progress: EngineProgress) throws {
        let started = DispatchTime.now()
        let interrupt = cancelOnInterrupt(stylizer.cancellation, message: "stopping; the frames done are kept (rerun with --resume to continue)")
        defer { withExtendedLifetime(interrupt) {} }
        let outcome = try SegmentStylizer(stylizer: stylizer).run(job, segment: segment, overlap: cluster.overlap) { event in
            switch event {
            case .started(let width, let height, let frames, let rate, _):
                progress.frame = .init(frame: 1, frames: frames, eta: nil)
                printer.say("\(input): \(width)×\(height) at \(rate) fps, \(frames.map { "\($0) frames" } ?? "-"); segment \(segment)")
            case .frame(let report):
                progress.frame = .init(frame: report.index + 2, frames: report.expected, eta: report.secondsLeft)
                printer.emit(.frame(Self.event(report)), text: Self.line(report))
            }
        }
        let plan = outcome.job.plan, frames = plan.stylized(segment.index), s = outcome.summary
        let leadIn = frames.count - plan.owned(segment.index).count
        printer.emit(.finished(.init(outputs: [outcome.folder], sidecar: nil, elapsed: started.secondsSince, frames: s.frames, cancelled: s.cancelled)),
                     text: "segment \(segment): frames \(frames.lowerBound + 1)–\(frames.upperBound) of \(plan.frames)"
            + (leadIn > 0 ? " (the first \(leadIn) cross-fade with segment \(segment.index - 1) at the join)" : "")
            + (outcome.anchored ? ", started from frame 1 as segment 1 stylizes it" : "")
            + "; \(s.stylized) stylized, \(s.resumed) resumed\(s.cancelled ? ", cancelled" : ""); "
            + "\(s.secondsPerFrame.map { String(format: "%.1f s", $0) } ?? "-") per frame after the first")
        printer.wrote("frames in \(outcome.folder); once all \(segment.count) segments are done: stylize join \(job.workDirectory)")
        if s.cancelled { throw ExitCode(130) }
    }
}
