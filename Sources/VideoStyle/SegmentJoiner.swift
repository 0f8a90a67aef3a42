import Foundation
import Media

/// Joins a segmented run (`stylize join`): checks that every segment is complete and carries the job's
/// fingerprint (the caller reads the job, checks its outputs and that the clip is still the one the frames were
/// made from), then streams the frames in order into the video (with the clip's audio, as a one-machine run
/// copies it) and the GIF. Before each seam the owner's frames cross-fade into the next segment's lead-in
/// (`SegmentPlan.sources`), so neighbouring segments' different brush strokes blend over `overlap` frames
/// instead of jumping at one. Timestamps and the side-by-side input come from the clip, decoded again.
/// A failure during the frames leaves no video or GIF; one after the video is finished (the GIF's end) leaves
/// the video to the caller's `OutputPlan`.
public enum SegmentJoiner {
    public struct Outcome {
        public var frames: Int
        public var notes: [String]
    }

    /// Joins `job`, recorded in `workDirectory`, into `output` and `gif` (nil: no GIF).
    public static func run(_ job: SegmentedJob, workDirectory: String, output: String, gif: String?) throws -> Outcome {
        let folders = try (1...job.plan.segments).map { k in try checkedFolder(k, of: job, in: workDirectory) }

        let reader = try VideoReader(path: job.input, selection: job.selection, longSide: job.size)
        let audio = AudioSource(path: job.input, start: reader.startSeconds,
                                end: job.selection.duration.map { reader.startSeconds + $0 })
        let gifOptions = GifOptions(maxWidth: job.gifWidth)
        let video = try VideoWriter(path: output, frameRate: reader.frameRate, options: VideoOptions(gif: gifOptions),
                                    timeBase: reader.timeBase, audio: audio)
        var consumers: [FrameConsumer] = [video]
        if let path = gif {
            do { consumers.append(try GifWriter(path: path, frameRate: reader.frameRate, options: gifOptions)) } catch {
                video.discard()
                throw error
            }
        }
        let sink = FrameSink(consumers: consumers)
        do {
            var count = 0
            while let decoded = try reader.nextFrame() {
                guard decoded.index < job.plan.frames else { break }
                let sources = job.plan.sources(of: decoded.index)
                var frame = try folders[sources.owner - 1].frame(index: decoded.index)
                if let next = sources.next {
                    let other = try folders[next.segment - 1].frame(index: decoded.index)
                    for i in frame.planes.indices { frame.planes[i] += next.weight * (other.planes[i] - frame.planes[i]) }
                }
                try sink.push(job.sideBySide ? SideBySide.row([decoded.image, frame]) : frame, pts: decoded.pts)
                count += 1
            }
            guard count == job.plan.frames else {
                throw SegmentError.frameCountChanged(path: job.input, expected: job.plan.frames, found: count)
            }
            try sink.finish()
            return Outcome(frames: count, notes: video.notes)
        } catch {
            try? sink.finish(discarding: true)
            throw error
        }
    }

    /// Segment `k`'s folder once it is known to hold every frame it owes, made with the job's fingerprint.
    private static func checkedFolder(_ k: Int, of job: SegmentedJob, in workDirectory: String) throws -> WorkFolder {
        let segment = try Segment(index: k, count: job.plan.segments)
        let folder = WorkFolder(path: (workDirectory as NSString).appendingPathComponent(segment.folderName),
                                fingerprint: job.fingerprint, resume: true)
        let frames = job.plan.stylized(k)
        let done = Set(frames.filter { FileManager.default.fileExists(atPath: folder.framePath(index: $0)) })
        guard !done.isEmpty else { throw SegmentError.missing(segment: segment.description, path: folder.path) }
        guard let data = FileManager.default.contents(atPath: folder.fingerprintPath),
              let made = try? JSONDecoder().decode(Fingerprint.self, from: data) else {
            throw VideoStyleError.fingerprintMissing(path: folder.fingerprintPath)
        }
        let differences = job.fingerprint.differences(from: made)
        guard differences.isEmpty else { throw SegmentError.foreign(segment: segment.description, path: folder.path, differences: differences) }
        guard done.count == frames.count else {
            let missing = frames.first { !done.contains($0) }!
            throw SegmentError.incomplete(segment: segment.description, path: folder.path, done: done.count, needed: frames.count, firstMissing: missing)
        }
        return folder
    }
}
