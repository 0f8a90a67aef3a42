import Media
import TensorCore

// The one bridge between Media's pixels and the engine's tensors. Both hold planar RGB in [0, 1], channel-major
// (3 × height × width), so the conversion is a copy of the samples in order: no scaling, no clamping.

extension Tensor {
    /// The image as a 3×H×W tensor.
    public convenience init(_ image: RGBImage) {
        self.init(Shape(channels: 3, height: image.height, width: image.width), values: image.planes)
    }
}

extension RGBImage {
    /// A 3×H×W tensor as an image (values are kept as they are; writers clamp to [0, 1] when they quantise).
    public init(_ tensor: Tensor) {
        let s = tensor.shape
        self.init(width: s.width, height: s.height, planes: tensor.values)
    }
}
