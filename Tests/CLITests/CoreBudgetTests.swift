import XCTest

/// A batch task uses the cores it was granted, not every core of the node it shares (Slurm's task/none does not
/// bind tasks, so the granted count comes from SLURM_CPUS_PER_TASK).
final class CoreBudgetTests: XCTestCase {
    private func threads(_ environment: [String: String]) throws -> String {
        let run = try Stylize.run(["info"], environment: environment)
        XCTAssertEqual(run.status, 0, run.output)
        return run.output.split(separator: "\n").first { $0.hasPrefix("threads") }.map(String.init) ?? run.output
    }

    func testSlurmGrantLimitsBLASThreadsAndWorkers() throws {
        XCTAssertTrue(try threads(["SLURM_CPUS_PER_TASK": "1"]).hasPrefix("threads      1 (cores this process may use: 1)"))
        let cores = ProcessInfo.processInfo.activeProcessorCount
        XCTAssertTrue(try threads([:]).hasSuffix("(cores this process may use: \(cores))"))
    }
}
