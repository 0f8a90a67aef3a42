import ArgumentParser
import StyleTransfer
import VideoStyle

/// Cutting a clip into segments that machines stylize side by side, then join (`stylize join`).
struct ClusterOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Stylize only segment i of N (contiguous runs of frames, counted from 1) into the shared work folder; `stylize join WORKDIR` assembles them once all are done. Pass --resume to continue or re-run a segment. (default: the whole clip on this machine)", valueName: "i/N"))
    var segment: String?

    @Option(help: "Frames each segment after the first also stylizes before its own, for the join to cross-fade the seam, \(Self.overlapLimit). (default: 8, or the shortest segment's length)")
    var overlap: Int?

    @Flag(help: "Submit the clip to Slurm as --segments array tasks and a join job that runs when they all succeeded. The work folder (--work-dir) and the output must be on storage every node sees, and stylize and its models at the same paths there. (default: off)")
    var slurm = false

    @Option(help: "With --slurm: how many segments (array tasks), \(Self.segmentsLimit). (default: 4)")
    var segments: Int?

    @Option(help: "With --slurm: the partition to run in (default: the cluster's default).")
    var partition: String?

    @Option(help: "With --slurm: time limit of each segment and of the join, in Slurm's format, e.g. 2:00:00 (default: the partition's).")
    var time: String?

    @Option(help: "With --slurm: CPUs each task takes, \(Self.cpusPerTaskLimit). (default: 2)")
    var cpusPerTask: Int?

    @Flag(help: "With --slurm: print the batch script and the sbatch commands, write and submit nothing. (default: off)")
    var dryRun = false

    /// A job array of up to 1000 tasks; nodes of up to 1024 CPUs; a seam cross-faded over at most 1000 frames.
    static let segmentsLimit = Limit(1...1000)
    static let cpusPerTaskLimit = Limit(1...1024)
    static let overlapLimit = Limit(0...1000)

    /// The segment asked for, checked along with the options that go only with --slurm.
    func checkedSegment() throws -> Segment? {
        if !slurm {
            let stray = [("--segments", segments != nil), ("--partition", partition != nil), ("--time", time != nil),
                         ("--cpus-per-task", cpusPerTask != nil), ("--dry-run", dryRun)].filter(\.1).map(\.0)
            if let first = stray.first { throw ValidationError("\(first) goes with --slurm") }
        }
        if let segments { try Self.segmentsLimit.check(segments, key: "segments") }
        if let cpusPerTask { try Self.cpusPerTaskLimit.check(cpusPerTask, key: "cpus_per_task") }
        if let overlap { try Self.overlapLimit.check(overlap, key: "overlap") }
        guard let segment else { return nil }
        if slurm { throw ValidationError("--segment runs one segment here; --slurm submits them all: give one of them") }
        return try Segment(parsing: segment)
    }
}
