import Foundation
import XCTest

/// `STYLIZE_ISA` chooses the Winograd instruction set; one this CPU lacks, or a name Stylize does not have, is
/// refused at start with a message (status 64) where running the kernel would die of SIGILL.
final class InstructionSetTests: XCTestCase {
    /// The sets `stylize info` says this CPU runs, and the one in use.
    private func info(_ isa: String) throws -> (active: String, supported: [String]) {
        let run = try Stylize.run(["info", "--gemm-size", "64"], environment: ["STYLIZE_ISA": isa])
        XCTAssertEqual(run.status, 0, run.error)
        let line = try XCTUnwrap(run.output.split(separator: "\n").first { $0.hasPrefix("winograd") }, run.output)
        let words = line.split(separator: " ")
        let runs = try XCTUnwrap(line.range(of: "runs: ").map { line[$0.upperBound...] }, String(line))
        return (String(words[1]), runs.prefix { $0 != ";" }.components(separatedBy: ", "))
    }

    func testInfoNamesTheChosenInstructionSet() throws {
        XCTAssertEqual(try info("generic").active, "generic")
        let best = try info("")
        XCTAssertTrue(best.supported.contains(best.active), "\(best)")
    }

    func testAnInstructionSetThisCPULacksIsRefused() throws {
        let supported = try info("").supported
        guard let missing = ["avx512", "avx2"].first(where: { !supported.contains($0) }) else {
            throw XCTSkip("this CPU runs every instruction set Stylize has (\(supported)): no refusal to test here")
        }
        let run = try Stylize.run(["info"], environment: ["STYLIZE_ISA": missing])
        XCTAssertEqual(run.status, 64, "expected a usage error, not a signal: \(run.error)")
        XCTAssertTrue(run.error.contains("STYLIZE_ISA=\(missing)"), run.error)
        XCTAssertFalse(run.error.contains("Illegal instruction"), run.error)
    }

    /// `stylize bench` runs with each set this CPU has (on an AVX-512 machine the AVX2 build too) and reports which
    /// ran, the time split into forward, backward and the style layers' Grams, and the rates.
    func testBenchRunsAndNamesEachInstructionSet() throws {
        for isa in try info("").supported {
            let run = try Stylize.run(["bench", "--model", "vgg16", "--size", "48", "--iterations", "1", "--json"], environment: ["STYLIZE_ISA": isa])
            XCTAssertEqual(run.status, 0, run.error)
            let line = try XCTUnwrap(run.output.split(separator: "\n").first { $0.hasPrefix("{") }, run.output)
            let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], String(line))
            XCTAssertEqual(json["isa"] as? String, isa)
            let seconds = try XCTUnwrap(json["seconds_per_eval"] as? Double), forward = try XCTUnwrap(json["forward_seconds"] as? Double)
            let backward = try XCTUnwrap(json["backward_seconds"] as? Double), gram = try XCTUnwrap(json["gram_seconds"] as? Double)
            XCTAssertGreaterThan(forward, 0, isa)
            XCTAssertGreaterThan(backward, 0, isa)
            XCTAssertGreaterThan(gram, 0, isa)
            XCTAssertLessThanOrEqual(forward + backward, seconds * 1.001 + 1e-4, "the split is part of the evaluation (\(isa))")
            XCTAssertGreaterThan(try XCTUnwrap(json["gflops_per_core"] as? Double), 0, isa)
        }
    }

    func testAnUnknownInstructionSetIsRefused() throws {
        let run = try Stylize.run(["bench", "--size", "32"], environment: ["STYLIZE_ISA": "sse9"])
        XCTAssertEqual(run.status, 64, run.error)
        XCTAssertTrue(run.error.contains("STYLIZE_ISA=sse9"), run.error)
        XCTAssertTrue(run.output.isEmpty, run.output)
    }
}
