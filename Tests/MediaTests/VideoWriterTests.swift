import Foundation
import Media
import XCTest

/// Encode → decode round trips through libavformat: frame count, size, rate, duration and fidelity.
final class VideoWriterTests: XCTestCase {
    func frames(_ count: Int, width: Int = 64, height: Int = 48) -> [RGBImage] {
        (0 ..< count).map { Fixtures.pattern(width: width, height: height, frame: $0) }
    }

    /// Writes, decodes and checks; returns the decoded frames.
    @discardableResult
    func roundTrip(_ ext: String, rate: FrameRate, count: Int = 12, width: Int = 64, height: Int = 48,
                   minPSNR: Double, expectedSize: (Int, Int)? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> [RGBImage] {
        let dir = try Fixtures.directory(self)
        let path = dir + "/out." + ext
        let source = frames(count, width: width, height: height)
        let writer = try VideoWriter(path: path, frameRate: rate)
        for frame in source { try writer.append(frame) }
        try writer.finish()
        XCTAssertEqual(Fixtures.files(in: dir), ["out." + ext], "only the finished file remains", file: file, line: line)

        let (reader, decoded) = try Fixtures.decodeAll(path)
        let (w, h) = expectedSize ?? (width, height)
        XCTAssertEqual(decoded.count, count, "frames", file: file, line: line)
        XCTAssertEqual([reader.width, reader.height], [w, h], "size", file: file, line: line)
        if ext != "gif" {  // GIF stores delays in 1/100 s, so its nominal rate is not the exact input rational
            XCTAssertEqual(reader.frameRate, rate, "rate", file: file, line: line)
        }
        let seconds = Double(count) / rate.value
        // The APNG demuxer reports no duration; its frame times are checked below.
        if ext != "apng" && ext != "png" {
            XCTAssertEqual(try XCTUnwrap(reader.duration, file: file, line: line), seconds, accuracy: ext == "gif" ? 0.05 : 0.5 / rate.value,
                           "duration", file: file, line: line)
        }
        XCTAssertEqual(reader.timestamp, Double(count - 1) / rate.value, accuracy: ext == "gif" ? 0.02 : 1e-3,
                       "last frame's time", file: file, line: line)
        let cropped = decoded.map { crop($0, width: width, height: height) }
        let psnr = Fixtures.meanPSNR(cropped, source)
        XCTAssertGreaterThan(psnr, minPSNR, "PSNR", file: file, line: line)
        return decoded
    }

    func crop(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
        guard image.width != width || image.height != height else { return image }
        var out = RGBImage(width: width, height: height)
        for c in 0 ..< 3 {
            for y in 0 ..< height {
                for x in 0 ..< width {
                    out.planes[(c * height + y) * width + x] = image.planes[(c * image.height + y) * image.width + x]
                }
            }
        }
        return out
    }

    // The pattern's thin saturated bar and square are hard on 4:2:0 chroma: even lossless H.264 of it measures
    // 32.9 dB here, so the bounds are about 2 dB under that ceiling (`testDefaultCRFIsNearLossless` checks the CRF).
    func testMP4() throws { try roundTrip("mp4", rate: FrameRate(numerator: 30000, denominator: 1001), minPSNR: 30.5) }
    func testWebM() throws { try roundTrip("webm", rate: FrameRate(24), minPSNR: 30) }

    func testDefaultCRFIsNearLossless() throws {
        let dir = try Fixtures.directory(self)
        var psnr: [Double] = []
        for crf in [0, nil] as [Int?] {
            let path = dir + "/crf\(crf ?? -1).mp4"
            let writer = try VideoWriter(path: path, frameRate: FrameRate(10), options: VideoOptions(crf: crf))
            let source = frames(6, width: 96, height: 64)
            for frame in source { try writer.append(frame) }
            try writer.finish()
            psnr.append(Fixtures.meanPSNR(try Fixtures.decodeAll(path).frames, source))
        }
        XCTAssertGreaterThan(psnr[1], psnr[0] - 1.5, "default CRF vs lossless: \(psnr)")
    }
    func testGIF() throws { try roundTrip("gif", rate: FrameRate(10), minPSNR: 28) }
    func testAPNGIsLossless() throws { try roundTrip("apng", rate: FrameRate(12), minPSNR: 50) }
    func testAnimatedPNGExtension() throws { try roundTrip("png", rate: FrameRate(5), count: 4, minPSNR: 50) }

    func testOddSizePaddedForYUV420() throws {
        try roundTrip("mp4", rate: FrameRate(15), count: 5, width: 45, height: 31, minPSNR: 29, expectedSize: (46, 32))
        try roundTrip("webm", rate: FrameRate(15), count: 5, width: 45, height: 31, minPSNR: 28.5, expectedSize: (46, 32))
    }

    func testOddSizeKeptWhereAllowed() throws {
        try roundTrip("apng", rate: FrameRate(15), count: 3, width: 45, height: 31, minPSNR: 50)
        try roundTrip("gif", rate: FrameRate(15), count: 3, width: 45, height: 31, minPSNR: 26)
    }

    /// Frames of another size (a multi-scale run) are fitted to the first frame's size.
    func testLaterFramesResizedToFirst() throws {
        let path = try Fixtures.directory(self) + "/multi.mp4"
        let writer = try VideoWriter(path: path, frameRate: FrameRate(10))
        try writer.append(Fixtures.pattern(width: 64, height: 48))
        try writer.append(Fixtures.pattern(width: 32, height: 24))
        try writer.finish()
        let (reader, decoded) = try Fixtures.decodeAll(path)
        XCTAssertEqual(decoded.count, 2)
        XCTAssertEqual([reader.width, reader.height], [64, 48])
    }

    /// The Ctrl-C path: the producer stops after a few of many planned frames and calls finish().
    func testInterruptedEncodingStillPlays() throws {
        for ext in ["mp4", "webm", "gif", "apng"] {
            let path = try Fixtures.directory(self) + "/stopped." + ext
            let writer = try VideoWriter(path: path, frameRate: FrameRate(25))
            for frame in frames(3) { try writer.append(frame) }
            try writer.finish()
            try writer.finish()  // idempotent
            XCTAssertThrowsError(try writer.append(frames(1)[0])) { XCTAssertEqual($0 as? MediaError, .alreadyFinished(path: path)) }
            XCTAssertEqual(try Fixtures.decodeAll(path).frames.count, 3, ext)
        }
    }

    func testReleasedWriterFinishesItself() throws {
        let path = try Fixtures.directory(self) + "/dropped.mp4"
        do {
            let writer = try VideoWriter(path: path, frameRate: FrameRate(25))
            for frame in frames(4) { try writer.append(frame) }
        }
        XCTAssertEqual(try Fixtures.decodeAll(path).frames.count, 4)
    }

    func testNoFramesLeavesNoFile() throws {
        let dir = try Fixtures.directory(self)
        for ext in ["mp4", "gif"] {
            let writer = try VideoWriter(path: dir + "/empty." + ext)
            XCTAssertThrowsError(try writer.finish()) { XCTAssertEqual($0 as? MediaError, .noFrames(path: dir + "/empty." + ext)) }
        }
        XCTAssertEqual(Fixtures.files(in: dir), [])
    }

    func testUnsupportedExtensionIsTyped() throws {
        let dir = try Fixtures.directory(self)
        XCTAssertThrowsError(try VideoWriter(path: dir + "/out.avi")) { error in
            XCTAssertEqual(error as? MediaError, .unsupportedExtension(path: dir + "/out.avi", supported: VideoWriter.supportedExtensions))
        }
        XCTAssertEqual(Fixtures.files(in: dir), [])
    }

    func testUnwritableDirectoryIsTypedAndLeavesNothing() throws {
        let dir = try Fixtures.directory(self)
        // Refused up front, before a long run produces the frames.
        for ext in ["mp4", "gif"] {
            XCTAssertThrowsError(try VideoWriter(path: dir + "/missing/out." + ext)) { error in
                guard case .writeFailed(let path, _)? = error as? MediaError else { return XCTFail("\(error)") }
                XCTAssertEqual(path, dir + "/missing/out." + ext)
            }
        }
        XCTAssertEqual(Fixtures.files(in: dir), [])
    }

    func testFrameRateSnapping() {
        XCTAssertEqual(FrameRate(numerator: 1_000_000, denominator: 66667).snapped, FrameRate(15))
        XCTAssertEqual(FrameRate(numerator: 2997, denominator: 100).snapped, FrameRate(numerator: 30000, denominator: 1001))
        XCTAssertEqual(FrameRate(numerator: 125, denominator: 10).snapped, FrameRate(numerator: 25, denominator: 2))
    }

    func testReaderOnSampleVideo() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Samples/tree.mp4").standardized.path
        let reader = try VideoReader(path: path)
        XCTAssertEqual([reader.width, reader.height], [320, 240])
        XCTAssertEqual(reader.frameRate, FrameRate(15))
        XCTAssertEqual(try XCTUnwrap(reader.duration), 4, accuracy: 0.25)
    }

    func testReaderRejectsAnImageFreeFile() throws {
        let path = try Fixtures.directory(self) + "/clip.mp4"
        try Data(repeating: 7, count: 1000).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try VideoReader(path: path)) { error in
            guard case .notAVideo(let p, _)? = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertEqual(p, path)
        }
    }
}
