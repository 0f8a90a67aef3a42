import CFFmpeg
import Foundation
import Media
import XCTest

/// `stylize video --slurm` against a real single-node Slurm (Scripts/slurm-local.sh, which installs Debian's
/// packages when missing and needs root): the segments run as a job array, the join after them.
final class SlurmTests: XCTestCase {
    private let clip = Stylize.root + "/Tests/MediaTests/Files/cfr_audio.mp4"
    private let starry = Stylize.root + "/Samples/starry_night_unframed.jpg"
    private let script = Stylize.root + "/Scripts/slurm-local.sh"

    /// Runs slurm-local.sh with its own folder and port, so that it meets no other cluster on this machine.
    private func slurmLocal(_ arguments: [String], folder: String) throws -> Stylize.Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: script)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["SLURM_LOCAL_DIR": folder, "SLURM_LOCAL_PORT": "7217"]) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile(), error = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Stylize.Run(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
                           error: String(decoding: error, as: UTF8.self))
    }

    /// `scontrol show job ID`'s JobState.
    private func state(of job: String, conf: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["scontrol", "show", "job", job]
        process.environment = ProcessInfo.processInfo.environment.merging(["SLURM_CONF": conf]) { $1 }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("JobState=") }.map { String($0.dropFirst(9)) } ?? "?"
    }

    func testThreeSegmentsAndTheJoinRunOnSlurm() throws {
        guard getuid() == 0 else { throw XCTSkip("slurm-local.sh starts Slurm's daemons as root") }
        // The munge socket's path must stay short: a folder of its own under /tmp.
        let slurm = "/tmp/stylize-test-slurm-\(getpid())"
        let started = try slurmLocal(["start"], folder: slurm)
        addTeardownBlock { _ = try? self.slurmLocal(["stop", "--purge"], folder: slurm) }
        XCTAssertEqual(started.status, 0, started.error)
        let conf = try XCTUnwrap(started.output.split(separator: "\n").first { $0.hasPrefix("export SLURM_CONF=") }?.dropFirst(18),
                                 started.output)

        let dir = try Stylize.directory(self), out = dir + "/out.mp4"
        let submit = try Stylize.run(["video", clip, starry, "-o", out, "--gif", dir + "/out.gif", "--size", "64", "--iterations", "5",
                                      "--frame-iterations", "2", "--max-frames", "15", "--progress-every", "0",
                                      "--slurm", "--segments", "3", "--overlap", "2", "--cpus-per-task", "1"],
                                     environment: ["SLURM_CONF": String(conf)])
        XCTAssertEqual(submit.status, 0, submit.error)
        XCTAssertTrue(submit.error.contains("warning: the work folder") && submit.error.contains("/tmp"), submit.error)
        for promise in ["squeue -j", "sbatch --array=K", out] { XCTAssertTrue(submit.output.contains(promise), "no \(promise): \(submit.output)") }
        let ids = submit.output.split(separator: "\n").first { $0.hasPrefix("submitted") }?.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .punctuationCharacters)) } ?? []
        XCTAssertEqual(ids.count, 2, submit.output)
        guard let join = ids.last.map(String.init) else { return }

        // The whole job takes about 15 s here; the limit is only there so that a stuck job fails the test.
        var joinState = "?"
        for _ in 0..<600 {
            joinState = try state(of: join, conf: String(conf))
            if ["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL"].contains(joinState) { break }
            Thread.sleep(forTimeInterval: 0.5)
        }
        let log = (try? String(contentsOfFile: out + ".frames/logs/join.log", encoding: .utf8)) ?? "(no log)"
        XCTAssertEqual(joinState, "COMPLETED", log)

        XCTAssertEqual(try ClipProbe.frames(out).images.count, 15)
        XCTAssertEqual(try ClipProbe.frames(dir + "/out.gif").images.count, 15)
        let audio = try ClipProbe.streams(out).filter { $0.type == AVMEDIA_TYPE_AUDIO }
        XCTAssertEqual(audio.count, 1, "the joined clip lost its sound")
        XCTAssertEqual(audio.first?.duration ?? 0, 15.0 / 20, accuracy: 0.06, "the sound of 15 frames at 20 fps")

        // Seams at frames 6 and 11; the pairs around them against the rest.
        XCTAssertTrue(log.contains("--seams 6,11 --overlap 2"), log)
        let metrics = try Stylize.run(["metrics", "temporal", out, "--reference", clip, "--seams", "6,11", "--overlap", "2", "--per-pair", "--json"])
        XCTAssertEqual(metrics.status, 0, metrics.error)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(metrics.output.utf8)) as? [String: Any])
        XCTAssertEqual((json["pair_errors"] as? [Any])?.count, 14)
        let seams = try XCTUnwrap(json["seams"] as? [String: Any])
        let around = try XCTUnwrap(seams["around"] as? Double), inside = try XCTUnwrap(seams["inside"] as? Double)
        print("seams: around \(around), inside \(inside), ratio \(around / inside)")
        XCTAssertLessThanOrEqual(around, 1.5 * inside, "the seams show: around them \(around), inside the segments \(inside)")
    }
}
