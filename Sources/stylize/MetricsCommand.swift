import ArgumentParser
import Foundation
import VideoStyle

/// `stylize metrics …`: measurements of finished outputs.
struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Measure finished outputs.",
        subcommands: [Temporal.self])

    struct Temporal: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Temporal warping error of a stylized clip against its input (Lai et al. 2018): lower is steadier.",
            discussion: """
            For consecutive frames t, t+1 of OUT:
              E_t = Σ_p M_t(p)·‖O_t(p) − W(O_t+1)(p)‖² / (3·Σ_p M_t(p))
            W warps frame t+1 back onto frame t with the optical flow of the reference (input) clip's frames \
            t → t+1, computed at OUT's size (the reference is resized to it). M_t is 1 where that flow is trusted \
            and 0 at occlusions, motion boundaries and where the flow leaves the frame (forward–backward check of \
            Ruder et al. 2016). Pixel values are in [0, 1] and the squared difference is averaged over the three \
            RGB channels (a sum over the channels would give 3× these values). The result is the mean of E_t over \
            all pairs; a pair whose mask is empty is left out and counted.

            The same measure of the reference clip itself is printed as the floor: what the flow cannot explain \
            in the input (lighting, noise, flow errors). A flicker-free stylization comes close to it.

            Both clips are read frame by frame, two frames of each at a time. Clips of different lengths are \
            measured over the shorter one, and the output says so.

            For a clip joined from segments (`stylize join`, which prints these flags), --seams and --overlap \
            report the error around the seams (the pairs from the last frame before each cross-fade to the next \
            segment's first own frame) beside the error inside the segments.
            """)

        @Argument(help: "The clip to measure (the stylized output).")
        var output: String

        @Option(help: "The clip OUT was made from; its optical flow and occlusion masks are used.")
        var reference: String

        @Flag(help: "Print one JSON object instead of text.")
        var json = false

        @Flag(help: "Also give E_t of every pair (t, t+1), in order (JSON: pair_errors, null where no pixel is trusted).")
        var perPair = false

        @Option(help: ArgumentHelp("Frame numbers (from 1) where segments of a joined clip begin, e.g. 7,13: report the error around them beside the rest.", valueName: "n,m,..."))
        var seams: String?

        @Option(help: "With --seams: frames cross-faded before each seam (the join's overlap).")
        var overlap = 8

        func run() throws {
            let seamFrames = try seams.map { list in
                try list.split(separator: ",").map { item -> Int in
                    guard let n = Int(item.trimmingCharacters(in: .whitespaces)), n >= 2 else {
                        throw ValidationError("--seams \(list): expected frame numbers of 2 or more, separated by commas")
                    }
                    return n - 1
                }
            }
            guard overlap >= 0 else { throw ValidationError("--overlap must be 0 or more frames") }
            let result = try TemporalMeasurement.run(output: output, reference: reference)
            let seam = seamFrames.map { SeamMeasurement(pairErrors: result.pairErrors, seams: $0, overlap: overlap) }
            if json {
                var object: [String: Any] = [
                    "output": output, "reference": reference, "pairs": result.pairs, "empty_pairs": result.emptyPairs,
                    "width": result.width, "height": result.height, "mean_mask_coverage": result.coverage,
                    "warping_error": result.output, "reference_warping_error": result.floor,
                    "normalisation": "mean over RGB channels and unmasked pixels of squared differences, values in [0,1]",
                ]
                if let note = result.lengthNote { object["note"] = note }
                if perPair { object["pair_errors"] = result.pairErrors.map { $0.map { $0 as Any } ?? NSNull() } }
                if let seam, let seamFrames {
                    func value(_ v: Double?) -> Any { v.map { $0 as Any } ?? NSNull() }
                    object["seams"] = ["around": value(seam.around), "inside": value(seam.inside), "ratio": value(seam.ratio),
                                       "per_seam": seam.perSeam.map(value), "frames": seamFrames.map { $0 + 1 }, "overlap": overlap]
                }
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                if let note = result.lengthNote { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
                print("temporal warping error (Lai et al. 2018; squared [0,1] differences, mean over RGB and unoccluded pixels)")
                print("  \(output): \(String(format: "%.6f", result.output))")
                print("  \(reference) (floor, the input's own): \(String(format: "%.6f", result.floor))")
                if result.floor > 0 { print("  ratio to the floor: \(String(format: "%.2f", result.output / result.floor))×") }
                print("  \(result.pairs) frame pairs at \(result.width)×\(result.height)"
                      + (result.emptyPairs > 0 ? " (\(result.emptyPairs) more with no trusted pixel, left out)" : "")
                      + ", mean mask coverage \(String(format: "%.1f", 100 * result.coverage)) %")
                func f(_ v: Double?) -> String { v.map { String(format: "%.6f", $0) } ?? "-" }
                if let seam, let seamFrames {
                    print("  around the seams: \(f(seam.around)), inside the segments: \(f(seam.inside))"
                          + (seam.ratio.map { String(format: " (%.2f×)", $0) } ?? ""))
                    for (frame, e) in zip(seamFrames, seam.perSeam) { print("    seam at frame \(frame + 1): \(f(e))") }
                }
                if perPair {
                    for (t, e) in result.pairErrors.enumerated() { print("  frames \(t + 1)–\(t + 2): \(f(e))") }
                }
            }
        }
    }
}
