import Foundation
import TensorCore
import VideoStyle
import XCTest

/// Flow accuracy where the true flow is known (synthetic motions of an analytic texture) and on the
/// Middlebury RubberWhale pair, where warping the second frame back must reproduce the first.
final class OpticalFlowTests: XCTestCase {
    private let texture = Texture(seed: 7)

    /// frame1(p) = T(p), frame2(q) = T(q − d): the flow frame1 → frame2 is d everywhere.
    private func checkTranslation(_ dx: Double, _ dy: Double, meanBound: Double) {
        let f1 = texture.render(height: 96, width: 112)
        let f2 = texture.render(height: 96, width: 112) { ($0 - dx, $1 - dy) }
        let start = Date()
        let flow = OpticalFlow().estimate(from: f1, to: f2)
        let e = endpointError(flow, margin: 10) { _, _ in (dx, dy) }
        print(String(format: "translation (%.1f, %.1f): EPE mean %.3f max %.3f px, %.2f s", dx, dy, e.mean, e.max, Date().timeIntervalSince(start)))
        XCTAssertLessThan(e.mean, meanBound)
    }

    func testSmallTranslation() { checkTranslation(2.6, -1.7, meanBound: 0.06) }

    /// Beyond the linearisation's reach at full resolution: the pyramid must carry it.
    func testLargeTranslation() { checkTranslation(-7.3, 5.4, meanBound: 0.08) }

    /// frame2 = frame1 rotated by 4° about the centre: the flow p ↦ R(p − c) + c − p grows to ~4.5 px at the corners.
    func testRotation() {
        let angle = 4.0 * Double.pi / 180, cx = 55.5, cy = 47.5
        let (c, s) = (cos(angle), sin(angle))
        func rotate(_ x: Double, _ y: Double) -> (Double, Double) { (c * (x - cx) - s * (y - cy) + cx, s * (x - cx) + c * (y - cy) + cy) }
        func unrotate(_ x: Double, _ y: Double) -> (Double, Double) { (c * (x - cx) + s * (y - cy) + cx, -s * (x - cx) + c * (y - cy) + cy) }
        let f1 = texture.render(height: 96, width: 112)
        let f2 = texture.render(height: 96, width: 112, source: unrotate)
        let flow = OpticalFlow().estimate(from: f1, to: f2)
        let e = endpointError(flow, margin: 10) { x, y in let (rx, ry) = rotate(x, y); return (rx - x, ry - y) }
        print(String(format: "rotation 4°: EPE mean %.3f max %.3f px", e.mean, e.max))
        XCTAssertLessThan(e.mean, 0.07)
    }

    func testRubberWhaleWarpReproducesFirstFrame() throws {
        let f1 = try readSample("rubberwhale1.png"), f2 = try readSample("rubberwhale2.png")
        let start = Date()
        let forward = OpticalFlow().estimate(from: f1, to: f2)
        let seconds = Date().timeIntervalSince(start)
        let backward = OpticalFlow().estimate(from: f2, to: f1)
        let mask = FlowConsistency.mask(forward: forward, backward: backward)
        let warped = Warp.backward(f2, flow: forward)
        let coverage = Double(mask.buffer.reduce(0, +)) / Double(mask.count)
        let (before, after) = (psnr(f2, f1), psnr(warped, f1))
        let (beforeMasked, afterMasked) = (psnr(f2, f1, mask: mask), psnr(warped, f1, mask: mask))
        print(String(format: "RubberWhale %d×%d: PSNR(frame2, frame1) %.2f dB, PSNR(ω(frame2), frame1) %.2f dB; on the %.1f%% the mask trusts: %.2f → %.2f dB; flow %.2f s",
                     f1.shape.width, f1.shape.height, before, after, 100 * coverage, beforeMasked, afterMasked, seconds))
        XCTAssertGreaterThan(after, before + 8)
        XCTAssertGreaterThan(afterMasked, beforeMasked + 10)
        XCTAssertGreaterThan(coverage, 0.8)
    }
}
