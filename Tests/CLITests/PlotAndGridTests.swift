import Foundation
import Media
import XCTest

/// `--plot` and `stylize grid`, run as a user would on tiny pictures.
final class PlotAndGridTests: XCTestCase {
    private var coffee: String { Stylize.root + "/Samples/coffee.jpg" }
    private var starry: String { Stylize.root + "/Samples/starry_night_unframed.jpg" }
    private let tiny = ["--size", "48", "--iterations", "3", "--progress-every", "0"]

    func testPlotIsWrittenAsADecodablePNGBesideThePicture() throws {
        let dir = try Stylize.directory(self)
        let run = try Stylize.run(["image", coffee, starry, "-o", dir + "/out.png", "--plot", dir + "/loss.png"] + tiny)
        XCTAssertEqual(run.status, 0, run.error)
        XCTAssertTrue(run.output.contains("wrote \(dir)/loss.png"), run.output)
        let plot = try ImageReader.read(dir + "/loss.png")
        XCTAssertEqual([plot.width, plot.height], [960, 600])
        // Not a blank page: dark pixels of axes, text and curves.
        let n = plot.width * plot.height
        XCTAssertGreaterThan((0..<n).filter { plot.planes[$0] + plot.planes[n + $0] + plot.planes[2 * n + $0] < 0.6 }.count, 1000)
    }

    func testPlotMustBeAPNG() throws {
        let dir = try Stylize.directory(self)
        let run = try Stylize.run(["texture", starry, "-o", dir + "/out.png", "--plot", dir + "/loss.jpg"] + tiny)
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.error.contains("loss.jpg") && run.error.contains(".png"), run.error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out.png"), "refused before the run")
    }

    /// Two knobs × two values: a sheet holding four different 48-pixel cells where the command says they are.
    func testGridMakesASheetOfDistinctCells() throws {
        let dir = try Stylize.directory(self)
        let run = try Stylize.run(["grid", coffee, starry, "-o", dir + "/sheet.png", "--vary", "style_weight=1e2,1e8",
                                   "--vary", "init=content,noise"] + tiny)
        XCTAssertEqual(run.status, 0, run.error)
        let sheet = try ImageReader.read(dir + "/sheet.png")
        let pattern = try NSRegularExpression(pattern: #"^  (style_weight=\S+, init=\S+): (\d+)×(\d+) at \((\d+), (\d+)\)$"#, options: .anchorsMatchLines)
        let matches = pattern.matches(in: run.output, range: NSRange(run.output.startIndex..., in: run.output))
        let cells = matches.map { m in (1...5).map { String(run.output[Range(m.range(at: $0), in: run.output)!]) } }
        XCTAssertEqual(cells.map { $0[0] }, ["style_weight=1e2, init=content", "style_weight=1e2, init=noise",
                                            "style_weight=1e8, init=content", "style_weight=1e8, init=noise"], run.output)
        let pictures = try cells.map { c -> [Float] in
            let (w, h, x, y) = (Int(c[1])!, Int(c[2])!, Int(c[3])!, Int(c[4])!)
            XCTAssertEqual(max(w, h), 48)
            _ = try XCTUnwrap(x + w <= sheet.width && y + h <= sheet.height ? true : nil, "\(c[0]) lies outside the \(sheet.width)×\(sheet.height) sheet")
            let n = sheet.width * sheet.height
            return (0..<3).flatMap { ch in (y..<y + h).flatMap { row in (x..<x + w).map { sheet.planes[ch * n + row * sheet.width + $0] } } }
        }
        XCTAssertGreaterThan(sheet.width, 2 * 48)
        XCTAssertGreaterThan(sheet.height, 2 * 48)
        for i in pictures.indices {
            for j in pictures.indices where j > i {
                let difference = zip(pictures[i], pictures[j]).map { abs($0 - $1) }.reduce(0, +) / Float(pictures[i].count)
                XCTAssertGreaterThan(difference, 0.003, "cells \(cells[i][0]) and \(cells[j][0]) look the same")
            }
        }
    }

    func testBadVaryIsRefusedBeforeAnyCellRuns() throws {
        let dir = try Stylize.directory(self)
        let cases: [(String, [String])] = [
            ("colour=1,2", ["colour", "not a recipe key", "style_weight"]),
            ("size=big,48", ["size=big", "not a value"]),
            ("style_weight", ["KEY=v1,v2"]),
            ("optimizer=lbfgs,sgd", ["optimizer=sgd"]),
            ("pooling=max,mean", ["pooling=mean", "not a value"]),
        ]
        for (vary, expected) in cases {
            let run = try Stylize.run(["grid", coffee, starry, "-o", dir + "/sheet.png", "--vary", vary] + tiny)
            XCTAssertNotEqual(run.status, 0, vary)
            for text in expected { XCTAssertTrue(run.error.contains(text), "--vary \(vary): \(run.error)") }
            XCTAssertFalse(run.output.contains("cell 1/"), "--vary \(vary) started a run: \(run.output)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/sheet.png"))
    }
}
