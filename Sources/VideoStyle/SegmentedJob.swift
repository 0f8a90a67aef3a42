import Foundation
import Media

/// What the join of a segmented run needs, kept as `job.json` in the shared work folder: the clip and the part
/// of it, the frame size and plan, the fingerprint every segment's frames must carry, and the outputs. The
/// first segment to start (or `--slurm`, before submitting) writes it; every later one checks that it describes
/// the same job, so segments made differently are refused before they spend any time.
public struct SegmentedJob: Codable, Equatable, Sendable {
    public var input: String
    public var output: String
    public var gif: String?
    public var gifWidth: Int?
    public var sideBySide: Bool
    public var selection: ClipSelection
    /// Long side of the stylized frames, pixels.
    public var size: Int
    public var plan: SegmentPlan
    /// The one-machine run's fingerprint, `frame_size` included.
    public var fingerprint: Fingerprint

    public init(input: String, output: String, gif: String?, gifWidth: Int?, sideBySide: Bool, selection: ClipSelection,
                size: Int, plan: SegmentPlan, fingerprint: Fingerprint) {
        self.input = input
        self.output = output
        self.gif = gif
        self.gifWidth = gifWidth
        self.sideBySide = sideBySide
        self.selection = selection
        self.size = size
        self.plan = plan
        self.fingerprint = fingerprint
    }

    public static func path(in workDirectory: String) -> String { (workDirectory as NSString).appendingPathComponent("job.json") }

    /// The job recorded in `workDirectory`, if any.
    public static func recorded(in workDirectory: String) throws -> SegmentedJob? {
        let path = path(in: workDirectory)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do { return try JSONDecoder().decode(SegmentedJob.self, from: data) } catch {
            throw SegmentError.jobMismatch(path: path, differences: ["unreadable: \(error)"])
        }
    }

    /// What differs between this job's frames and `earlier`'s, one line each; outputs may differ (the join
    /// takes the recorded ones unless told otherwise).
    public func differences(from earlier: SegmentedJob) -> [String] {
        // start and fps are knobs of the fingerprint; how far the run goes is not, but it sets the frame count.
        var lines = fingerprint.differences(from: earlier.fingerprint)
        func note<T: Equatable>(_ name: String, _ old: T, _ new: T) { if old != new { lines.append("\(name): \(old) → \(new)") } }
        note("duration", earlier.selection.duration.map { "\($0)" } ?? "all", selection.duration.map { "\($0)" } ?? "all")
        note("max_frames", earlier.selection.maxFrames.map { "\($0)" } ?? "all", selection.maxFrames.map { "\($0)" } ?? "all")
        note("size", earlier.size, size)
        note("frames", earlier.plan.frames, plan.frames)
        note("segments", earlier.plan.segments, plan.segments)
        note("overlap", earlier.plan.overlap, plan.overlap)
        return lines
    }

    /// Writes `job.json` into `workDirectory` unless a job is recorded there, which must then be this one;
    /// returns the recorded job. Segments starting at the same moment cannot overwrite each other's: the file
    /// is linked into place, which fails when it exists.
    @discardableResult
    public func record(in workDirectory: String) throws -> SegmentedJob {
        let path = Self.path(in: workDirectory)
        if let earlier = try Self.recorded(in: workDirectory) { return try checked(against: earlier, path: path) }
        try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let temporary = path + ".\(ProcessInfo.processInfo.processIdentifier).tmp"
        try encoder.encode(self).write(to: URL(fileURLWithPath: temporary))
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        if link(temporary, path) == 0 { return self }
        guard errno == EEXIST, let earlier = try Self.recorded(in: workDirectory) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        return try checked(against: earlier, path: path)
    }

    private func checked(against earlier: SegmentedJob, path: String) throws -> SegmentedJob {
        let differences = differences(from: earlier)
        guard differences.isEmpty else { throw SegmentError.jobMismatch(path: path, differences: differences) }
        return earlier
    }

    /// The segmented job of a one-machine `job` cut into `segments` (`overlap`: nil for the recorded job's,
    /// else `SegmentPlan.defaultOverlap`). Checks the job as a run would before any work.
    public static func describing(_ job: VideoJob, segments: Int, overlap: Int?) throws -> SegmentedJob {
        let (_, fingerprint) = try job.open()
        let recorded = try recorded(in: job.workDirectory)
        if let recorded, recorded.plan.segments != segments {
            throw SegmentError.jobMismatch(path: path(in: job.workDirectory), differences: ["segments: \(recorded.plan.segments) → \(segments)"])
        }
        // The frame count takes a pass over the clip: the job that planned the segments already made it.
        let frames = try recorded.map(\.plan.frames) ?? countFrames(job.input, selection: job.selection)
        let plan = try SegmentPlan(frames: frames, segments: segments, overlap: overlap ?? recorded?.plan.overlap)
        // The join may run in another folder, or on another machine.
        func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }
        return SegmentedJob(input: absolute(job.input), output: absolute(job.output), gif: job.gif.map(absolute), gifWidth: job.gifOptions.maxWidth,
                            sideBySide: job.sideBySide, selection: job.selection, size: job.size, plan: plan, fingerprint: fingerprint)
    }

    /// Frames `selection` gives of the clip at `path`, by decoding them (at a tiny size: only the count matters).
    private static func countFrames(_ path: String, selection: ClipSelection) throws -> Int {
        let reader = try VideoReader(path: path, selection: selection, longSide: 16)
        var count = 0
        while try reader.nextFrame() != nil { count += 1 }
        return count
    }
}
