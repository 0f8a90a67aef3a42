import Foundation
import Media
import Plots
import XCTest

final class PlotsTests: XCTestCase {
    private func directory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("plots-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    /// A falling total over two scales and a flat term: a PNG of the asked size, with the curve drawn in black.
    func testLossPlotIsAPNGOfTheAskedSizeWithItsCurves() throws {
        let path = try directory() + "/loss.png"
        let total = (1...40).map { LossPlot.Point(x: Double($0), y: 1e6 * pow(0.8, Double($0))) }
        let style = (1...40).map { LossPlot.Point(x: Double($0), y: 300) }
        var plot = LossPlot(title: "Losses", series: [.init(name: "total", points: total), .init(name: "style", points: style)],
                            markers: [.init(x: 20.5, label: "scale 2/2: 64×48")])
        (plot.width, plot.height) = (640, 400)
        try plot.write(to: path)
        let image = try ImageReader.read(path)
        XCTAssertEqual([image.width, image.height], [640, 400])
        let n = image.width * image.height
        let black = (0..<n).filter { image.planes[$0] < 0.1 && image.planes[n + $0] < 0.1 && image.planes[2 * n + $0] < 0.1 }.count
        let coloured = (0..<n).filter { image.planes[2 * n + $0] - image.planes[$0] > 0.3 }.count
        XCTAssertGreaterThan(black, 1000, "axes, text and the total's curve")
        XCTAssertGreaterThan(coloured, 300, "the style's blue line and legend swatch")
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent).contains { $0.contains("partial") })
    }

    func testLossPlotWithoutPositiveValuesIsAnErrorNotAnEmptyPicture() throws {
        let path = try directory() + "/loss.png"
        let plot = LossPlot(title: "Losses", series: [.init(name: "tv", points: [.init(x: 1, y: 0)])])
        XCTAssertThrowsError(try plot.write(to: path)) { XCTAssertEqual($0 as? PlotError, .noData(path: path)) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        XCTAssertThrowsError(try plot.write(to: path + ".jpg")) { XCTAssertEqual($0 as? PlotError, .notPNG(path: path + ".jpg")) }
    }

    /// Each cell's pixels land exactly where `layout()` says, and the sheet has the layout's size.
    func testContactSheetPutsEveryCellWhereItsLayoutSays() throws {
        let path = try directory() + "/sheet.png"
        func solid(_ w: Int, _ h: Int, _ rgb: [UInt8]) throws -> Picture {
            try Picture(width: w, height: h, rgb: Array((0..<w * h).map { _ in rgb }.joined()))
        }
        let colours: [[UInt8]] = [[200, 30, 30], [30, 200, 30], [30, 30, 200], [200, 200, 30]]
        let cells = try [[solid(40, 30, colours[0]), solid(40, 30, colours[1])], [solid(30, 40, colours[2]), solid(40, 30, colours[3])]]
        let sheet = ContactSheet(title: "init × optimizer", rowLabels: ["init=content", "init=noise"],
                                 columnLabels: ["optimizer=lbfgs", "optimizer=adam"], cells: cells)
        try sheet.write(to: path)
        let layout = try sheet.layout()
        let image = try ImageReader.read(path)
        XCTAssertEqual([image.width, image.height], [layout.width, layout.height])
        XCTAssertGreaterThan(layout.width, 2 * 40 + 2 * 8, "labels and gutters beside the cells")
        let n = image.width * image.height
        for r in 0..<2 {
            for c in 0..<2 {
                let rect = try XCTUnwrap(layout.cells[r][c])
                XCTAssertEqual([rect.width, rect.height], [cells[r][c].width, cells[r][c].height])
                for (x, y) in [(rect.x, rect.y), (rect.x + rect.width - 1, rect.y + rect.height - 1)] {
                    let i = y * image.width + x
                    let got = [image.planes[i], image.planes[n + i], image.planes[2 * n + i]].map { UInt8(($0 * 255).rounded()) }
                    XCTAssertEqual(got, colours[2 * r + c], "cell \(r),\(c) at \(x),\(y)")
                }
            }
        }
        // Cells do not overlap.
        let rects = layout.cells.flatMap { $0 }.compactMap { $0 }
        for (i, a) in rects.enumerated() {
            for b in rects[(i + 1)...] {
                XCTAssertTrue(a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y)
            }
        }
    }

    /// A frame of `grid --video` is the sheet `write` puts in the PNG, pixel for pixel.
    func testRenderedSheetIsTheWrittenPNG() throws {
        let path = try directory() + "/sheet.png"
        let gradient = try Picture(width: 24, height: 16, rgb: (0..<24 * 16 * 3).map { UInt8($0 % 251) })
        let sheet = ContactSheet(title: "a title", rowLabels: ["a", "b"], columnLabels: [], cells: [[gradient], [nil]])
        try sheet.write(to: path)
        let rendered = try sheet.render(), written = try ImageReader.read(path)
        XCTAssertEqual([rendered.width, rendered.height], [written.width, written.height])
        XCTAssertEqual(rendered.rgb, written.interleaved8)
        let rect = try XCTUnwrap(sheet.layout().cells[0][0])
        let corner = 3 * (rect.y * rendered.width + rect.x)
        XCTAssertEqual(Array(rendered.rgb[corner..<corner + 3]), Array(gradient.rgb[0..<3]))
    }

    func testAPictureMustHaveThreeSamplesPerPixel() {
        XCTAssertThrowsError(try Picture(width: 2, height: 2, rgb: [0, 0, 0])) {
            XCTAssertEqual($0 as? PlotError, .pictureSize(width: 2, height: 2, samples: 3))
        }
    }
}
