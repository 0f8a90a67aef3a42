import Models
import TensorCore

/// The style loss of the picture as the preview saw it: at a refinement scale, the picture downscaled to the
/// preview's size is scored against the style's Grams at that size, and the gradient carried back through the
/// downscale (`TensorResize.resizeBackward`). Without it a refinement scale repaints the strokes at its own
/// resolution and the print, seen at the preview's size, loses the preview's texture (measured: 2.1× the
/// preview's style loss at 2048 px); with it the finer scale can only add detail the coarse look keeps.
final class PreviewStyle: PixelTerm {
    let name = "preview_style"
    private let objective: Objective
    private let weight: Double
    /// A tileable picture is downscaled around its edges (the objective wraps too).
    private let wrap: Bool
    private let gradient: Tensor

    /// `styles` at the preview's own style sizes, as the preview scale used them; `weight` multiplies the style
    /// weight (`preview_weight`).
    /// `guidance` at the preview's size, as the preview scale used it (its style masks only count here).
    init(network: FeatureNetwork, recipe: Recipe, preview: Shape, styles: [Tensor], guidance: Guidance, weight: Double) throws {
        var r = recipe
        (r.contentWeight, r.tvWeight) = (0, 0)
        objective = try Objective(network: network, recipe: r, shape: preview, content: nil, styles: styles,
                                  guidance: Guidance(styleMasks: guidance.styleMasks))
        self.weight = weight
        wrap = recipe.tileable
        gradient = Tensor(preview)
    }

    func evaluate(_ image: Tensor, gradient: Tensor) throws -> Double {
        let p = objective.shape
        let small = TensorResize.resize(image, height: p.height, width: p.width, wrap: wrap)
        let losses = try objective.evaluate(small, gradient: self.gradient)
        let back = TensorResize.resizeBackward(self.gradient, height: image.shape.height, width: image.shape.width, wrap: wrap)
        let w = Float(weight)
        for i in 0..<gradient.count { gradient.data[i] += w * back.data[i] }
        return weight * losses.total
    }
}
