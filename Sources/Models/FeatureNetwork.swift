import TensorCore

/// A frozen image network whose intermediate outputs ("taps") an objective reads.
public protocol FeatureNetwork: AnyObject {
    /// The model's name, e.g. `vgg16`.
    var name: String { get }
    /// Layer names in execution order: `conv1_1`, `relu1_1`, …, `pool5`.
    var layerNames: [String] { get }
    /// Runs the network on an RGB image in [0,1] (normalisation happens inside) up to the deepest of `taps`
    /// and returns the tapped outputs. They stay valid until the next `forward`, and the backward pass does not read
    /// them: the caller may overwrite them, with their gradients for instance.
    func forward(_ image: Tensor, taps: Set<String>) throws -> [String: Tensor]
    /// Back-propagates gradients given at any subset of the last forward's taps to the input image (the tensors
    /// `forward` returned may be handed back holding them).
    func backward(_ tapGradients: [String: Tensor]) -> Tensor
}
