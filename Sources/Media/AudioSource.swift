/// Where a video's soundtrack comes from: the audio streams of `path`, cut to the span [start, end).
/// Source seconds count from the first frame of the file's video stream (as `VideoReader.timestamp` does), or
/// from the file's start when it has no video, so audio and frames cut at the same `start` stay in sync.
public struct AudioSource: Sendable, Equatable {
    public var path: String
    /// Source seconds that become output time 0.
    public var start: Double
    /// Source seconds where the audio stops (exclusive); nil = the end of the source.
    public var end: Double?

    public init(path: String, start: Double = 0, end: Double? = nil) {
        self.path = path
        self.start = start
        self.end = end
    }
}
