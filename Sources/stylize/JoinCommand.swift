import ArgumentParser
import Foundation
import VideoStyle

/// `stylize join WORKDIR`: the last step of a segmented run.
struct JoinCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join",
        abstract: "Join the segments of `stylize video --segment i/N` runs into the video, its sound and the GIF.",
        discussion: """
        WORKDIR is the work folder the segments shared (--work-dir, default OUTPUT.frames). Its job.json says \
        what the join needs: the clip and the part of it, the frame count, the segment plan, the fingerprint and \
        the outputs. The join checks that every segment is there, complete and made with that fingerprint (a \
        missing or foreign segment is an error naming it, and nothing is written), then writes the frames in \
        order, cross-fading each segment's last --overlap frames into the next segment's lead-in so that the \
        seams do not jump, with the clip's audio and timing as a one-machine run keeps them. Beside the video it \
        writes OUTPUT.json: the recipe the segments ran (`stylize video --recipe OUTPUT.json` reruns it) and how \
        the join went (the segment plan; the segments keep no per-frame trace).

        The video, GIF and sidecar are checked before any frame is read (extension, folder, free space); a join \
        that fails leaves none of them.

        (A subcommand of its own rather than `stylize video join`: `video` takes the clip as its first argument.)
        """)

    @Argument(help: "The shared work folder of the segments.")
    var workDirectory: String

    @Option(name: .shortAndLong, help: "The video to write (default: the -o the segments were given).")
    var output: String?

    @Option(help: "Also write a GIF preview here (default: the segments' --gif, if any).")
    var gif: String?

    @Flag(help: "Print only errors and the final \"wrote\" line. (default: off)")
    var quiet = false

    @Flag(help: "Print JSON events, one object per line (see the README); nothing else on stdout. (default: off)")
    var json = false

    func run() throws {
        let started = DispatchTime.now()
        let printer = ProgressPrinter(quiet: quiet, json: json)
        guard let job = try SegmentedJob.recorded(in: workDirectory) else {
            throw SegmentError.notASegmentedJob(path: SegmentedJob.path(in: workDirectory))
        }
        let video = output ?? job.output, preview = gif ?? job.gif
        let plan = try outputPlan(job, video: video, preview: preview)
        // The frames were made from the clip's bytes; the join re-reads it for timing, audio and side-by-side.
        guard (try? VideoCommand.digest(job.input)) == job.fingerprint.entries["input"] else {
            throw SegmentError.inputChanged(path: job.input)
        }
        let jobPath = SegmentedJob.path(in: workDirectory)
        let recipe = try VideoCommand.recipe(of: job.fingerprint, selection: job.selection, jobPath: jobPath)
        guard let model = VideoCommand.model(of: job.fingerprint) else {
            throw SegmentError.unreadableFingerprint(path: jobPath, reason: "it names no model")
        }
        let outputs = [video] + (preview.map { [$0] } ?? [])
        let setupSeconds = started.secondsSince
        // A failure after the video is finished (the GIF's end, the sidecar) takes it back with the rest.
        let (outcome, sidecarPath) = try plan.run {
            let outcome = try SegmentJoiner.run(job, workDirectory: workDirectory, output: video, gif: preview)
            let sidecar = Sidecar(recipe: recipe, run: .init(
                command: "join", inputs: [job.input], outputs: outputs,
                model: .init(name: model.name, sha256: model.sha256),
                versions: MachineVersions.all, timings: ["setup_seconds": setupSeconds, "total_seconds": started.secondsSince],
                details: JoinDetails(frames: outcome.frames, plan: job.plan, workDirectory: workDirectory, fingerprint: job.fingerprint)))
            return (outcome, try sidecar.write(besides: video))
        }
        let segments = job.plan
        outcome.notes.forEach { printer.emit(.note($0), text: $0) }
        printer.emit(.finished(.init(outputs: outputs, sidecar: sidecarPath, elapsed: started.secondsSince, frames: outcome.frames, cancelled: false)),
                     text: "joined \(segments.segments) segments: \(outcome.frames) frames"
                        + (segments.segments > 1 ? ", seams at frames \(segments.seams.map { "\($0 + 1)" }.joined(separator: ", ")) cross-faded over \(segments.overlap) frames" : ""))
        printer.wrote("wrote \(video)" + (preview.map { " and \($0)" } ?? "") + "; sidecar \(sidecarPath)")
        if segments.segments > 1 {
            printer.say("seams against the rest: stylize metrics temporal \(video) --reference \(job.input) "
                + "--seams \(segments.seams.map { "\($0 + 1)" }.joined(separator: ",")) --overlap \(segments.overlap)")
        }
    }

    /// The video, GIF and sidecar, checked before any frame is read; the free-space estimate counts the job's
    /// frames at its size (twice as wide side by side), as `stylize video` estimates its own.
    private func outputPlan(_ job: SegmentedJob, video: String, preview: String?) throws -> OutputPlan {
        let frames = Double(job.plan.frames), pixels = Double(job.size * job.size * (job.sideBySide ? 2 : 1))
        var plan = OutputPlan()
        plan.add(video, flag: output == nil ? "-o (job.json's)" : "-o", kind: .video, bytes: OutputPlan.videoBytes(frames: frames, pixels: pixels))
        plan.add(preview, flag: gif == nil ? "--gif (job.json's)" : "--gif", kind: .gif,
                 bytes: OutputPlan.gifBytes(frames: frames, pixels: pixels, gifWidth: job.gifWidth ?? VideoDefaults.gifWidth))
        plan.add(sidecarPath(for: video), flag: "-o (its sidecar)", kind: .recipe)
        try plan.check()
        return plan
    }
}
