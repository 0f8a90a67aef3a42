/// The objective's value at one image, by term. `content`, `style` and `tv` are before their weights;
/// `total` = content_weight·content + style_weight·style + tv_weight·tv + Σ pixel_terms.
public struct Losses: Sendable, Equatable, Codable {
    public var total: Double = 0
    public var content: Double = 0
    public var style: Double = 0
    public var tv: Double = 0
    /// Per content layer, in `content_layers` order.
    public var contentLayers: [Double] = []
    /// Per style layer, in `style_layers` order, each already multiplied by its `style_layer_weights` entry.
    public var styleLayers: [Double] = []
    /// Each `PixelTerm`'s weighted loss by name (included in `total`).
    public var pixelTerms: [String: Double] = [:]

    public init() {}

    enum CodingKeys: String, CodingKey {
        case total, content, style, tv
        case contentLayers = "content_by_layer"
        case styleLayers = "style_by_layer"
        case pixelTerms = "pixel_terms"
    }
}
