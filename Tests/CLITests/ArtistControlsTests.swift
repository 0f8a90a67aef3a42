import Foundation
import Media
import XCTest

/// The artist's controls through the executable, judged on the pictures it writes by measures of their own (mean
/// colours, chroma, neighbour differences), not by the engine's losses: regions, seamless tiles, colours, the W2
/// style loss, recipes and `grid --vary`. Their gradients and exactness are checked in `StyleTransferTests`.
final class ArtistControlsTests: XCTestCase {
    private let root = Stylize.root
    private var coffee: String { root + "/Samples/coffee.jpg" }
    private var starry: String { root + "/Samples/starry_night_unframed.jpg" }
    private var chelsea: String { root + "/Samples/chelsea.png" }
    private let quick = ["--model", "vgg16", "--progress-every", "0", "--quiet"]

    /// The mean colour of columns `xs` of a picture.
    private func meanColour(_ p: RGBImage, columns xs: Range<Int>) -> [Double] {
        (0..<3).map { c in
            var sum = 0.0
            for y in 0..<p.height { for x in xs { sum += Double(p.planes[(c * p.height + y) * p.width + x]) } }
            return sum / Double(p.height * xs.count)
        }
    }

    private func distance(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot() }

    /// A white-on-the-left mask at its own size, written as a PNG.
    private func mask(_ path: String, left: Bool) throws -> String {
        var image = RGBImage(width: 40, height: 30)
        for c in 0..<3 { for y in 0..<30 { for x in 0..<40 where (x < 20) == left { image.planes[(c * 30 + y) * 40 + x] = 1 } } }
        try ImageWriter.write(image, to: path)
        return path
    }

