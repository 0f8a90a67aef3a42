import TensorCore

/// Where a network that runs its full-resolution layers in bands of rows (`PrefixBands`) hands a tap of those layers,
/// which it never holds whole. Each band is a C×h×W map whose row 0 is the tap's row `offset`.
public struct TapBands {
    /// Forward: `rows` of the band are exact; over a pass every row of the tap comes exactly once.
    public var features: (_ tap: String, _ band: Tensor, _ offset: Int, _ rows: Range<Int>) -> Void
    /// Backward: replace the band's values with ∂loss/∂features (they are the features, exact on `rows` and on the
    /// row on each side within the band, which the band's gradient needs too). `rows` are the band's own: over a pass
    /// each row is some band's own once, while the rows beside them are given again to the band that owns them.
    public var gradient: (_ tap: String, _ band: Tensor, _ offset: Int, _ rows: Range<Int>) -> Void

    public init(features: @escaping (String, Tensor, Int, Range<Int>) -> Void,
                gradient: @escaping (String, Tensor, Int, Range<Int>) -> Void) {
        self.features = features
        self.gradient = gradient
    }
}

/// A `FeatureNetwork` that may stream some taps in bands: taps it bands are missing from `forward`'s result and
/// go through `bands` instead, in the forward and again, for their gradients, in the backward pass.
public protocol BandingNetwork: FeatureNetwork {
    func forward(_ image: Tensor, taps: Set<String>, bands: TapBands) throws -> [String: Tensor]
    func backward(_ tapGradients: [String: Tensor], bands: TapBands) -> Tensor
}
