import TensorCore
import XCTest

final class AvailableMemoryTests: XCTestCase {
    func testMemAvailableIsReadInBytes() {
        let meminfo = "MemTotal:       32000000 kB\nMemFree:         1000000 kB\nMemAvailable:   21684256 kB\nBuffers: 1 kB\n"
        XCTAssertEqual(AvailableMemory.memAvailable(meminfo: meminfo), 21_684_256 * 1024)
        XCTAssertNil(AvailableMemory.memAvailable(meminfo: "MemTotal: 1 kB\n"))
    }

    func testACgroupLimitLeavesItsRoomAboveUsage() {
        XCTAssertEqual(AvailableMemory.cgroupRoom(limit: "4294967296\n", usage: "1073741824\n"), 3 << 30)
        XCTAssertEqual(AvailableMemory.cgroupRoom(limit: "100\n", usage: "200\n"), 0, "over the limit already")
        XCTAssertNil(AvailableMemory.cgroupRoom(limit: "max\n", usage: "1073741824\n"), "cgroup v2 without a limit")
        XCTAssertNil(AvailableMemory.cgroupRoom(limit: "9223372036854771712\n", usage: "5\n"), "cgroup v1 without a limit")
        XCTAssertNil(AvailableMemory.cgroupRoom(limit: nil, usage: nil))
    }

    func testThisMachineReportsSomeMemory() throws {
        let available = try XCTUnwrap(AvailableMemory.bytes())
        let meminfo = try String(contentsOfFile: "/proc/meminfo", encoding: .utf8)
        let total = try XCTUnwrap(meminfo.split(separator: "\n").first { $0.hasPrefix("MemTotal:") }?.split(separator: " ").dropFirst().first.flatMap { Int($0) })
        XCTAssertGreaterThan(available, 0)
        XCTAssertLessThanOrEqual(available, total * 1024)
    }
}
