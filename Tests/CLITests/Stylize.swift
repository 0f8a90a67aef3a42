import Foundation
import XCTest

/// The built `stylize` executable, run as a user would: its exit status and what it printed.
enum Stylize {
    struct Run {
        var status: Int32
        var output: String
        var error: String
    }

    /// `.build/<configuration>/stylize`: on Linux the bundle URL is the folder holding the test binary.
    static var executable: String {
        Bundle(for: Marker.self).bundleURL.appendingPathComponent("stylize").path
    }

    /// The package root (Samples/, Tests/), from this file's path.
    static var root: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// `launcher`, when given, is a command that runs the executable with its arguments appended (e.g. a shell
    /// that sets a limit first).
    static func run(_ arguments: [String], environment: [String: String] = [:], launcher: [String] = []) throws -> Run {
        let process = Process()
        let command = launcher + [executable] + arguments
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting: a full pipe would block the child.
        let output = out.fileHandleForReading.readDataToEndOfFile(), error = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
                   error: String(decoding: error, as: UTF8.self))
    }

    /// A fresh empty directory removed after the test.
    static func directory(_ test: XCTestCase) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stylize-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    private final class Marker {}
}
