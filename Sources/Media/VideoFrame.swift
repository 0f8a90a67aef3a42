/// One frame read from a clip: its picture, its timestamp in the reader's `timeBase` counted from the first frame
/// read, and its position among the frames read.
public struct VideoFrame: Sendable {
    public var image: RGBImage
    public var pts: Int64
    public var index: Int

    public init(image: RGBImage, pts: Int64, index: Int) {
        self.image = image
        self.pts = pts
        self.index = index
    }
}