    /// The Starry Night's busy strokes on one half, the cat's soft fur on the other, then swapped: each half is busier
    /// (more energy in its Laplacian) where the painting's mask covers it than where the cat's does. The sidecar
    /// reruns the picture.
    func testTwoStylesOnTwoHalves() throws {
        let dir = try Stylize.directory(self)
        let left = try mask(dir + "/left.png", left: true), right = try mask(dir + "/right.png", left: false)
        func run(_ name: String, starryMask: String, catMask: String) throws -> [Double] {
            let r = try Stylize.run(["image", coffee, starry, chelsea, "-o", dir + "/\(name).png", "--size", "128", "--scales", "1",
                                     "--iterations", "60", "--style-mask", "1=\(starryMask)", "--style-mask", "2=\(catMask)"] + quick)
            XCTAssertEqual(r.status, 0, r.error)
            let p = try ImageReader.read(dir + "/\(name).png")
            return [1..<p.width / 2 - 6, p.width / 2 + 6..<p.width - 1].map { laplacianEnergy(p, columns: $0) }
        }
        let starryLeft = try run("starry-left", starryMask: left, catMask: right)
        let starryRight = try run("starry-right", starryMask: right, catMask: left)
        print("Laplacian energy of the halves: starry left \(starryLeft), starry right \(starryRight)")
        XCTAssertGreaterThan(starryLeft[0], 1.5 * starryRight[0], "the left half")
        XCTAssertGreaterThan(starryRight[1], 1.5 * starryLeft[1], "the right half")
        let sidecar = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/starry-left.json"))) as? [String: Any])
        XCTAssertEqual(sidecar["style_masks"] as? [String: String], ["1": left, "2": right])
        // Its recipe alone puts the masks back: the same bytes.
        let again = try Stylize.run(["image", coffee, starry, chelsea, "-o", dir + "/again.png", "--recipe", dir + "/starry-left.json"] + quick)
        XCTAssertEqual(again.status, 0, again.error)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/again.png")),
                       try Data(contentsOf: URL(fileURLWithPath: dir + "/starry-left.png")))
    }

    /// The mean squared 4-neighbour Laplacian over columns `xs` (rows 1…h−2): how busy the brushwork is.
    private func laplacianEnergy(_ p: RGBImage, columns xs: Range<Int>) -> Double {
        var sum = 0.0
        for c in 0..<3 {
            for y in 1..<p.height - 1 {
                for x in xs {
                    func v(_ y: Int, _ x: Int) -> Double { Double(p.planes[(c * p.height + y) * p.width + x]) }
                    let l = 4 * v(y, x) - v(y - 1, x) - v(y + 1, x) - v(y, x - 1) - v(y, x + 1)
                    sum += l * l
                }
            }
        }
        return sum / Double(3 * (p.height - 2) * xs.count)
    }

    /// A texture tiled 2×2: across the seams neighbouring pixels differ no more than inside, within 10%; the same texture
    /// made without `--tileable` shows its seams (the control).
    func testATileableTextureTilesWithoutSeams() throws {
        let dir = try Stylize.directory(self)
        var ratios: [String: Double] = [:]
        for flag in ["--tileable", "--no-tileable"] {
            let run = try Stylize.run(["texture", starry, "-o", dir + "/t\(flag).png", "--size", "128", flag] + quick)
            XCTAssertEqual(run.status, 0, run.error)
            let p = try ImageReader.read(dir + "/t\(flag).png")
            var seam = 0.0, seams = 0, inside = 0.0, insides = 0
            for c in 0..<3 {
                for y in 0..<p.height {
                    for x in 0..<p.width {
                        func v(_ y: Int, _ x: Int) -> Double { Double(p.planes[(c * p.height + y % p.height) * p.width + x % p.width]) }
                        let dx = (v(y, x + 1) - v(y, x)) * (v(y, x + 1) - v(y, x)), dy = (v(y + 1, x) - v(y, x)) * (v(y + 1, x) - v(y, x))
                        if x == p.width - 1 { (seam, seams) = (seam + dx, seams + 1) } else { (inside, insides) = (inside + dx, insides + 1) }
                        if y == p.height - 1 { (seam, seams) = (seam + dy, seams + 1) } else { (inside, insides) = (inside + dy, insides + 1) }
                    }
                }
            }
            ratios[flag] = (seam / Double(seams)) / (inside / Double(insides))
            print("\(flag): mean squared neighbour difference across the seams / inside = \(ratios[flag]!)")
        }
        XCTAssertLessThanOrEqual(ratios["--tileable"]!, 1.1)
        XCTAssertGreaterThan(ratios["--no-tileable"]!, 1.1)
    }

    /// `--colors`: `style` takes the painting's palette, `histogram` the photo's (the style's colours matched to it
    /// first), `luminance` and `content` keep the photo's chroma at every pixel; `--preserve-colors` is `content`.
    func testColours() throws {
        let dir = try Stylize.directory(self)
        func run(_ name: String, _ flags: [String]) throws -> RGBImage {
            let r = try Stylize.run(["image", coffee, starry, "-o", dir + "/\(name).png", "--size", "64", "--scales", "1",
                                     "--iterations", "20"] + flags + quick)
            XCTAssertEqual(r.status, 0, r.error)
            return try ImageReader.read(dir + "/\(name).png")
        }
        let small = try run("reference", ["--style-weight", "0"])  // the photo at the output's size, as the engine sees it
        let photo = meanColour(small, columns: 0..<small.width)
        let painting = meanColour(try ImageReader.read(starry), columns: 0..<(try ImageReader.read(starry)).width)
        let style = meanColour(try run("style", []), columns: 0..<small.width)
        let histogram = meanColour(try run("histogram", ["--colors", "histogram"]), columns: 0..<small.width)
        print("mean colours: photo \(photo), painting \(painting), style \(style), histogram \(histogram)")
        XCTAssertLessThan(distance(histogram, photo), distance(histogram, painting))
        XCTAssertLessThan(distance(histogram, photo), 0.5 * distance(style, photo))
        // Chroma (YIQ's I and Q) per pixel against the photo's, where neither is clipped.
        func chromaError(_ p: RGBImage) -> Double {
            let n = p.width * p.height
            var sum = 0.0, count = 0
            for i in 0..<n {
                let a = (0..<3).map { Double(p.planes[$0 * n + i]) }, b = (0..<3).map { Double(small.planes[$0 * n + i]) }
                guard (a + b).allSatisfy({ $0 > 0.02 && $0 < 0.98 }) else { continue }
                let di = 0.596 * (a[0] - b[0]) - 0.274 * (a[1] - b[1]) - 0.322 * (a[2] - b[2])
                let dq = 0.211 * (a[0] - b[0]) - 0.523 * (a[1] - b[1]) + 0.312 * (a[2] - b[2])
                sum += di * di + dq * dq
                count += 1
            }
            XCTAssertGreaterThan(count, n / 4)
            return (sum / Double(max(count, 1))).squareRoot()
        }
        let luminance = chromaError(try run("luminance", ["--colors", "luminance"]))
        let kept = chromaError(try run("content", ["--colors", "content"]))
        let preserved = try run("preserve", ["--preserve-colors"])
        let plain = chromaError(try ImageReader.read(dir + "/style.png"))
        print("chroma RMS against the photo: luminance \(luminance), content \(kept), style \(plain)")
        XCTAssertLessThan(luminance, 0.01)
        XCTAssertLessThan(kept, 0.01)
        XCTAssertGreaterThan(plain, 0.03)
        XCTAssertEqual(preserved.planes, try ImageReader.read(dir + "/content.png").planes, "--preserve-colors is --colors content")
    }

    /// `--style-loss w2` runs, is recorded, and `grid --vary style-loss=gram,w2` puts both side by side.
    func testW2StyleLossAndGrid() throws {
        let dir = try Stylize.directory(self)
        let run = try Stylize.run(["image", coffee, starry, "-o", dir + "/w2.png", "--size", "64", "--scales", "1", "--iterations", "10",
                                   "--style-loss", "w2"] + quick)
        XCTAssertEqual(run.status, 0, run.error)
        let sidecar = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/w2.json"))) as? [String: Any])
        XCTAssertEqual(sidecar["style_loss"] as? String, "w2")
        let grid = try Stylize.run(["grid", coffee, starry, "-o", dir + "/sheet.png", "--vary", "style-loss=gram,w2", "--vary", "colors=style,histogram",
                                    "--size", "48", "--scales", "1", "--iterations", "4"] + quick)
        XCTAssertEqual(grid.status, 0, grid.error)
        let sheet = try ImageReader.read(dir + "/sheet.png")
        XCTAssertGreaterThan(sheet.width, 2 * 48)
        XCTAssertGreaterThan(sheet.height, 2 * 48)
    }

    /// A clip with a mask clip: frame i takes the mask clip's frame i. Two mask clips that agree on frame 0 and differ
    /// after give the same first frame and different later ones; a mask clip shorter than the clip is refused, naming
    /// it, and leaves no output.
    func testAMaskClipMasksEachFrame() throws {
        let dir = try Stylize.directory(self)
        let clip = root + "/Samples/tree.mp4"
        let white = try Fixtures.ffmpeg("mask-white.mp4", source: "color=white:s=40x30:r=25", options: ["-frames:v", "3", "-pix_fmt", "yuv420p"])
        let fading = try Fixtures.ffmpeg("mask-fading.mp4", source: "color=white:s=40x30:r=25,fade=type=out:start_frame=1:nb_frames=1",
                                         options: ["-frames:v", "3", "-pix_fmt", "yuv420p"])
        let short = try Fixtures.ffmpeg("mask-short.mp4", source: "color=white:s=40x30:r=25", options: ["-frames:v", "1", "-pix_fmt", "yuv420p"])
        let common = ["--max-frames", "3", "--size", "48", "--iterations", "4", "--frame-iterations", "2"] + quick
        func frames(_ name: String, mask: String) throws -> [Data] {
            let run = try Stylize.run(["video", clip, starry, chelsea, "-o", dir + "/\(name).mp4", "--style-mask", "1=\(mask)"] + common)
            XCTAssertEqual(run.status, 0, run.error)
            let folder = dir + "/\(name).mp4.frames"
            let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".png") }.sorted()
            XCTAssertEqual(names.count, 3)
            return try names.map { try Data(contentsOf: URL(fileURLWithPath: folder + "/" + $0)) }
        }
        let a = try frames("white", mask: white), b = try frames("fading", mask: fading)
        XCTAssertEqual(a[0], b[0], "the mask clips agree on frame 0")
        XCTAssertNotEqual(a[2], b[2], "frame 2 follows its own mask")
        let run = try Stylize.run(["video", clip, starry, chelsea, "-o", dir + "/short.mp4", "--style-mask", "1=\(short)"] + common)
        XCTAssertEqual(run.status, 1, run.error)
        XCTAssertTrue(run.error.contains(short) && run.error.contains("mask clip"), run.error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/short.mp4"))
    }
}
