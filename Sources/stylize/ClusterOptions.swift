import ArgumentParser
import VideoStyle

/// Cutting a clip into segments that machines stylize side by side, then join (`stylize join`).
struct ClusterOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Stylize only segment i of N (contiguous runs of frames, counted from 1) into the shared work folder; `stylize join WORKDIR` assembles them once all are done. Pass --resume to continue or re-run a segment.", valueName: "i/N"))
    var segment: String?

    @Option(help: "Frames each segment after the first also stylizes before its own, for the join to cross-fade the seam (default: 8, or the shortest segment's length).")
    var overlap: Int?

    @Flag(help: "Submit the clip to Slurm as --segments array tasks and a join job that runs when they all succeeded. The work folder (--work-dir) and the output must be on storage every node sees, and stylize and its models at the same paths there.")
    var slurm = false

    @Option(help: "With --slurm: how many segments (array tasks). (default: 4)")
    var segments: Int?

    @Option(help: "With --slurm: the partition to run in (default: the cluster's default).")
    var partition: String?

    @Option(help: "With --slurm: time limit of each segment and of the join, in Slurm's format, e.g. 2:00:00 (default: the partition's).")
    var time: String?

    @Option(help: "With --slurm: CPUs each task takes. (default: 2)")
    var cpusPerTask: Int?

    @Flag(help: "With --slurm: print the batch script and the sbatch commands, write and submit nothing.")
    var dryRun = false

    /// The segment asked for, checked along with the options that go only with --slurm.
    func checkedSegment() throws -> Segment? {
        if !slurm {
            let stray = [("--segments", segments != nil), ("--partition", partition != nil), ("--time", time != nil),
                         ("--cpus-per-task", cpusPerTask != nil), ("--dry-run", dryRun)].filter(\.1).map(\.0)
            if let first = stray.first { throw ValidationError("\(first) goes with --slurm") }
        }
        if let segments, segments < 1 { throw SegmentError.badSegmentCount(segments) }
        if let cpusPerTask, cpusPerTask < 1 { throw ValidationError("--cpus-per-task must be at least 1") }
        if let overlap, overlap < 0 { throw ValidationError("--overlap must be 0 or more frames") }
        guard let segment else { return nil }
        if slurm { throw ValidationError("--segment runs one segment here; --slurm submits them all: give one of them") }
        return try Segment(parsing: segment)
    }
}
