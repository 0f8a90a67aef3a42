/// The shape of a batch-1 NCHW tensor: `channels × height × width`.
public struct Shape: Hashable, Sendable, CustomStringConvertible {
    public var channels: Int
    public var height: Int
    public var width: Int

    public init(channels: Int, height: Int, width: Int) {
        precondition(channels >= 0 && height >= 0 && width >= 0, "negative dimension in shape")
        self.channels = channels
        self.height = height
        self.width = width
    }

    public var planeSize: Int { height * width }
    public var count: Int { channels * height * width }
    public var description: String { "\(channels)×\(height)×\(width)" }
}
