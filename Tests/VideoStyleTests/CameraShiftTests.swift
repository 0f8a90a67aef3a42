import TensorCore
import VideoStyle
import XCTest

final class CameraShiftTests: XCTestCase {
    private let texture = Texture(seed: 5)

    /// A pan of (dx, dy) whole pixels: frame(x, y) = previous(x + dx, y + dy).
    private func check(_ dx: Int, _ dy: Int, maxShift: Int = 20) {
        let previous = texture.render(height: 90, width: 160)
        let frame = texture.render(height: 90, width: 160) { ($0 + Double(dx), $1 + Double(dy)) }
        let found = CameraShift.estimate(from: frame, to: previous, maxShift: maxShift)
        XCTAssertEqual(found.dx, dx, "shift (\(dx), \(dy))")
        XCTAssertEqual(found.dy, dy, "shift (\(dx), \(dy))")
    }

    func testFindsSmallAndLargePans() {
        check(0, 0)
        check(3, -1)
        check(-11, 6)
        check(17, 13)
    }

    func testMovingPreviousByTheShiftReproducesTheFrame() {
        let previous = texture.render(height: 40, width: 60)
        let frame = texture.render(height: 40, width: 60) { ($0 - 4, $1 + 2) }
        let shift = CameraShift.estimate(from: frame, to: previous, maxShift: 8)
        let moved = Warp.backward(previous, flow: CameraShift.flow(shift, height: 40, width: 60))
        // Away from the border the pan brings in, the moved picture is the frame, pixel for pixel.
        for y in 0..<38 { for x in 4..<60 { XCTAssertEqual(moved[0, y, x], frame[0, y, x], accuracy: 1e-5) } }
    }
}
