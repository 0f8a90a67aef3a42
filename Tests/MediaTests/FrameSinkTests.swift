import Foundation
import Media
import XCTest

/// A consumer that records frames and can be slow or fail.
final class Recorder: FrameConsumer, @unchecked Sendable {
    let delay: TimeInterval
    let failAt: Int?
    private(set) var widths: [Int] = []
    private(set) var timestamps: [Int64?] = []
    private(set) var finishCalls = 0
    private(set) var discardCalls = 0

    init(delay: TimeInterval = 0, failAt: Int? = nil) {
        self.delay = delay
        self.failAt = failAt
    }

    func append(_ image: RGBImage) throws {
        if widths.count == failAt { throw MediaError.writeFailed(path: "recorder", reason: "disk full") }
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        widths.append(image.width)
    }

    func append(_ image: RGBImage, pts: Int64?) throws {
        try append(image)
        timestamps.append(pts)
    }

    func finish() throws { finishCalls += 1 }
    func discard() { discardCalls += 1 }
}

final class FrameSinkTests: XCTestCase {
    func frame(_ i: Int) -> RGBImage { RGBImage(width: i + 1, height: 2) }

    func testDeliversEveryFrameInOrderToEveryConsumer() throws {
        let a = Recorder(), b = Recorder()
        let sink = FrameSink(consumers: [a, b], capacity: 2)
        for i in 0 ..< 20 { try sink.push(frame(i)) }
        try sink.finish()
        try sink.finish()  // idempotent
        XCTAssertEqual(a.widths, Array(1 ... 20))
        XCTAssertEqual(b.widths, Array(1 ... 20))
        XCTAssertEqual([a.finishCalls, b.finishCalls], [1, 1])
        XCTAssertEqual(sink.framesWritten, 20)
        XCTAssertThrowsError(try sink.push(frame(0)))
    }

    /// With room in the queue a push costs microseconds even when the encoder is slow; only the push that
    /// finds the queue full waits.
    func testPushDoesNotWaitUntilTheQueueIsFull() throws {
        let slow = Recorder(delay: 0.05)
        let sink = FrameSink(consumers: [slow], capacity: 4)
        var pushTimes: [TimeInterval] = []
        for i in 0 ..< 4 {
            let start = Date()
            try sink.push(frame(i))
            pushTimes.append(Date().timeIntervalSince(start))
        }
        XCTAssertLessThan(pushTimes.max()!, 0.01, "\(pushTimes)")
        XCTAssertEqual(sink.producerWaitSeconds, 0)
        // Six more than fit: the producer must now wait for the encoder.
        for i in 4 ..< 10 { try sink.push(frame(i)) }
        XCTAssertGreaterThan(sink.producerWaitSeconds, 0.05)
        try sink.finish()
        XCTAssertEqual(slow.widths.count, 10)
    }

    /// A producer doing real work between pushes, with an encoder faster than it, is not slowed: it never waits.
    func testProducerWithFasterEncoderNeverWaits() throws {
        let encoder = Recorder(delay: 0.002)
        let sink = FrameSink(consumers: [encoder], capacity: 4)
        let start = Date()
        for i in 0 ..< 25 {
            Thread.sleep(forTimeInterval: 0.008)  // the optimisation step
            try sink.push(frame(i))
        }
        let producerTime = Date().timeIntervalSince(start)
        try sink.finish()
        XCTAssertEqual(sink.producerWaitSeconds, 0)
        XCTAssertLessThan(producerTime, 25 * 0.008 * 1.5 + 0.05)
    }

    func testEncoderErrorSurfacesOnTheProducerAndEncodersStillFinish() throws {
        let failing = Recorder(failAt: 3), healthy = Recorder()
        let sink = FrameSink(consumers: [healthy, failing], capacity: 2)
        var thrown: Error?
        for i in 0 ..< 50 {
            do { try sink.push(frame(i)) } catch { thrown = error; break }
            Thread.sleep(forTimeInterval: 0.001)
        }
        if thrown == nil { XCTAssertThrowsError(try sink.finish()) { thrown = $0 } }
        XCTAssertEqual(thrown as? MediaError, .writeFailed(path: "recorder", reason: "disk full"))
        XCTAssertThrowsError(try sink.finish())
        XCTAssertEqual([healthy.finishCalls, failing.finishCalls], [1, 1])
        XCTAssertEqual(failing.widths, [1, 2, 3])
    }

    func testCarriesTimestamps() throws {
        let a = Recorder()
        let sink = FrameSink(consumers: [a], capacity: 2)
        let given: [Int64?] = [0, 3000, nil, 9000, 10500]
        for (i, pts) in given.enumerated() { try sink.push(frame(i), pts: pts) }
        try sink.finish()
        XCTAssertEqual(a.timestamps, given)
    }

    /// Finishing a failed run drops what is queued and discards every consumer instead of finishing it.
    func testFinishDiscardingDropsQueuedFramesAndDiscardsConsumers() throws {
        let slow = Recorder(delay: 0.05)
        let sink = FrameSink(consumers: [slow], capacity: 8)
        for i in 0 ..< 8 { try sink.push(frame(i)) }
        try sink.finish(discarding: true)
        XCTAssertLessThan(slow.widths.count, 8, "queued frames are not encoded")
        XCTAssertEqual([slow.finishCalls, slow.discardCalls], [0, 1])
        try sink.finish()  // idempotent: nothing more happens
        XCTAssertEqual([slow.finishCalls, slow.discardCalls], [0, 1])
    }

    /// A video writer behind a discarding sink leaves no file (nor its temporary one).
    func testDiscardedVideoLeavesNoFile() throws {
        let dir = try Fixtures.directory(self)
        let sink = FrameSink(consumers: [try VideoWriter(path: dir + "/run.mp4", frameRate: FrameRate(10))])
        for t in 0 ..< 4 { try sink.push(Fixtures.pattern(width: 32, height: 24, frame: t)) }
        try sink.finish(discarding: true)
        XCTAssertEqual(Fixtures.files(in: dir), [])
    }

    /// The real writers behind a sink: a video, a GIF and numbered PNGs from the same frames.
    func testFeedsVideoGifAndPNGSequence() throws {
        let dir = try Fixtures.directory(self)
        let video = try VideoWriter(path: dir + "/run.mp4", frameRate: FrameRate(10))
        let gif = try GifWriter(path: dir + "/run.gif", frameRate: FrameRate(10), options: GifOptions(maxWidth: 32))
        let pngs = try PNGSequenceWriter(directory: dir + "/frames")
        let sink = FrameSink(consumers: [video, gif, pngs])
        for t in 0 ..< 8 { try sink.push(Fixtures.pattern(width: 64, height: 48, frame: t)) }
        try sink.finish()
        XCTAssertEqual(try Fixtures.decodeAll(dir + "/run.mp4").frames.count, 8)
        let (gifReader, gifFrames) = try Fixtures.decodeAll(dir + "/run.gif")
        XCTAssertEqual(gifFrames.count, 8)
        XCTAssertEqual([gifReader.width, gifReader.height], [32, 24])
        XCTAssertEqual(Fixtures.files(in: dir + "/frames"), (1 ... 8).map { String(format: "frame_%05d.png", $0) })
        let last = try ImageReader.read(pngs.path(ofFrame: 7))
        XCTAssertLessThan(ImageMetrics.meanSquaredError(last, Fixtures.pattern(width: 64, height: 48, frame: 7)), 1e-5)
    }
}
