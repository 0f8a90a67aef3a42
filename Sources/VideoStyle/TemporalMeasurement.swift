import ImageTensor
import Media
import TensorCore

/// The warping error of a whole clip against the clip it was made from (see `WarpingError`), streamed pair by
/// pair: two frames of each clip in memory at a time. The reference is resized to the output's size; clips of
/// different lengths are measured over the shorter one, and `lengthNote` says so.
public enum TemporalMeasurement {
    public struct Result: Sendable {
        /// E of the output, and of the reference itself (the floor), over the same pairs and masks.
        public var output: Double, floor: Double
        /// Mean fraction of pixels the masks keep.
        public var coverage: Double
        public var pairs: Int, emptyPairs: Int, width: Int, height: Int
        /// E_t of each pair (t, t+1) in order; nil where the mask is empty.
        public var pairErrors: [Double?]
        public var lengthNote: String?
    }

    public static func run(output: String, reference: String) throws -> Result {
        let out = try Clip(path: output), ref = try Clip(path: reference)
        let shape = Shape(channels: 3, height: out.height, width: out.width)
        let flow = OpticalFlow()
        var measured = WarpingError(flow: flow), floor = WarpingError(flow: flow)
        var previous: (out: Tensor, ref: Tensor)?
        var pairErrors: [Double?] = []
        var frames = 0
        var note: String?
        while true {
            let o = try out.next(), r = try ref.next()
            guard let o, let r else {
                if o != nil || r != nil {
                    let (longer, shorter) = o != nil ? (output, reference) : (reference, output)
                    note = "\(longer) has more frames than \(shorter): measured the first \(frames) of each"
                }
                break
            }
            let current = (out: Tensor(o), ref: resized(r, to: shape))
            frames += 1
            if let p = previous {
                // One flow and mask per pair serve both measures.
                let forward = flow.estimate(from: p.ref, to: current.ref)
                let mask = FlowConsistency.mask(forward: forward, backward: flow.estimate(from: current.ref, to: p.ref))
                pairErrors.append(measured.add(previous: p.out, current: current.out, flow: forward, mask: mask))
                floor.add(previous: p.ref, current: current.ref, flow: forward, mask: mask)
            }
            previous = current
        }
        guard let value = measured.value, let floorValue = floor.value else {
            throw TemporalMeasurementError.tooFewPairs(output: output, reference: reference, frames: frames, emptyPairs: measured.emptyPairs)
        }
        return Result(output: value, floor: floorValue, coverage: measured.meanCoverage ?? 0, pairs: measured.pairs,
                      emptyPairs: measured.emptyPairs, width: out.width, height: out.height, pairErrors: pairErrors, lengthNote: note)
    }

    private static func resized(_ image: RGBImage, to shape: Shape) -> Tensor {
        let t = Tensor(image)
        return t.shape == shape ? t : TensorResize.resize(t, height: shape.height, width: shape.width)
    }

    /// The only use of `VideoReader` here: size and frames in order.
    final class Clip {
        let width: Int, height: Int
        private let reader: VideoReader

        init(path: String) throws {
            reader = try VideoReader(path: path)
            (width, height) = (reader.width, reader.height)
        }

        func next() throws -> RGBImage? { try reader.nextFrame()?.image }
    }
}
