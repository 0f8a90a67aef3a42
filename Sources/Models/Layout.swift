import Layers
import TensorCore

/// One stage of a `features` stack as torchvision numbers it (`features.N`), with Stylize's readable name.
enum StageSpec {
    case conv(index: Int, inChannels: Int, outChannels: Int, kernel: Int, stride: Int, padding: Int)
    case relu
    case pool(PoolGeometry)
    case fire(index: Int, inChannels: Int, squeeze: Int, expand1x1: Int, expand3x3: Int)
}

/// A network's stages in order, each with its name; stage `i` is torchvision's `features.i`.
struct Layout {
    var stages: [(name: String, spec: StageSpec)]

    /// The tensors the layout reads from a checkpoint.
    var tensors: [(name: String, shape: [Int])] {
        stages.flatMap { stage -> [(name: String, shape: [Int])] in
            switch stage.spec {
            case let .conv(i, cin, cout, k, _, _):
                return [("features.\(i).weight", [cout, cin, k, k]), ("features.\(i).bias", [cout])]
            case let .fire(i, cin, s, e1, e3):
                return [
                    ("features.\(i).squeeze.weight", [s, cin, 1, 1]), ("features.\(i).squeeze.bias", [s]),
                    ("features.\(i).expand1x1.weight", [e1, s, 1, 1]), ("features.\(i).expand1x1.bias", [e1]),
                    ("features.\(i).expand3x3.weight", [e3, s, 3, 3]), ("features.\(i).expand3x3.bias", [e3]),
                ]
            case .relu, .pool: return []
            }
        }
    }

    /// Each stage's output shape for `image`, in order: the one walk of the network's shapes, shared by the network
    /// itself, its FLOP count and its memory estimate. A stage the image is too small for, and every stage after it,
    /// has the empty shape.
    func outputShapes(for image: Shape) -> [Shape] {
        let empty = Shape(channels: 0, height: 0, width: 0)
        var shape = image
        return stages.map { stage in
            guard shape.count > 0 else { return empty }
            switch stage.spec {
            case let .conv(_, _, cout, k, s, p):
                guard shape.height + 2 * p >= k, shape.width + 2 * p >= k else { shape = empty; break }
                shape = Shape(channels: cout, height: (shape.height + 2 * p - k) / s + 1, width: (shape.width + 2 * p - k) / s + 1)
            case .relu: break
            case .pool(let g): shape = shape.height >= g.kernel && shape.width >= g.kernel ? g.outputShape(shape) : empty
            case let .fire(_, _, _, e1, e3): shape = Shape(channels: e1 + e3, height: shape.height, width: shape.width)
            }
            if shape.height < 1 || shape.width < 1 { shape = empty }
            return shape
        }
    }

    /// VGG with `convsPerBlock` 3×3 convolutions in each of its five blocks: conv1_1, relu1_1, …, pool5.
    static func vgg(_ convsPerBlock: [Int]) -> Layout {
        var stages: [(String, StageSpec)] = [], channels = 3
        for (b, count) in convsPerBlock.enumerated() {
            let width = [64, 128, 256, 512, 512][b]
            for c in 1...count {
                stages.append(("conv\(b + 1)_\(c)", .conv(index: stages.count, inChannels: channels, outChannels: width, kernel: 3, stride: 1, padding: 1)))
                stages.append(("relu\(b + 1)_\(c)", .relu))
                channels = width
            }
            stages.append(("pool\(b + 1)", .pool(PoolGeometry(kernel: 2, stride: 2))))
        }
        return Layout(stages: stages)
    }

    /// torchvision AlexNet: conv1…conv5, relu1…relu5, pool1, pool2, pool5 (3×3 stride 2, floor mode).
    static let alexnet: Layout = {
        let pool = StageSpec.pool(PoolGeometry(kernel: 3, stride: 2))
        return Layout(stages: [
            ("conv1", .conv(index: 0, inChannels: 3, outChannels: 64, kernel: 11, stride: 4, padding: 2)), ("relu1", .relu), ("pool1", pool),
            ("conv2", .conv(index: 3, inChannels: 64, outChannels: 192, kernel: 5, stride: 1, padding: 2)), ("relu2", .relu), ("pool2", pool),
            ("conv3", .conv(index: 6, inChannels: 192, outChannels: 384, kernel: 3, stride: 1, padding: 1)), ("relu3", .relu),
            ("conv4", .conv(index: 8, inChannels: 384, outChannels: 256, kernel: 3, stride: 1, padding: 1)), ("relu4", .relu),
            ("conv5", .conv(index: 10, inChannels: 256, outChannels: 256, kernel: 3, stride: 1, padding: 1)), ("relu5", .relu), ("pool5", pool),
        ])
    }()

    /// torchvision SqueezeNet 1.1: conv1, relu1, pool1, fire2, fire3, pool3, fire4, fire5, pool5, fire6…fire9
    /// (pools 3×3 stride 2, ceil mode; a fire's output is its concatenated, rectified expand maps).
    static let squeezenet1_1: Layout = {
        let pool = StageSpec.pool(PoolGeometry(kernel: 3, stride: 2, ceilMode: true))
        func fire(_ i: Int, _ cin: Int, _ s: Int, _ e: Int) -> StageSpec {
            .fire(index: i, inChannels: cin, squeeze: s, expand1x1: e, expand3x3: e)
        }
        return Layout(stages: [
            ("conv1", .conv(index: 0, inChannels: 3, outChannels: 64, kernel: 3, stride: 2, padding: 0)), ("relu1", .relu), ("pool1", pool),
            ("fire2", fire(3, 64, 16, 64)), ("fire3", fire(4, 128, 16, 64)), ("pool3", pool),
            ("fire4", fire(6, 128, 32, 128)), ("fire5", fire(7, 256, 32, 128)), ("pool5", pool),
            ("fire6", fire(9, 256, 48, 192)), ("fire7", fire(10, 384, 48, 192)),
            ("fire8", fire(11, 384, 64, 256)), ("fire9", fire(12, 512, 64, 256)),
        ])
    }()
}

/// The convolution layer for a kernel: `Conv3x3` for 3×3/1/1 (Winograd unless `algorithm` says otherwise),
/// im2col + GEMM `Conv2d` for the rest.
func makeConvolution(
    weight: [Float], bias: [Float], inChannels: Int, outChannels: Int, kernel: Int, stride: Int, padding: Int, algorithm: Conv3x3.Algorithm?
) -> Convolution {
    if kernel == 3 && stride == 1 && padding == 1 {
        return Conv3x3(weight: weight, bias: bias, inChannels: inChannels, outChannels: outChannels, algorithm: algorithm)
    }
    return Conv2d(weight: weight, bias: bias, inChannels: inChannels, outChannels: outChannels, kernel: kernel, stride: stride, padding: padding)
}
