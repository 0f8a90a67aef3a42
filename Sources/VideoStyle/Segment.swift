/// One of the contiguous parts a clip is cut into for machines that stylize side by side: `index` of `count`,
/// counted from 1 (`2/3`, as `--segment` spells it).
public struct Segment: Equatable, Sendable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1, (1...count).contains(index) else { throw SegmentError.badSegment("\(index)/\(count)") }
        self.index = index
        self.count = count
    }

    /// Parses `i/N`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else { throw SegmentError.badSegment(text) }
        try self.init(index: i, count: n)
    }

    public var description: String { "\(index)/\(count)" }

    /// The segment's own folder inside the job's work folder.
    public var folderName: String { "segment-\(index)-of-\(count)" }
}
