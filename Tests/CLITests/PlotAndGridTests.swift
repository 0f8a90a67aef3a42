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

    /// `--video` and `--frames` record every cell forming side by side: frame 1 shows the cells' starts, the frames
    /// change as they converge, the last frame is the sheet itself (pixel for pixel in the PNG frames) held for
    /// `--hold`, and the sidecar says what each cell was.
    func testGridVideoShowsEveryCellFormingSideBySide() throws {
        let dir = try Stylize.directory(self)
        let run = try Stylize.run(["grid", coffee, starry, "-o", dir + "/sheet.png", "--vary", "style_weight=1e2,1e8",
                                   "--video", dir + "/sheet.mp4", "--frames", dir + "/frames", "--save-every", "1",
                                   "--fps", "10", "--hold", "0.5", "--size", "48", "--iterations", "6", "--progress-every", "0"])
        XCTAssertEqual(run.status, 0, run.error)
        let sheet = try ImageReader.read(dir + "/sheet.png")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir + "/frames").sorted()
        // The blurred start, 6 iterations and the final picture per cell, then the final sheet 5 times in all.
        XCTAssertEqual(names.count, 1 + 6 + 1 - 1 + 5, names.joined(separator: " "))
        let first = try ImageReader.read(dir + "/frames/" + names[0]), last = try ImageReader.read(dir + "/frames/" + names.last!)
        XCTAssertEqual(last, sheet, "the video ends on the sheet")
        XCTAssertEqual([first.width, first.height], [sheet.width, sheet.height])
        XCTAssertEqual(try ClipProbe.frames(dir + "/sheet.mp4").images.count, names.count)
        let sidecar = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/sheet.json"))) as? [String: Any])
        let record = try XCTUnwrap(sidecar["run"] as? [String: Any])
        XCTAssertEqual(record["vary"] as? [String], ["style_weight=1e2,1e8"])
        XCTAssertEqual(record["video_frames"] as? Int, names.count)
        let cells = try XCTUnwrap(record["cells"] as? [[String: Any]])
        XCTAssertEqual(cells.map { $0["label"] as? String }, ["style_weight=1e2", "style_weight=1e8"])
        XCTAssertEqual(cells.map { ($0["recipe"] as? [String: Any])?["style_weight"] as? Double }, [1e2, 1e8])
        XCTAssertEqual(record["outputs"] as? [String], [dir + "/sheet.png", dir + "/sheet.mp4", dir + "/frames"])
        // One knob lays its cells out in a row.
        let rects = try cells.map { try XCTUnwrap($0["sheet_rect"] as? [Int]) }
        XCTAssertEqual(rects[0][1], rects[1][1], "\(rects)")
        XCTAssertGreaterThanOrEqual(rects[1][0], rects[0][0] + rects[0][2], "\(rects)")
        // Each cell, where the sidecar says it lies, changed from the start to the end.
        for cell in cells {
            let rect = try XCTUnwrap(cell["sheet_rect"] as? [Int]), (x, y, w, h) = (rect[0], rect[1], rect[2], rect[3])
            let n = sheet.width * sheet.height
            let pixels = (0..<3).flatMap { ch in (y..<y + h).flatMap { row in (x..<x + w).map { ch * n + row * sheet.width + $0 } } }
            let change = pixels.map { abs(first.planes[$0] - last.planes[$0]) }.reduce(0, +) / Float(pixels.count)
            XCTAssertGreaterThan(change, 0.01, "\(cell["label"] ?? "") formed over the video")
        }
    }

    func testGridRefusesSideBySideFrames() throws {
        let dir = try Stylize.directory(self)
        let run = try Stylize.run(["grid", coffee, starry, "-o", dir + "/sheet.png", "--vary", "style_weight=1e2,1e8",
                                   "--video", dir + "/sheet.mp4", "--layout", "side-by-side"] + tiny)
        XCTAssertEqual(run.status, 64, run.error)
        XCTAssertTrue(run.error.contains("--layout side-by-side"), run.error)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [])
    }

    func testGridChecksEveryOutputBeforeAnyCellRuns() throws {
        let dir = try Stylize.directory(self)
        let cases: [([String], Int32, [String])] = [
            (["-o", dir + "/sheet.jpg"], 64, ["sheet.jpg", ".png"]),
            (["-o", dir + "/sheet.png", "--gif", dir + "/sheet.mp4"], 64, ["--gif", ".gif"]),
            (["-o", dir + "/sheet.png", "--save-recipe", dir + "/sheet.json"], 64, ["sidecar", "its own path"]),
            (["-o", dir + "/sheet.png", "--video", dir + "/missing/sheet.mp4"], 1, ["--video", "no folder"]),
        ]
        for (arguments, status, expected) in cases {
            let run = try Stylize.run(["grid", coffee, starry, "--vary", "style_weight=1e2,1e8"] + arguments + tiny)
            XCTAssertEqual(run.status, status, "\(arguments): \(run.error)")
            for text in expected { XCTAssertTrue(run.error.contains(text), "\(arguments): \(run.error)") }
            XCTAssertFalse(run.output.contains("cell 1/"), "\(arguments) started a run: \(run.output)")
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [], "\(arguments)")
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
