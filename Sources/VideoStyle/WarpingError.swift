import TensorCore

/// Temporal warping error (Lai et al., "Learning Blind Video Temporal Consistency", ECCV 2018): how much a
/// video changes between consecutive frames beyond what the motion of its input explains. For each pair t, t+1
///
///     E_t = Σ_p M_t(p)·‖O_t(p) − Ŵ(O_{t+1})(p)‖² / (3·Σ_p M_t(p))
///
/// where Ŵ warps frame t+1 back onto frame t with the optical flow of the *reference* (input) frames t → t+1,
/// M_t is the non-occlusion mask (`FlowConsistency`, forward–backward check on the reference flows) and the
/// squared norm runs over the three channels of pixels in [0, 1], hence the 3: the value is a mean over
/// channels and masked pixels (a sum over channels would be 3× larger). E is the mean of E_t over pairs.
/// Feed pairs one at a time: only two frames of each clip need to be in memory.
public struct WarpingError: Sendable {
    public var flow: OpticalFlow
    /// Pairs measured (pairs whose mask is empty are counted in `emptyPairs` instead).
    public private(set) var pairs = 0
    public private(set) var emptyPairs = 0
    private var errorSum = 0.0, coverageSum = 0.0

    public init(flow: OpticalFlow = OpticalFlow()) { self.flow = flow }

    /// Mean of E_t over the measured pairs; nil before any.
    public var value: Double? { pairs > 0 ? errorSum / Double(pairs) : nil }

    /// Mean fraction of pixels the mask keeps, over all pairs given (empty ones count as 0).
    public var meanCoverage: Double? { pairs + emptyPairs > 0 ? coverageSum / Double(pairs + emptyPairs) : nil }

    /// Adds the pair (t, t+1) = (`previous`, `current`) of the measured clip, with the reference clip's frames
    /// at the same times, all 3×H×W of one shape. Returns E_t, or nil when the mask keeps no pixel.
    @discardableResult
    public mutating func add(previous: Tensor, current: Tensor, refPrevious: Tensor, refCurrent: Tensor) -> Double? {
        precondition(previous.shape == current.shape && refPrevious.shape == previous.shape && refCurrent.shape == previous.shape,
                     "frames \(previous.shape), \(current.shape), references \(refPrevious.shape), \(refCurrent.shape)")
        let forward = flow.estimate(from: refPrevious, to: refCurrent)
        let backward = flow.estimate(from: refCurrent, to: refPrevious)
        let mask = FlowConsistency.mask(forward: forward, backward: backward)
        return add(previous: previous, current: current, flow: forward, mask: mask)
    }

    /// Adds a pair whose flow (previous → current, as `OpticalFlow.estimate`) and mask are already known.
    @discardableResult
    public mutating func add(previous: Tensor, current: Tensor, flow: Tensor, mask: Tensor) -> Double? {
        let n = mask.shape.planeSize
        let kept = (0..<n).reduce(0.0) { $0 + Double(mask.data[$1]) }
        coverageSum += kept / Double(n)
        guard let error = Self.pairError(previous: previous, current: current, flow: flow, mask: mask) else {
            emptyPairs += 1
            return nil
        }
        errorSum += error
        pairs += 1
        return error
    }

    /// E_t of one pair: the masked mean over pixels and channels of (previous − ω(current))²; nil for an empty mask.
    public static func pairError(previous: Tensor, current: Tensor, flow: Tensor, mask: Tensor) -> Double? {
        precondition(previous.shape == current.shape, "frames \(previous.shape), \(current.shape)")
        let warped = Warp.backward(current, flow: flow)
        let s = previous.shape, n = s.planeSize
        var sum = 0.0, weight = 0.0
        for i in 0..<n where mask.data[i] > 0 {
            let m = Double(mask.data[i])
            for c in 0..<s.channels {
                let d = Double(previous.data[c * n + i] - warped.data[c * n + i])
                sum += m * d * d
            }
            weight += m * Double(s.channels)
        }
        return weight > 0 ? sum / weight : nil
    }
}
