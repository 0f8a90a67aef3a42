import Foundation

/// Hands frames from the optimisation to encoders running on their own thread, through a bounded queue.
/// `push` returns at once unless `capacity` frames are already waiting (then it blocks until one is taken).
/// An encoder error stops the encoding and is thrown to the producer by the next `push` or by `finish()`;
/// the encoders are finished (trailers written) in every case.
/// Released without `finish()`, it finishes on its own, so the files still get their trailers.
/// `finish(discarding: true)` is for a failed run: queued frames are dropped and no output file is left.
public final class FrameSink: @unchecked Sendable {
    private let queue: FrameQueue
    public var capacity: Int { queue.capacity }

    public init(consumers: [FrameConsumer], capacity: Int = 4) { queue = FrameQueue(consumers: consumers, capacity: capacity) }
    deinit { try? queue.finish(discarding: false) }

    /// Frames the encoders have taken so far.
    public var framesWritten: Int { queue.framesWritten }
    /// Total time `push` spent waiting for room in the queue (the only cost the producer pays besides a copy).
    public var producerWaitSeconds: TimeInterval { queue.producerWaitSeconds }

    /// Queues a frame, with its timestamp in the consumers' time base (nil: the next one at their frame rate).
    public func push(_ image: RGBImage, pts: Int64? = nil) throws { try queue.push(image, pts: pts) }

    /// Encodes what is queued, finishes every encoder and waits for it (`discarding`: drops what is queued and
    /// discards every consumer's output instead). Idempotent; the first error is thrown.
    public func finish(discarding: Bool = false) throws { try queue.finish(discarding: discarding) }
}

/// The queue and its encoding thread (which keeps this object alive until it is finished).
final class FrameQueue: @unchecked Sendable {
    let capacity: Int
    private let consumers: [FrameConsumer]
    private let condition = NSCondition()
    private var queue: [(image: RGBImage, pts: Int64?)] = []
    private var closing = false
    private var discarding = false
    private var done = false
    private var finished = false
    private var failure: Error?
    private var written = 0
    private var blocked: TimeInterval = 0

    init(consumers: [FrameConsumer], capacity: Int) {
        precondition(capacity > 0, "a frame queue needs room for at least one frame")
        self.consumers = consumers
        self.capacity = capacity
        let thread = Thread { [self] in drain() }
        thread.name = "stylize.frames"
        thread.start()
    }

    var framesWritten: Int { condition.lock(); defer { condition.unlock() }; return written }
    var producerWaitSeconds: TimeInterval { condition.lock(); defer { condition.unlock() }; return blocked }

    func push(_ image: RGBImage, pts: Int64?) throws {
        condition.lock()
        defer { condition.unlock() }
        if let failure { throw failure }
        guard !closing else { throw MediaError.alreadyFinished(path: "frame sink") }
        if queue.count >= capacity {
            let start = Date()
            while queue.count >= capacity && failure == nil { condition.wait() }
            blocked += Date().timeIntervalSince(start)
            if let failure { throw failure }
        }
        queue.append((image, pts))
        condition.broadcast()
    }

    func finish(discarding: Bool) throws {
        condition.lock()
        defer { condition.unlock() }
        if !finished {
            finished = true
            closing = true
            if discarding {
                self.discarding = true
                queue.removeAll()
            }
            condition.broadcast()
            while !done { condition.wait() }
            if let failure { throw failure }
        }
    }

    private func drain() {
        while true {
            condition.lock()
            while queue.isEmpty && !closing { condition.wait() }
            if queue.isEmpty {
                condition.unlock()
                break
            }
            let (image, pts) = queue.removeFirst()
            let healthy = failure == nil
            condition.broadcast()
            condition.unlock()
            guard healthy else { continue }
            do {
                for consumer in consumers { try consumer.append(image, pts: pts) }
                condition.lock(); written += 1; condition.unlock()
            } catch {
                condition.lock(); failure = error; condition.broadcast(); condition.unlock()
            }
        }
        condition.lock()
        let discard = discarding
        condition.unlock()
        var finishError: Error?
        for consumer in consumers {
            if discard { consumer.discard(); continue }
            do { try consumer.finish() } catch { finishError = finishError ?? error }
        }
        condition.lock()
        if failure == nil { failure = finishError }
        done = true
        condition.broadcast()
        condition.unlock()
    }
}
