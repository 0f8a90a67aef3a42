/// An RGB picture, planar (`3 × height × width`, channel-major like the engine's tensors), values in [0, 1].
public struct RGBImage: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var planes: [Float]

    public init(width: Int, height: Int, planes: [Float]) {
        precondition(planes.count == 3 * width * height, "\(planes.count) samples for \(width)×\(height) RGB")
        self.width = width
        self.height = height
        self.planes = planes
    }

    public init(width: Int, height: Int) {
        self.init(width: width, height: height, planes: [Float](repeating: 0, count: 3 * width * height))
    }
}
