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
    /// Spawned and waited for by pid: Foundation's Process waits until every descriptor it gave the child is
    /// closed, and the daemons the script starts keep theirs. Its output goes through files for the same reason.
    private func slurmLocal(_ arguments: [String], folder: String, port: UInt16, log: String) throws -> Stylize.Run {
        let out = log + ".out", err = log + ".err"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let environment = ProcessInfo.processInfo.environment.merging(["SLURM_LOCAL_DIR": folder, "SLURM_LOCAL_PORT": "\(port)"]) { $1 }
        let argv = ([script] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0, status: Int32 = 0
        guard posix_spawn(&pid, script, &actions, nil, argv, envp) == 0 else { throw CocoaError(.executableLoad) }
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return Stylize.Run(status: (status >> 8) & 0xff, output: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                           error: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }

    /// A port whose successor is free too (slurmctld's and slurmd's): one that a plain bind takes, as the
    /// daemons' does not while connections of an earlier cluster linger there in TIME_WAIT.
    private func freePorts() throws -> UInt16 {
        func bindable(_ port: UInt16) -> Bool {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
        }
        let first = UInt16(20000 + Int(getpid()) % 20000) & ~1
        guard let port = stride(from: first, to: first + 400, by: 2).first(where: { bindable($0) && bindable($0 + 1) }) else {
            throw XCTSkip("no two free ports near \(first)")
        }
        return port
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
        let slurm = "/tmp/stylize-test-slurm-\(getpid())", dir = try Stylize.directory(self), out = dir + "/out.mp4"
        let port = try freePorts()
        let started = try slurmLocal(["start"], folder: slurm, port: port, log: dir + "/start")
        // Teardown runs also when an assertion or a throw ends the test early.
        addTeardownBlock { _ = try? self.slurmLocal(["stop", "--purge"], folder: slurm, port: port, log: dir + "/stop") }
        XCTAssertEqual(started.status, 0, started.error)
        let conf = try XCTUnwrap(started.output.split(separator: "\n").first { $0.hasPrefix("export SLURM_CONF=") }?.dropFirst(18),
                                 started.output)

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
        XCTAssertEqual(audio.first?.duration ?? 0, 1.5, accuracy: 0.06, "the sound of 15 frames at 10 fps")

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
