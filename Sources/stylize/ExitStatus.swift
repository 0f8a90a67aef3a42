import ArgumentParser
import Foundation
import Layers
import Media
import Models
import StyleTransfer
import VideoStyle

/// The statuses `stylize` ends with (README, "Exit status"; `stylize --help`).
enum ExitStatus: Int32 {
    case success = 0
    /// An input could not be read, an output could not be written, the model or the run failed.
    case failure = 1
    /// The command line is wrong: an unknown or malformed flag, a missing argument, a value out of its range,
    /// flags that do not go together, an output type the command does not write (sysexits' EX_USAGE).
    case usage = 64
    /// Stopped by Ctrl-C (128 + SIGINT), after writing what was reached.
    case interrupted = 130

    /// Prints `error` as one line on standard error and returns the status it ends with. Help and version
    /// requests print as ArgumentParser prints them and end the process with 0.
    static func report(_ error: Error, arguments: [String] = CommandLine.arguments) -> Int32 {
        if let code = error as? ExitCode, code.rawValue != ExitCode.validationFailure.rawValue { return code.rawValue }
        let parser = Stylize.exitCode(for: error)
        if parser == .success { Stylize.exit(withError: error) }
        let status = (error as? StatusError)?.status ?? (parser == .validationFailure ? .usage : .failure)
        var message = Stylize.message(for: error).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: "; ")
        // Messages of wrapped errors may carry their own prefix: one "Error:" is enough.
        while let prefix = ["Error: ", "error: "].first(where: message.hasPrefix) { message.removeFirst(prefix.count) }
        if status == .usage { message += " (see `\(helpCommand(arguments))`)" }
        FileHandle.standardError.write(Data(("Error: " + message + "\n").utf8))
        return status.rawValue
    }

    /// `stylize SUBCOMMAND --help` for the subcommand the arguments name, else `stylize --help`.
    private static func helpCommand(_ arguments: [String]) -> String {
        let names = Stylize.configuration.subcommands.map { $0._commandName }
        let name = arguments.dropFirst().first { names.contains($0) }
        return ["stylize", name, "--help"].compactMap { $0 }.joined(separator: " ")
    }
}

/// An error that knows which `ExitStatus` it ends the process with (others end it with `failure`).
protocol StatusError: Error {
    var status: ExitStatus { get }
}

/// A knob outside its range is a mistake of the command line or of the recipe file standing in for it.
extension LimitError: StatusError {
    var status: ExitStatus { .usage }
}

/// `STYLIZE_ISA` is part of how the command was called.
extension WinogradISAError: StatusError {
    var status: ExitStatus { .usage }
}

/// Layers, counts and values that do not fit the model or the other flags are the command line's mistakes; a
/// picture the engine cannot take or a loss that diverged are failures of the input or the run.
extension EngineError: StatusError {
    var status: ExitStatus {
        switch self {
        case .unknownLayer, .countMismatch, .invalidValue, .missingContent, .missingStyle: return .usage
        case .imageNotRGB, .nonFiniteLoss: return .failure
        }
    }
}

extension ModelError: StatusError {
    var status: ExitStatus {
        if case .unknownLayer = self { return .usage }
        return .failure
    }
}

/// A segment, segment count or overlap that cannot be: the command line's; a job or segment folder that does
/// not fit: the files'.
extension SegmentError: StatusError {
    var status: ExitStatus {
        switch self {
        case .badSegment, .badSegmentCount, .tooFewFrames, .badOverlap: return .usage
        default: return .failure
        }
    }
}

/// --start, --duration, --max-frames or --fps outside what a clip selection can be: the command line's.
extension MediaError: StatusError {
    var status: ExitStatus {
        if case .invalidSelection = self { return .usage }
        return .failure
    }
}
