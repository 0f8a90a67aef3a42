/// Something that takes frames in order and is finished once: video writers, GIF writers, PNG sequences.
/// `finish()` is idempotent; after it, `append` throws `MediaError.alreadyFinished`.
public protocol FrameConsumer: AnyObject {
    func append(_ image: RGBImage) throws
    /// A frame with its timestamp in the consumer's time base (nil: the next one at its frame rate).
    func append(_ image: RGBImage, pts: Int64?) throws
    func finish() throws
    /// Stops after a failure, leaving no output file that a finished run would have made.
    func discard()
}

extension FrameConsumer {
    /// Consumers with a fixed frame rate (GIF, PNG sequences) have no use for timestamps.
    public func append(_ image: RGBImage, pts: Int64?) throws { try append(image) }
    /// Consumers whose output is kept whatever happens (a PNG sequence in a work folder) just finish.
    public func discard() { try? finish() }
}
