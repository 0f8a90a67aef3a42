import TensorCore

/// Where a picture stayed the same between two frames, without optical flow: `previous` mode holds the
/// stylized frame to the previous one there, so a static background keeps its brush strokes while what moves
/// is free to change.
public enum ChangeMask {
    /// 1 where the two frames' colours, box-blurred over `radius` pixels (sensor noise and compression
    /// grain are not motion), differs by less than `threshold`; 0 elsewhere. Both are RGB of one shape.
    public static func unchanged(_ a: Tensor, _ b: Tensor, threshold: Float = 0.03, radius: Int = 2) -> Tensor {
        precondition(a.shape == b.shape, "frames \(a.shape), \(b.shape)")
        let s = a.shape, n = s.planeSize
        let blurred = BoxBlur.apply(FlowConsistency.colourDifference(a, b), radius: radius)
        let mask = Tensor(channels: 1, height: s.height, width: s.width)
        for i in 0..<n { mask.data[i] = blurred.data[i] < threshold ? 1 : 0 }
        return mask
    }
}
