import CFFmpeg
import Foundation
import Media
import XCTest

/// The clip reader on the committed fixtures (Files/make-clips.sh): counts, timestamps, selections, rotation and
/// pixel aspect. Source timestamps are read from the container's packets with libavformat, not from the reader.
final class VideoReaderTests: XCTestCase {
    func file(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Files/\(name)").path
    }

    func readAll(_ reader: VideoReader) throws -> [VideoFrame] {
        var frames: [VideoFrame] = []
        while let frame = try reader.nextFrame() { frames.append(frame) }
        return frames
    }

    /// The video packets' presentation times in display order, counted from the first, in the stream's time base.
    func packetTimes(_ path: String) throws -> [Int64] {
        var format: UnsafeMutablePointer<AVFormatContext>?
        XCTAssertGreaterThanOrEqual(avformat_open_input(&format, path, nil, nil), 0)
        defer { avformat_close_input(&format) }
        XCTAssertGreaterThanOrEqual(avformat_find_stream_info(format, nil), 0)
        let index = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
        var packet = av_packet_alloc()
        defer { av_packet_free(&packet) }
        var times: [Int64] = []
        while av_read_frame(format, packet) >= 0 {
            if packet!.pointee.stream_index == index { times.append(packet!.pointee.pts) }
            av_packet_unref(packet)
        }
        times.sort()
        return times.map { $0 - times[0] }
    }

    /// Mean of channel `c` over a 5×5 patch centred on (x, y).
    func patch(_ image: RGBImage, _ x: Int, _ y: Int) -> [Float] {
        (0 ..< 3).map { c in
            var sum: Float = 0
            for dy in -2 ... 2 { for dx in -2 ... 2 { sum += image.planes[(c * image.height + y + dy) * image.width + x + dx] } }
            return sum / 25
        }
    }

    func assertColour(_ got: [Float], _ want: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        for c in 0 ..< 3 { XCTAssertEqual(got[c], want[c], accuracy: 0.06, "\(what) channel \(c): \(got)", file: file, line: line) }
    }

    // MARK: - Timing

    func testConstantRateClip() throws {
        let path = file("cfr_audio.mp4")
        let reader = try VideoReader(path: path)
        XCTAssertEqual(reader.framesRead, 0, "the frame decoded while opening is not yet read")
        let frames = try readAll(reader)
        XCTAssertEqual([reader.width, reader.height], [160, 90])
        XCTAssertEqual(reader.frameRate, FrameRate(10))
        XCTAssertEqual(reader.timeBase, TimeBase(numerator: 1, denominator: 10240))
        XCTAssertEqual(frames.count, 20)
        XCTAssertEqual(reader.expectedFrames, 20)
        XCTAssertEqual(reader.startSeconds, 0)
        XCTAssertEqual(reader.rotation, 0)
        XCTAssertEqual(frames.map(\.pts), try packetTimes(path))
        XCTAssertEqual(reader.framesRead, 20)
        XCTAssertEqual(reader.streamStartSeconds, 0)
        XCTAssertEqual(frames.map(\.pts), (0 ..< 20).map { Int64($0 * 1024) })
        XCTAssertEqual(frames.map(\.index), Array(0 ..< 20))
        XCTAssertEqual(reader.timestamp, 1.9, accuracy: 1e-9)
    }

    func testVariableRateClipKeepsItsTimestamps() throws {
        let path = file("vfr.mkv")
        let reader = try VideoReader(path: path)
        let frames = try readAll(reader)
        XCTAssertEqual(reader.timeBase, TimeBase(numerator: 1, denominator: 1000))
        let source = try packetTimes(path)
        XCTAssertEqual(source.count, 20)
        XCTAssertEqual(frames.map(\.pts), source)
        // The times the script gave the frames: N·0.1 + 0.05·(N mod 2) + 0.3·(N ≥ 12) s.
        let given: [Int64] = (0 ..< 20).map { (n: Int) -> Int64 in Int64(n * 100 + 50 * (n % 2) + (n >= 12 ? 300 : 0)) }
        XCTAssertEqual(frames.map(\.pts), given)
        XCTAssertTrue(zip(frames, frames.dropFirst()).allSatisfy { $0.pts < $1.pts }, "strictly increasing")

        // From 0.97 s: the frame shown then is frame 9 (at 0.95 s); the gaps after it are kept.
        let late = try VideoReader(path: path, selection: ClipSelection(start: 0.97))
        let rest = try readAll(late)
        XCTAssertEqual(late.startSeconds, 0.95, accuracy: 1e-9)
        XCTAssertEqual(rest.map(\.pts), given[9...].map { $0 - given[9] })
        XCTAssertTrue(rest.map(\.image) == frames[9...].map(\.image), "the same pictures as a full read")
    }

