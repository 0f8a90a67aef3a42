/// Something that takes frames in order and is finished once: video writers, GIF writers, PNG sequences.
/// `finish()` is idempotent; after it, `append` throws `MediaError.alreadyFinished`.
public protocol FrameConsumer: AnyObject {
    func append(_ image: RGBImage) throws
    func finish() throws
}
