import Foundation
import XCTest

/// A weights file that does not fit its network stops `image` and `models import` with one message naming the
/// file and the tensor, before any image is read or anything is installed.
final class WrongWeightsFileTests: XCTestCase {
    /// Only `features.0.weight`, as VGG's first kernel (64×3×3×3).
    private func writeFirstKernelOnly(_ path: String, values: [Float]) throws {
        try SafetensorsFile.write([("features.0.weight", [64, 3, 3, 3], values)], to: path)
    }

    func testMissingAndNonFiniteTensorsAreNamed() throws {
        let dir = try Stylize.directory(self), samples = Stylize.root + "/Samples/"
        var kernel = [Float](repeating: 0.01, count: 64 * 27)
        try writeFirstKernelOnly(dir + "/partial.safetensors", values: kernel)
        kernel[40] = .nan
        try writeFirstKernelOnly(dir + "/nan.safetensors", values: kernel)

        for (file, says) in [("partial", "tensor features.0.bias is missing (needed by vgg16)"),
                             ("nan", "tensor features.0.weight holds NaN or infinity at element 40")] {
            let path = dir + "/\(file).safetensors"
            let image = try Stylize.run(["image", samples + "chelsea.png", samples + "starry_night.jpg", "--model", path,
                                         "--size", "32", "-o", dir + "/out.png"])
            XCTAssertNotEqual(image.status, 0)
            XCTAssertTrue(image.error.contains("\(path): \(says)"), image.error)
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out.png"))

            let store = dir + "/store"
            let imported = try Stylize.run(["models", "import", path, "--as", "mine"], environment: ["STYLIZE_MODELS": store])
            XCTAssertNotEqual(imported.status, 0)
            XCTAssertTrue(imported.error.contains("\(path): \(says)"), imported.error)
            XCTAssertFalse(FileManager.default.fileExists(atPath: store + "/mine.safetensors"))
        }
    }
}