    func testClipWithSoundAndSubtitlesReadsItsVideo() throws {
        let reader = try VideoReader(path: file("subs.mkv"))
        XCTAssertEqual(try readAll(reader).count, 10)
        XCTAssertEqual([reader.width, reader.height], [160, 90])
    }

    // MARK: - Orientation and pixel aspect

    func testRotatedClipComesOutUpright() throws {
        let reader = try VideoReader(path: file("rotated.mp4"))
        // Stored 160×90 turned a quarter clockwise; the matrix turns it a quarter anticlockwise (ffprobe: 90).
        XCTAssertEqual(reader.rotation, 270)
        XCTAssertFalse(reader.orientation.mirrored)
        XCTAssertEqual([reader.width, reader.height], [90, 160])
        let frames = try readAll(reader)
        XCTAssertEqual(frames.count, 10)
        let image = try XCTUnwrap(frames.first?.image)
        XCTAssertEqual([image.width, image.height], [90, 160])
        assertColour(patch(image, 5, 5), [1, 0, 0], "top-left red")
        assertColour(patch(image, 84, 5), [0, 1, 0], "top-right green")
        assertColour(patch(image, 5, 154), [0, 0, 1], "bottom-left blue")
        assertColour(patch(image, 84, 154), [1, 1, 1], "bottom-right white")

        let small = try VideoReader(path: file("rotated.mp4"), longSide: 80)
        XCTAssertEqual([small.width, small.height], [46, 80])
        let first = try XCTUnwrap(try small.nextFrame()).image
        XCTAssertEqual([first.width, first.height], [46, 80])
        assertColour(patch(first, 4, 4), [1, 0, 0], "small top-left red")
        assertColour(patch(first, 41, 75), [1, 1, 1], "small bottom-right white")
    }

    /// Matrices made by libavutil itself: `av_display_rotation_set` takes clockwise degrees, `av_display_rotation_get`
    /// answers anticlockwise ones (ffprobe prints the latter); `rotation` is clockwise.
    func testDisplayMatricesFromLibavutil() {
        func matrix(_ angle: Double, mirrored: Bool = false) -> [Int32] {
            var m = [Int32](repeating: 0, count: 9)
            av_display_rotation_set(&m, angle)
            if mirrored { av_display_matrix_flip(&m, 1, 0) }
            return m
        }
        for (angle, clockwise) in [(0.0, 0), (90, 90), (180, 180), (-90, 270), (270, 270), (-180, 180), (88, 90), (-3, 0)] {
            let m = matrix(angle)
            let orientation = DisplayOrientation(displayMatrix: m)
            XCTAssertEqual(orientation?.rotation, clockwise, "\(angle)°")
            XCTAssertEqual(orientation?.mirrored, false, "\(angle)°")
            let anticlockwise = Int((av_display_rotation_get(m) / 90).rounded()) * 90
            XCTAssertEqual(clockwise, ((-anticlockwise) % 360 + 360) % 360, "\(angle)° against av_display_rotation_get")
            XCTAssertEqual(DisplayOrientation(displayMatrix: matrix(angle, mirrored: true))?.mirrored, true, "\(angle)° mirrored")
        }
        XCTAssertEqual(DisplayOrientation(displayMatrix: matrix(90)), DisplayOrientation(exif: 6))
        XCTAssertEqual(DisplayOrientation(displayMatrix: matrix(-90)), DisplayOrientation(exif: 8))
        XCTAssertEqual(DisplayOrientation(displayMatrix: matrix(180)), DisplayOrientation(exif: 3))
        XCTAssertEqual(DisplayOrientation(displayMatrix: matrix(0, mirrored: true)), DisplayOrientation(exif: 2))
        XCTAssertNil(DisplayOrientation(displayMatrix: [Int32](repeating: 0, count: 9)))
        XCTAssertNil(DisplayOrientation(exif: 9))
    }

    /// Pixel moves on a 3×2 picture numbered 10·y + x, worked out by hand.
    func testOrientationMovesPixels() throws {
        let image = RGBImage(width: 3, height: 2, planes: (0 ..< 3).flatMap { _ in [0, 1, 2, 10, 11, 12] as [Float] })
        let cases: [(Int, Int, Int, [Float])] = [
            (1, 3, 2, [0, 1, 2, 10, 11, 12]), (2, 3, 2, [2, 1, 0, 12, 11, 10]), (3, 3, 2, [12, 11, 10, 2, 1, 0]),
            (4, 3, 2, [10, 11, 12, 0, 1, 2]), (5, 2, 3, [0, 10, 1, 11, 2, 12]), (6, 2, 3, [10, 0, 11, 1, 12, 2]),
            (7, 2, 3, [12, 2, 11, 1, 10, 0]), (8, 2, 3, [2, 12, 1, 11, 0, 10]),
        ]
        for (tag, w, h, want) in cases {
            let shown = try XCTUnwrap(DisplayOrientation(exif: tag)).apply(to: image)
            XCTAssertEqual([shown.width, shown.height], [w, h], "tag \(tag)")
            XCTAssertEqual(shown.planes, want + want + want, "tag \(tag)")
        }
    }

