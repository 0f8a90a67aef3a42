import Foundation
import Media
import Plots
import StyleTransfer

/// `stylize grid --video/--gif/--frames`: every cell's convergence side by side. Cells run one after another, so
/// each records its frames (as `image --video` would: same schedule, scale fades) into a scratch folder; at the
/// end the sheet is drawn once per frame, frame k showing every cell's k-th frame (a cell with fewer frames holds
/// its last, a cell that never ran stays grey), and the finished sheet is held for `--hold` seconds.
final class GridRecording {
    let options: FrameOptions
    private let scratch: String
    /// Frames each cell recorded, `[row][column]`; 0 for a cell that has not run.
    private var frameCounts: [[Int]]

    init(options: FrameOptions, rows: Int, columns: Int) throws {
        self.options = options
        var template = Array((FileManager.default.temporaryDirectory.path + "/stylize-grid-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw GridRecordingError.noScratch(reason: String(cString: strerror(errno)))
        }
        scratch = String(cString: made)
        frameCounts = Array(repeating: Array(repeating: 0, count: columns), count: rows)
    }

    deinit { try? FileManager.default.removeItem(atPath: scratch) }

    /// The observer recording cell (`row`, `column`) into the scratch folder: no hold (the sheet holds at the end)
    /// and the result alone (the sheet's labels say what the cell is).
    func recorder(row: Int, column: Int, engine: Engine) throws -> FrameRecorder {
        var cell = options
        (cell.video, cell.gif, cell.frames, cell.hold, cell.layout) = (nil, nil, folder(row, column), 0, .result)
        return try FrameRecorder(options: cell, engine: engine, content: nil, style: nil)
    }

    /// Notes how many frames cell (`row`, `column`) left, once its recorder has finished.
    func finished(row: Int, column: Int) {
        frameCounts[row][column] = ((try? FileManager.default.contentsOfDirectory(atPath: folder(row, column))) ?? []).count
    }

    /// Draws the sheet once per frame into the video, GIF and frame folder `options` name. `sheet` lays out the
    /// cells' pictures of one frame.
    func write(sheet: ([[Picture?]]) -> ContactSheet) throws -> Int {
        let sink = FrameSink(consumers: try options.makeConsumers())
        let length = frameCounts.joined().max() ?? 0
        var count = 0
        // A cell that has ended keeps its last picture: only frames a cell still has are read.
        var pictures = frameCounts.map { $0.map { _ in Picture?.none } }
        do {
            for k in 0..<length {
                for (r, row) in frameCounts.enumerated() {
                    for (c, n) in row.enumerated() where k < n {
                        pictures[r][c] = try Picture(ImageReader.read(folder(r, c) + "/" + PNGSequenceWriter.fileName(ofFrame: k)))
                    }
                }
                let frame = try RGBImage(sheet(pictures).render())
                let copies = k == length - 1 ? max(1, FrameSchedule.holdFrames(seconds: options.hold, frameRate: options.fps)) : 1
                for _ in 0..<copies { try sink.push(frame) }
                count += copies
            }
        } catch {
            try? sink.finish(discarding: true)
            throw error
        }
        try sink.finish()
        return count
    }

    private func folder(_ row: Int, _ column: Int) -> String { scratch + "/cell_\(row + 1)_\(column + 1)" }
}

extension Picture {
    /// An image quantised to 8 bits, as a sheet's cell.
    init(_ image: RGBImage) throws {
        try self.init(width: image.width, height: image.height, rgb: image.interleaved8)
    }
}

extension RGBImage {
    /// An 8-bit picture as planes in [0, 1].
    init(_ picture: Picture) {
        let n = picture.width * picture.height
        var planes = [Float](repeating: 0, count: 3 * n)
        for i in 0..<n {
            for c in 0..<3 { planes[c * n + i] = Float(picture.rgb[3 * i + c]) / 255 }
        }
        self.init(width: picture.width, height: picture.height, planes: planes)
    }
}

enum GridRecordingError: Error, CustomStringConvertible {
    case noScratch(reason: String)

    var description: String {
        switch self {
        case .noScratch(let reason):
            return "could not make a scratch folder for the cells' frames in \(FileManager.default.temporaryDirectory.path) (\(reason)); set TMPDIR to a writable folder"
        }
    }
}
