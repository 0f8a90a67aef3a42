import ArgumentParser
import Foundation
import VideoStyle
import Weights

/// `stylize video … --slurm --segments N`: writes the job into the work folder (job.json, the recipe, one
/// batch script for the segments as a job array and one for the join) and submits both with sbatch, the join
/// depending on every segment's success. The nodes run this same executable on the same paths, so the work
/// folder, the clip, the styles, the outputs and the model store must be on storage they all see.
struct SlurmSubmission {
    let command: VideoCommand
    let recipe: VideoRecipe
    let job: VideoJob

    func submit() throws {
        let cluster = command.cluster
        let directory = FileManager.default.currentDirectoryPath
        func absolute(_ path: String) -> String { URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: directory + "/")).standardizedFileURL.path }
        var job = self.job
        job.input = absolute(job.input)
        job.output = absolute(job.output)
        job.gif = job.gif.map(absolute)
        job.workDirectory = absolute(job.workDirectory)
        let described = try SegmentedJob.describing(job, segments: cluster.segments ?? 4, overlap: cluster.overlap)
        let plan = described.plan, work = job.workDirectory
        for (what, path) in [("the work folder", work), ("the output", job.output)] {
            if let local = Self.localOnly(path) {
                FileHandle.standardError.write(Data("warning: \(what) \(path) is \(local): nodes other than this one will not see it (fine when the cluster is this one machine)\n".utf8))
            }
        }
        func inWork(_ name: String) -> String { (work as NSString).appendingPathComponent(name) }
        let segmentsScript = inWork("segments.sbatch"), joinScript = inWork("join.sbatch"), recipeFile = inWork("recipe.json")
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let header = { (name: String, log: String) -> [String] in
            ["#!/bin/bash", "#SBATCH --job-name=\(name)", "#SBATCH --output=\(inWork("logs/" + log))", "#SBATCH --chdir=\(directory)",
             "#SBATCH --cpus-per-task=\(cluster.cpusPerTask ?? 2)"]
                + (cluster.partition.map { ["#SBATCH --partition=\($0)"] } ?? []) + (cluster.time.map { ["#SBATCH --time=\($0)"] } ?? [])
        }
        let name = URL(fileURLWithPath: job.output).deletingPathExtension().lastPathComponent
        // The nodes read the weights from the store this run uses (the fingerprint holds their digest).
        let store = "export STYLIZE_MODELS=\(Self.quoted(ModelStore().directory))"
        var segmentCommand = [executable, "video", job.input] + command.styles.map(absolute)
            + ["-o", job.output, "--recipe", recipeFile, "--work-dir", work, "--overlap", "\(plan.overlap)", "--resume",
               "--progress-every", "\(command.options.progressEvery)", "--gif-width", "\(command.gifWidth)"]
        if let gif = job.gif { segmentCommand += ["--gif", gif] }
        if job.sideBySide { segmentCommand += ["--side-by-side"] }
        let segments = header("stylize-\(name)", "segment-%a.log") + ["#SBATCH --array=1-\(plan.segments)",
            "# Segment $SLURM_ARRAY_TASK_ID of \(plan.segments) of \(job.output), written by `stylize video --slurm`.",
            "# Re-run segment K (it resumes from its frames, the others are untouched): sbatch --array=K \(segmentsScript)",
            store,
            "exec " + segmentCommand.map(Self.quoted).joined(separator: " ") + " --segment \"$SLURM_ARRAY_TASK_ID/\(plan.segments)\""]
        let join = header("stylize-join-\(name)", "join.log") + [
            "# Joins the segments of \(job.output) once they all succeeded, written by `stylize video --slurm`.",
            store,
            "exec " + [executable, "join", work].map(Self.quoted).joined(separator: " ")]

        let submitSegments = ["sbatch", "--parsable", segmentsScript]
        let submitJoin = ["sbatch", "--parsable", "--kill-on-invalid-dep=yes", "--dependency=afterok:<segments job id>", joinScript]
        let (shortest, longest) = (plan.frames / plan.segments, (plan.frames + plan.segments - 1) / plan.segments)
        print("\(job.input): \(plan.frames) frames in \(plan.segments) segments of \(shortest == longest ? "\(shortest)" : "\(shortest)–\(longest)") frames, "
            + "each after the first with \(plan.overlap) lead-in frames")
        if cluster.dryRun {
            print("--- \(segmentsScript)\n" + segments.joined(separator: "\n"))
            print("--- \(joinScript)\n" + join.joined(separator: "\n"))
            print("--- would write \(SegmentedJob.path(in: work)) and \(recipeFile), then run:")
            print(submitSegments.joined(separator: " "))
            print(submitJoin.joined(separator: " "))
            return
        }
        try described.record(in: work)
        try FileManager.default.createDirectory(atPath: inWork("logs"), withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(recipe).write(to: URL(fileURLWithPath: recipeFile), options: .atomic)
        for (path, lines) in [(segmentsScript, segments), (joinScript, join)] {
            try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
        let segmentsID = try Self.sbatch(Array(submitSegments.dropFirst()))
        let joinID = try Self.sbatch(["--parsable", "--kill-on-invalid-dep=yes", "--dependency=afterok:\(segmentsID)", joinScript])
        print("submitted segments as job array \(segmentsID) (tasks 1–\(plan.segments)) and the join as job \(joinID), which runs once they all succeeded")
        print("watch:   squeue -j \(segmentsID),\(joinID)    logs: \(inWork("logs"))/")
        print("a failed segment K cancels the join; re-run it (it resumes), then the join:")
        print("         sbatch --array=K \(segmentsScript)   then   sbatch --dependency=afterok:<its id> \(joinScript)")
        print("output:  \(job.output)" + (job.gif.map { " and \($0)" } ?? "") + " (or by hand: stylize join \(work))")
    }

    /// Runs sbatch and returns the job id it prints (`--parsable`: "id" or "id;cluster").
    private static func sbatch(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sbatch"] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let error = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, let id = output.split(separator: ";").first?.trimmingCharacters(in: .whitespacesAndNewlines), !id.isEmpty else {
            let reason = process.terminationStatus == 127 ? "sbatch is not installed here: submit from a Slurm login node" : error.trimmingCharacters(in: .whitespacesAndNewlines)
            throw ValidationError("sbatch \(arguments.joined(separator: " ")) failed: \(reason)")
        }
        return id
    }

    /// Why `path` is likely seen by this machine alone (a memory filesystem, /tmp), or nil. The filesystem is
    /// the one of the longest mount point in /proc/self/mounts above the path.
    static func localOnly(_ path: String) -> String? {
        let mounts = (try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? ""
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        var type: String?, longest = -1
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count > 2 else { continue }
            let point = fields[1]
            if (resolved == point || resolved.hasPrefix(point == "/" ? "/" : point + "/")) && point.count > longest {
                (type, longest) = (fields[2], point.count)
            }
        }
        if let type, ["tmpfs", "ramfs"].contains(type) { return "on a \(type) filesystem (memory of this machine)" }
        return resolved == "/tmp" || resolved.hasPrefix("/tmp/") ? "under /tmp, which is local to each machine on most clusters" : nil
    }

    /// A shell word: `'…'`, with each `'` written as `'\''`.
    static func quoted(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
