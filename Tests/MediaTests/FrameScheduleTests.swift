import Media
import XCTest

final class FrameScheduleTests: XCTestCase {
    func testLinearTakesEverySaveEveryAndTheLast() throws {
        XCTAssertEqual(try FrameSchedule(kind: .linear, saveEvery: 10, iterations: 35).frameIterations, [0, 10, 20, 30, 35])
        XCTAssertEqual(try FrameSchedule(kind: .linear, saveEvery: 10, iterations: 30).frameIterations, [0, 10, 20, 30])
        XCTAssertEqual(try FrameSchedule(kind: .linear, saveEvery: 1, iterations: 3).frameIterations, [0, 1, 2, 3])
    }

    func testLogIsDenseEarlyAndKeepsTheFrameCount() throws {
        let linear = try FrameSchedule(kind: .linear, saveEvery: 10, iterations: 1000)
        let log = try FrameSchedule(kind: .log, saveEvery: 10, iterations: 1000)
        let f = log.frameIterations
        XCTAssertEqual(f.first, 0)
        XCTAssertEqual(f.last, 1000)
        XCTAssertEqual(f, f.sorted())
        XCTAssertEqual(Set(f).count, f.count)
        XCTAssertEqual(f.count, linear.frameIterations.count)
        // Half the frames within the first tenth of the run, where the picture changes fastest.
        XCTAssertGreaterThan(f.filter { $0 <= 100 }.count, f.count / 2)
        let gaps = zip(f.dropFirst(), f).map { $0 - $1 }
        XCTAssertLessThan(gaps.first!, gaps.last!)
        XCTAssertTrue(log.includes(1000))
        XCTAssertTrue(log.includes(0))
        XCTAssertFalse(log.includes(999))
    }

    func testLogOnShortRunsTakesEveryIteration() throws {
        XCTAssertEqual(try FrameSchedule(kind: .log, saveEvery: 1, iterations: 5).frameIterations, [0, 1, 2, 3, 4, 5])
        XCTAssertEqual(try FrameSchedule(kind: .log, saveEvery: 5, iterations: 0).frameIterations, [0])
    }

    func testHoldFrames() {
        XCTAssertEqual(FrameSchedule.holdFrames(seconds: 2, frameRate: FrameRate(15)), 30)
        XCTAssertEqual(FrameSchedule.holdFrames(seconds: 0, frameRate: FrameRate(15)), 0)
        XCTAssertEqual(FrameSchedule.holdFrames(seconds: 1, frameRate: FrameRate(numerator: 30000, denominator: 1001)), 30)
    }

    func testInvalidSaveEveryIsTyped() {
        XCTAssertThrowsError(try FrameSchedule(kind: .linear, saveEvery: 0, iterations: 10)) { error in
            guard case .invalidOption? = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("save_every"))
        }
    }
}
