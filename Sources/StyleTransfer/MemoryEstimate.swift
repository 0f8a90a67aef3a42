import Models
import TensorCore

/// The memory a run will take, worked out before it starts from the model, the recipe and the picture sizes, so a
/// run the machine cannot hold is refused at once (with a size that fits) instead of swapping or being killed.
///
/// It counts, at the largest scale (the earlier ones are smaller and freed): the network's weights and buffers
/// (`Architecture.memory`) at the larger of the output and style shapes, the objective's content targets,
/// per-tap gradients and Gram matrices (a target per style, the current one and its gradient), the optimizer's
/// state (L-BFGS keeps two vectors per curvature pair, at most one pair per iteration), the pictures as read,
/// a few image-sized tensors of the engine, and for frame mode the flow fields, masks and warped frames. The
/// libraries' own footprint (FFmpeg, OpenBLAS's buffers, the Swift runtime) is a fixed `baseline`, and the
/// weights count `weightCopies` times.
public struct MemoryEstimate: Sendable, Equatable {
    public let bytes: Int
    public let size: Int

    /// Measured: `stylize info` (libraries loaded, OpenBLAS run) peaks at 76 MB.
    static let baseline = 64 << 20
    /// The weights as read, the layers' copies and the Winograd kernels made from them (36 values for 9, once for
    /// forward and once for backward), less what is freed on the way: a VGG16 run at `--size 32` peaks at 412 MB,
    /// about the baseline and 6 times its 59 MB of weights.
    static let weightCopies = 6

    /// `pictures`: the content (nil for a texture) and style tensors as read; nil when a layer is not the model's
    /// (the engine reports that itself).
    public init?(architecture: Architecture, recipe: Recipe, content: Shape?, styles: [Shape], video: Bool = false) {
        let reference = content ?? Shape(channels: 3, height: recipe.size, width: recipe.size)
        let output = ScaleSchedule.shape(longSide: recipe.size, aspectOf: reference)
        let styleShapes = styles.map { style in
            recipe.styleScale.map { ScaleSchedule.shape(longSide: max(16, Int((Double(recipe.size) * $0).rounded())), aspectOf: style) } ?? output
        }
        let largest = ([output] + styleShapes).max { $0.count < $1.count } ?? output
        let taps = Set(recipe.contentLayers + recipe.styleLayers)
        guard let network = architecture.memory(width: largest.width, height: largest.height, taps: taps),
              let atOutput = architecture.memory(width: output.width, height: output.height, taps: taps) else { return nil }
        var floats = 0
        for layer in recipe.contentLayers { floats += atOutput.taps[layer]?.count ?? 0 }  // content targets
        for (_, tap) in atOutput.taps { floats += tap.count }  // gradients handed to backward
        let grams = recipe.styleLayers.reduce(0) { $0 + (atOutput.taps[$1].map { $0.channels * $0.channels } ?? 0) }
        floats += (styles.count + 2) * grams
        let n = output.count
        let scales = max(1, recipe.scales)
        let iterations = recipe.scaleIterations.flatMap { $0.last } ?? recipe.iterations(atScale: scales - 1, of: scales)
        switch recipe.optimizer {
        case .lbfgs: floats += (2 * min(recipe.historySize, max(1, iterations)) + 4) * n
        case .adam: floats += 4 * n
        }
        floats += (content?.count ?? 0) + styles.reduce(0) { $0 + $1.count }  // pictures as read
        floats += 6 * n  // engine: result, gradient, resized content and start, colour and display copies
        if video { floats += 12 * n }  // flow both ways (2 planes each, pyramid), masks, warped and previous frames
        bytes = Self.baseline + Self.weightCopies * network.weights + network.buffers + 4 * floats
        size = recipe.size
    }

    /// The largest `--size` (at least 16) whose estimate stays within `budget`, or nil if not even 16 does.
    public static func largestSize(within budget: Int, architecture: Architecture, recipe: Recipe, content: Shape?,
                                   styles: [Shape], video: Bool = false) -> Int? {
        func fits(_ size: Int) -> Bool {
            var r = recipe
            r.size = size
            return (MemoryEstimate(architecture: architecture, recipe: r, content: content, styles: styles, video: video)?.bytes ?? 0) <= budget
        }
        guard fits(16) else { return nil }
        var low = 16, high = max(16, recipe.size)
        while low < high {
            let mid = (low + high + 1) / 2
            if fits(mid) { low = mid } else { high = mid - 1 }
        }
        return low
    }
}

extension MemoryEstimate {
    /// Refuses a run whose estimate is over `available` bytes (nil: unknown, not checked), naming the largest
    /// size that fits.
    public static func check(architecture: Architecture, recipe: Recipe, content: Shape?, styles: [Shape], video: Bool = false,
                             available: Int?) throws(MemoryEstimateError) {
        guard let available,
              let estimate = MemoryEstimate(architecture: architecture, recipe: recipe, content: content, styles: styles, video: video),
              estimate.bytes > available else { return }
        throw .tooLarge(estimate: estimate.bytes, available: available, size: recipe.size,
                        fitting: largestSize(within: available, architecture: architecture, recipe: recipe, content: content,
                                             styles: styles, video: video))
    }
}

public enum MemoryEstimateError: Error, CustomStringConvertible, Equatable {
    case tooLarge(estimate: Int, available: Int, size: Int, fitting: Int?)

    public var description: String {
        switch self {
        case let .tooLarge(estimate, available, size, fitting):
            let need = "a run at --size \(size) needs about \(gigabytes(estimate)) of memory and \(gigabytes(available)) is available"
            guard let fitting else { return need + "; even --size 16 does not fit: free memory first" }
            return need + "; use --size \(fitting) or less (a smaller --history-size or --optimizer adam also needs less)"
        }
    }

    private func gigabytes(_ bytes: Int) -> String {
        let tenths = (bytes * 10 + (1 << 29)) >> 30
        return "\(tenths / 10).\(tenths % 10) GB"
    }
}
