import TensorCore

/// Temporal instability of a sequence: how far a frame is from the previous frame warped onto it, where the
/// flow is trusted. Static scenes reduce it to the plain frame difference.
public enum Flicker {
    /// Mean over channels and masked pixels of |current − ω(previous)|; nil when the mask is empty.
    public static func warpedDifference(current: Tensor, previous: Tensor, flow: Tensor, mask: Tensor) -> Double? {
        precondition(current.shape == previous.shape, "frames \(current.shape), \(previous.shape)")
        let warped = Warp.backward(previous, flow: flow)
        let s = current.shape, n = s.planeSize
        var sum = 0.0, weight = 0.0
        for i in 0..<n where mask.data[i] > 0 {
            for c in 0..<s.channels { sum += Double(mask.data[i] * abs(current.data[c * n + i] - warped.data[c * n + i])) }
            weight += Double(mask.data[i]) * Double(s.channels)
        }
        return weight > 0 ? sum / weight : nil
    }
}