    /// Stored 80×90 with 2:1 pixels: shown 160×90, the 20×40 stored box a 40×40 square at (60, 24).
    func testNonSquarePixelsAreStretched() throws {
        let reader = try VideoReader(path: file("anamorphic.mp4"))
        XCTAssertEqual([reader.width, reader.height], [160, 90])
        let image = try XCTUnwrap(try reader.nextFrame()).image
        func bright(_ x: Int, _ y: Int) -> Bool { image.planes[image.width * image.height + y * image.width + x] > 0.5 }
        let columns = (0 ..< image.width).filter { bright($0, 44) }
        let rows = (0 ..< image.height).filter { bright(80, $0) }
        XCTAssertEqual(Double(columns.count), 40, accuracy: 2, "box width")
        XCTAssertEqual(Double(rows.count), 40, accuracy: 2, "box height")
        XCTAssertEqual(Double(columns.first ?? -1), 60, accuracy: 1.5)
        XCTAssertEqual(Double(rows.first ?? -1), 24, accuracy: 1.5)

        let fitted = try VideoReader(path: file("anamorphic.mp4"), longSide: 80)
        XCTAssertEqual([fitted.width, fitted.height], [80, 46])
    }

    // MARK: - Selections

    func full() throws -> [RGBImage] { try readAll(VideoReader(path: file("cfr_audio.mp4"))).map(\.image) }

    func testStartSeeksToTheFrameShownThen() throws {
        let all = try full()
        for (start, first) in [(0.5, 5), (0.25, 2), (1.0, 10), (1.95, 19)] {
            let reader = try VideoReader(path: file("cfr_audio.mp4"), selection: ClipSelection(start: start))
            let frames = try readAll(reader)
            XCTAssertEqual(frames.count, 20 - first, "start \(start)")
            XCTAssertEqual(reader.expectedFrames, 20 - first, "start \(start)")
            XCTAssertEqual(reader.startSeconds, Double(first) / 10, accuracy: 1e-9, "start \(start)")
            XCTAssertEqual(frames.map(\.pts), (0 ..< frames.count).map { Int64($0 * 1024) }, "start \(start)")
            XCTAssertTrue(frames.map(\.image) == Array(all[first...]), "start \(start): the same pictures as a full read")
        }
    }

    func testDurationAndMaxFrames() throws {
        let all = try full()
        let span = try VideoReader(path: file("cfr_audio.mp4"), selection: ClipSelection(start: 1.0, duration: 0.5))
        let frames = try readAll(span)
        XCTAssertEqual(frames.count, 5)
        XCTAssertEqual(span.expectedFrames, 5)
        XCTAssertTrue(frames.map(\.image) == Array(all[10 ..< 15]))

        let odd = try VideoReader(path: file("cfr_audio.mp4"), selection: ClipSelection(start: 0.25, duration: 0.5))
        XCTAssertEqual(try readAll(odd).count, 6, "frames at 0.2 … 0.7 are shown before 0.75")
        XCTAssertEqual(odd.expectedFrames, 6)

        let capped = try VideoReader(path: file("cfr_audio.mp4"), selection: ClipSelection(start: 0.5, maxFrames: 7))
        let seven = try readAll(capped)
        XCTAssertEqual(seven.count, 7)
        XCTAssertEqual(capped.expectedFrames, 7)
        XCTAssertTrue(seven.map(\.image) == Array(all[5 ..< 12]))
    }

    func testResamplingDropsAndRepeatsFrames() throws {
        let all = try full()
        let half = try VideoReader(path: file("cfr_audio.mp4"), selection: ClipSelection(fps: FrameRate(5)))
        let five = try readAll(half)
        XCTAssertEqual(half.timeBase, TimeBase(numerator: 1, denominator: 5))
        XCTAssertEqual(half.frameRate, FrameRate(5))
        XCTAssertEqual(five.count, 10)
        XCTAssertEqual(half.expectedFrames, 10)
        XCTAssertEqual(five.map(\.pts), (0 ..< 10).map { Int64($0) })
        XCTAssertTrue(five.map(\.image) == stride(from: 0, to: 20, by: 2).map { all[$0] })

        let double = try VideoReader(path: file("cfr_audio.mp4"), selection: ClipSelection(fps: FrameRate(20)))
        let twenty = try readAll(double)
        XCTAssertEqual(twenty.count, 40)
        XCTAssertEqual(double.expectedFrames, 40)
        XCTAssertTrue(twenty.map(\.image) == (0 ..< 40).map { all[$0 / 2] })

        let part = try VideoReader(path: file("cfr_audio.mp4"), selection: ClipSelection(start: 0.5, duration: 1, fps: FrameRate(5)))
        let span = try readAll(part)
        XCTAssertEqual(span.count, 5)
        XCTAssertEqual(part.expectedFrames, 5)
        XCTAssertEqual(part.startSeconds, 0.5)
        XCTAssertTrue(span.map(\.image) == [5, 7, 9, 11, 13].map { all[$0] })
    }

