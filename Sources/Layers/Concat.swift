import TensorCore

// Channel concatenation of two maps (SqueezeNet's fire module).
//   forward:  a Ca×H×W, b Cb×H×W → y (Ca+Cb)×H×W, a's channels first
//   backward: dy → da, db, the matching channel slices
public enum Concat {
    public static func forward(
        _ a: UnsafePointer<Float>, channels ca: Int, _ b: UnsafePointer<Float>, channels cb: Int, planeSize: Int,
        into y: UnsafeMutablePointer<Float>
    ) {
        y.update(from: a, count: ca * planeSize)
        (y + ca * planeSize).update(from: b, count: cb * planeSize)
    }

    public static func backward(
        _ dy: UnsafePointer<Float>, planeSize: Int, into da: UnsafeMutablePointer<Float>, channels ca: Int,
        _ db: UnsafeMutablePointer<Float>, channels cb: Int
    ) {
        da.update(from: dy, count: ca * planeSize)
        db.update(from: dy + ca * planeSize, count: cb * planeSize)
    }
}
