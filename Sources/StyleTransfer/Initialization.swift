import TensorCore

/// The image the optimisation starts from.
public enum Initialization: Equatable, Sendable {
    case content
    case style
    /// Uniform white noise in [0, 1].
    case noise
    /// (1 − amount)·content + amount·noise.
    case contentNoise(amount: Double)
    /// The content shrunk to 1/`blurFactor` of its size and scaled back up: its broad shapes and colours only.
    case blurredContent
    /// A given image; resized to the output size.
    case image(Tensor)

    public static func == (a: Initialization, b: Initialization) -> Bool {
        switch (a, b) {
        case (.content, .content), (.style, .style), (.noise, .noise), (.blurredContent, .blurredContent): return true
        case (.contentNoise(let x), .contentNoise(let y)): return x == y
        case (.image(let x), .image(let y)): return x === y
        default: return false
        }
    }

    /// The engine's start for the recipe's `init`; `image` reads the file of an `.image` start.
    public init(_ start: StartImage, noise: Double, image: (String) throws -> Tensor) throws {
        switch start {
        case .content: self = .content
        case .style: self = .style
        case .noise: self = .noise
        case .contentNoise: self = .contentNoise(amount: noise)
        case .blurredContent: self = .blurredContent
        case .image(let path): self = .image(try image(path))
        }
    }

    /// The starting image of `shape`; `content` and `style` are already at that shape.
    func makeImage(shape: Shape, content: Tensor?, style: Tensor?, seed: UInt64) throws -> Tensor {
        switch self {
        case .content:
            guard let content else { throw EngineError.missingContent(reason: "init 'content' starts from it") }
            return content.copy()
        case .style:
            guard let style else { throw EngineError.missingStyle(reason: "init 'style' starts from it") }
            return TensorResize.resize(style, height: shape.height, width: shape.width)
        case .noise:
            return Self.noise(shape, seed: seed)
        case .contentNoise(let amount):
            guard let content else { throw EngineError.missingContent(reason: "init 'content+noise' starts from it") }
            guard (0...1).contains(amount) else {
                throw EngineError.invalidValue(knob: "noise", value: "\(amount)", expected: "a share in [0, 1]")
            }
            let out = Self.noise(shape, seed: seed), a = Float(amount)
            for i in 0..<out.count { out.data[i] = (1 - a) * content.data[i] + a * out.data[i] }
            return out
        case .blurredContent:
            guard let content else { throw EngineError.missingContent(reason: "init 'blurred-content' starts from it") }
            let small = ScaleSchedule.shape(longSide: max(1, max(shape.height, shape.width) / Self.blurFactor), aspectOf: shape)
            let blurred = TensorResize.resize(content, height: small.height, width: small.width)
            return TensorResize.resize(blurred, height: shape.height, width: shape.width)
        case .image(let image):
            guard image.shape.channels == 3 else { throw EngineError.imageNotRGB(channels: image.shape.channels) }
            return TensorResize.resize(image, height: shape.height, width: shape.width)
        }
    }

    /// How much `blurredContent` shrinks the content: a quarter of its long side keeps the broad masses (sky,
    /// walls, lawn) and loses every edge, so the first frames of a recording are clearly not the photo.
    static let blurFactor = 4

    static func noise(_ shape: Shape, seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        let t = Tensor(shape)
        for i in 0..<t.count { t.data[i] = rng.nextUnitFloat() }
        return t
    }
}
