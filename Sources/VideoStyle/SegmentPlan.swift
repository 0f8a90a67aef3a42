/// How a clip's `frames` frames divide into `segments` contiguous segments. Segment k owns the frames
/// `owned(k)`; every segment but the first also stylizes the `overlap` frames before its own (its lead-in, which
/// the previous segment owns), so that the join can cross-fade from one segment's brush strokes to the next's
/// instead of cutting between them.
public struct SegmentPlan: Codable, Equatable, Sendable {
    public let frames: Int
    public let segments: Int
    public let overlap: Int

    /// The overlap when none is asked for: 8 frames (a third of a second at 24 fps), or the shortest segment.
    public static let defaultOverlap = 8

    public init(frames: Int, segments: Int, overlap: Int? = nil) throws {
        guard segments >= 1 else { throw SegmentError.badSegmentCount(segments) }
        guard frames >= segments else { throw SegmentError.tooFewFrames(frames: frames, segments: segments) }
        let shortest = frames / segments
        let overlap = overlap ?? min(Self.defaultOverlap, shortest)
        // A lead-in longer than the segment before it would cross-fade into a third segment.
        guard (0...shortest).contains(overlap) else { throw SegmentError.badOverlap(overlap, shortest: shortest) }
        self.frames = frames
        self.segments = segments
        self.overlap = overlap
    }

    /// Frame indices (from 0) that segment `k` (from 1) alone provides to the joined clip.
    public func owned(_ k: Int) -> Range<Int> { frames * (k - 1) / segments ..< frames * k / segments }

    /// Frame indices segment `k` stylizes: its own after its lead-in.
    public func stylized(_ k: Int) -> Range<Int> {
        let own = owned(k)
        return (k > 1 ? own.lowerBound - overlap : own.lowerBound) ..< own.upperBound
    }

    /// First frame of each segment after the first: where the picture would jump without the cross-fade.
    public var seams: [Int] { (1..<segments).map { owned($0 + 1).lowerBound } }

    /// The segment that owns frame `index`, and, in the cross-fade before a seam, the next segment with the
    /// weight its frame gets (rising linearly over the overlap, which spreads the difference between the two
    /// segments' strokes evenly over its frames).
    public func sources(of index: Int) -> (owner: Int, next: (segment: Int, weight: Float)?) {
        let owner = (1...segments).first { owned($0).contains(index) }!
        guard owner < segments else { return (owner, nil) }
        let seam = owned(owner + 1).lowerBound, step = seam - index
        guard step <= overlap else { return (owner, nil) }
        return (owner, (owner + 1, Float(overlap + 1 - step) / Float(overlap + 1)))
    }
}
