import Foundation
import Media
import XCTest

/// `reconstruct`'s defaults show what a layer keeps: the shallowest layer gives the photo back, a deep one far
/// less (the README's layer sheet at 160 px shows the look; here a quick run on a 64-px picture).
final class ReconstructTests: XCTestCase {
    private let root = Stylize.root

    func testShallowLayerGivesThePhotoBackDeepLayerLess() throws {
        let dir = try Stylize.directory(self)
        let photo = root + "/Samples/coffee.jpg"
        func rebuilt(_ layer: String, iterations: String) throws -> Double {
            let out = "\(dir)/\(layer).png"
            let run = try Stylize.run(["reconstruct", photo, "-o", out, "--content-layers", layer, "--size", "64",
                                       "--iterations", iterations, "--model", "vgg16", "--progress-every", "0"])
            XCTAssertEqual(run.status, 0, run.error)
            let picture = try ImageReader.read(out)
            let target = try ImageResize.resize(try ImageReader.read(photo), width: picture.width, height: picture.height)
            let error = zip(picture.planes, target.planes).map { Double(abs($0 - $1)) }.reduce(0, +)
            return error / Double(picture.planes.count)
        }
        let shallow = try rebuilt("conv1_1", iterations: "200")
        let deep = try rebuilt("conv5_1", iterations: "40")
        // Mean absolute error per sample in [0, 1]; measured 0.0074 (conv1_1) and 0.29 (conv5_1, near noise).
        XCTAssertLessThan(shallow, 0.03, "conv1_1 should give the photo back")
        XCTAssertGreaterThan(deep, 1.5 * shallow, "conv5_1 keeps less than conv1_1 (\(deep) vs \(shallow))")
    }
}
