import XCTest
import Media

/// `--fps` text becomes a rate FFmpeg can use, or nil: never a zero rate, a trap in a 32-bit rational or a
/// precondition failure.
final class FrameRateTests: XCTestCase {
    func testValidRatesAreParsedAndReduced() throws {
        XCTAssertEqual(FrameRate(parsing: "15"), FrameRate(15))
        XCTAssertEqual(FrameRate(parsing: "29.97"), FrameRate(numerator: 2997, denominator: 100))
        let ntsc = try XCTUnwrap(FrameRate(parsing: "60000/2002"))
        XCTAssertEqual(ntsc.numerator, 30000)
        XCTAssertEqual(ntsc.denominator, 1001)
        XCTAssertEqual(FrameRate(parsing: "0.001"), FrameRate(numerator: 1, denominator: 1000))
        XCTAssertEqual(FrameRate(parsing: "1000000/1"), FrameRate(1_000_000))
        XCTAssertEqual(FrameRate(parsing: "4000000000/4000000000"), FrameRate(1)) // reduced terms fit 32 bits
    }

    func testUnusableRatesAreRefused() {
        for text in ["0", "-5", "0.0004", "1e-9", "1001", "nan", "inf", "", "abc", "1/0", "0/1", "-1/2", "1/2/3",
                     "1000001/1", "3000000001/3", "1/3000000001", "9223372036854775807/1"] {
            XCTAssertNil(FrameRate(parsing: text), text)
        }
    }
}
