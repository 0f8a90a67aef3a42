import TensorCore

/// Where each style applies and how much of the content to keep (Gatys et al. 2017, "Controlling Perceptual
/// Factors in Neural Style Transfer", guided Gram matrices): greyscale planes (1×H×W, values in [0, 1], soft edges
/// allowed) of any size, resized to each scale and then to each layer's map.
///
/// Each masked style makes a region whose statistics are matched to that style alone, over the mask's positions
/// weighted by the mask; what no mask covers (1 − the masks' sum, where that is positive) is a region matched to
/// the blend of all styles. Without style masks the whole picture is one region with the blend, as a plain run.
public struct Guidance: Sendable {
    /// Per style image, by index from 0.
    public var styleMasks: [Int: Tensor]
    /// The content term's weight per pixel (white: keep the content, black: free to paint).
    public var contentMask: Tensor?

    public init(styleMasks: [Int: Tensor] = [:], contentMask: Tensor? = nil) {
        self.styleMasks = styleMasks
        self.contentMask = contentMask
    }

    /// Checks the masks against the `styles` a run has (each a grey plane, for a style that exists).
    func validate(styles: Int) throws {
        for (index, mask) in styleMasks {
            guard (0..<styles).contains(index) else {
                throw EngineError.invalidValue(knob: "style_masks", value: "\(index + 1)",
                                               expected: "a style number from 1 to \(styles) (the style images given)")
            }
            try Self.checkGrey(mask, knob: "style_masks")
        }
        if let contentMask { try Self.checkGrey(contentMask, knob: "content_mask") }
    }

    private static func checkGrey(_ mask: Tensor, knob: String) throws {
        guard mask.shape.channels != 1 else { return }
        throw EngineError.invalidValue(knob: knob, value: "\(mask.shape.channels) channels", expected: "a grey plane (1 channel)")
    }

    /// The masks at `shape`'s size (area-averaged when shrinking; clamped to [0, 1]).
    func resized(to shape: Shape) -> Guidance {
        func fit(_ t: Tensor) -> Tensor {
            let r = TensorResize.resize(t, height: shape.height, width: shape.width, filter: .bilinear)
            for i in 0..<r.count { r.data[i] = min(max(r.data[i], 0), 1) }
            return r
        }
        return Guidance(styleMasks: styleMasks.mapValues(fit), contentMask: contentMask.map(fit))
    }

    /// The regions of the output: for each masked style (in index order) its mask and that style alone, then the
    /// uncovered rest with every style; one region, everywhere, with every style when no style is masked.
    func regions(styles: Int) -> [(mask: Tensor?, styles: [Int])] {
        guard let first = styleMasks.values.first else { return [(nil, Array(0..<styles))] }
        let rest = Tensor(first.shape)
        rest.fill(1)
        var regions: [(mask: Tensor?, styles: [Int])] = []
        for index in styleMasks.keys.sorted() {
            let mask = styleMasks[index]!
            for i in 0..<rest.count { rest.data[i] -= mask.data[i] }
            regions.append((mask, [index]))
        }
        for i in 0..<rest.count { rest.data[i] = max(rest.data[i], 0) }
        if rest.values.contains(where: { $0 > 1e-3 }) { regions.append((rest, Array(0..<styles))) }
        return regions
    }
}
