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
        seams do not jump, with the clip's audio and timing as a one-machine run keeps them.

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
        if let job = try SegmentedJob.recorded(in: workDirectory) {
            // The frames were made from the clip's bytes; the join re-reads it for timing, audio and side-by-side.
            guard (try? VideoCommand.digest(job.input)) == job.fingerprint.entries["input"] else {
                throw SegmentError.inputChanged(path: job.input)
            }
        }
        let outcome = try SegmentJoiner.run(workDirectory: workDirectory, output: output, gif: gif)
        let plan = outcome.job.plan, video = output ?? outcome.job.output, preview = gif ?? outcome.job.gif
        outcome.notes.forEach { printer.emit(.note($0), text: $0) }
        printer.emit(.finished(.init(outputs: [video] + (preview.map { [$0] } ?? []), sidecar: nil, elapsed: started.secondsSince,
                                     frames: outcome.frames, cancelled: false)),
                     text: "joined \(plan.segments) segments: \(outcome.frames) frames"
                        + (plan.segments > 1 ? ", seams at frames \(plan.seams.map { "\($0 + 1)" }.joined(separator: ", ")) cross-faded over \(plan.overlap) frames" : ""))
        printer.wrote("wrote \(video)" + (preview.map { " and \($0)" } ?? ""))
        if plan.segments > 1 {
            printer.say("seams against the rest: stylize metrics temporal \(video) --reference \(outcome.job.input) "
                + "--seams \(plan.seams.map { "\($0 + 1)" }.joined(separator: ",")) --overlap \(plan.overlap)")
        }
    }
}
