import TensorCore

/// An extra loss on the image's pixels that a caller adds to the objective (e.g. frame mode's temporal term).
/// It is evaluated at the final scale only, on the image at that scale's shape, and its value is already
/// weighted: it is added to `Losses.total` as is and reported under `name` in `Losses.pixelTerms`.
public protocol PixelTerm: AnyObject {
    var name: String { get }
    /// Adds ∂loss/∂image into `gradient` and returns the loss.
    func evaluate(_ image: Tensor, gradient: Tensor) throws -> Double
}