    /// A variable-rate clip at a constant 10 fps: slot n shows the last frame whose time rounds to n or less. (The
    /// same 24 frames `ffmpeg -i vfr.mkv -vf fps=10` gives: compared by frame checksums when this was written.)
    func testResamplingAVariableRateClip() throws {
        let source = try readAll(VideoReader(path: file("vfr.mkv")))
        let times = source.map { Double($0.pts) / 1000 }
        let reader = try VideoReader(path: file("vfr.mkv"), selection: ClipSelection(fps: FrameRate(10)))
        let frames = try readAll(reader)
        XCTAssertEqual(frames.count, 24, "the last frame (2.25 s, 0.1 s long) ends at 2.35 s")
        for (n, frame) in frames.enumerated() {
            let shown = times.lastIndex { ($0 * 10).rounded(.toNearestOrAwayFromZero) <= Double(n) }!
            XCTAssertTrue(frame.image == source[shown].image, "slot \(n) shows source frame \(shown)")
        }
    }

    func testBadSelectionsAreTyped() throws {
        let path = file("cfr_audio.mp4")
        let bad: [(ClipSelection, String)] = [
            (ClipSelection(start: -1), "start"), (ClipSelection(start: .nan), "start"), (ClipSelection(start: .infinity), "start"),
            (ClipSelection(duration: 0), "duration"), (ClipSelection(duration: -2), "duration"),
            (ClipSelection(duration: .infinity), "duration"), (ClipSelection(maxFrames: 0), "--max-frames"), (ClipSelection(start: 1e300), "--start"),
        ]
        for (selection, word) in bad {
            XCTAssertThrowsError(try VideoReader(path: path, selection: selection)) { error in
                guard case .invalidSelection(let p, let reason)? = error as? MediaError else { return XCTFail("\(selection): \(error)") }
                XCTAssertEqual(p, path)
                XCTAssertTrue(reason.contains(word), "\(reason)")
            }
        }
        XCTAssertThrowsError(try VideoReader(path: path, selection: ClipSelection(start: 5))) { error in
            XCTAssertEqual(error as? MediaError, .startBeyondEnd(path: path, start: 5, length: 2))
            XCTAssertTrue("\(error)".contains(path) && "\(error)".contains("2.000 s"), "\(error)")
        }
        XCTAssertThrowsError(try VideoReader(path: path, selection: ClipSelection(start: 1e6))) { error in
            XCTAssertEqual(error as? MediaError, .startBeyondEnd(path: path, start: 1e6, length: 2))
        }
        XCTAssertThrowsError(try VideoReader(path: path, selection: ClipSelection(fps: FrameRate(numerator: 1 << 40, denominator: 1)))) { error in
            guard case .invalidSelection(_, let reason)? = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("fps"), reason)
        }
        XCTAssertThrowsError(try VideoReader(path: path, longSide: 1)) { error in
            guard case .invalidSelection? = error as? MediaError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try VideoReader(path: file("no_video.m4a"))) { error in
            guard case .notAVideo(let p, _)? = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertEqual(p, file("no_video.m4a"))
        }
    }

    func testSelectionJSON() throws {
        let json = #"{"start": 1.5, "duration": 2, "fps": "30000/1001", "max_frames": 10}"#
        let selection = try JSONDecoder().decode(ClipSelection.self, from: Data(json.utf8))
        XCTAssertEqual(selection, ClipSelection(start: 1.5, duration: 2, fps: FrameRate(numerator: 30000, denominator: 1001), maxFrames: 10))
        let again = try JSONDecoder().decode(ClipSelection.self, from: JSONEncoder().encode(selection))
        XCTAssertEqual(again, selection)
        XCTAssertEqual(try JSONDecoder().decode(ClipSelection.self, from: Data(#"{"fps": 12.5}"#.utf8)),
                       ClipSelection(fps: FrameRate(numerator: 25, denominator: 2)))
        XCTAssertEqual(try JSONDecoder().decode(ClipSelection.self, from: Data("{}".utf8)), ClipSelection())
        XCTAssertThrowsError(try JSONDecoder().decode(ClipSelection.self, from: Data(#"{"fps": -3}"#.utf8)))
    }
}
