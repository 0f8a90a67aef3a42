import TensorCore

// Input normalisation with ImageNet statistics, as the torchvision weights expect.
//   forward:  x 3×H×W RGB in [0,1] → y[c] = (x[c] − mean[c]) / std[c]
//   backward: dy → dx[c] = dy[c] / std[c]
public enum Normalize {
    public static let mean: [Float] = [0.485, 0.456, 0.406]
    public static let std: [Float] = [0.229, 0.224, 0.225]

    public static func forward(_ x: UnsafePointer<Float>, _ input: Shape, into y: UnsafeMutablePointer<Float>) {
        precondition(input.channels == 3, "Normalize expects RGB, got \(input)")
        for c in 0..<3 {
            let m = mean[c], s = 1 / std[c], src = x + c * input.planeSize, dst = y + c * input.planeSize
            for i in 0..<input.planeSize { dst[i] = (src[i] - m) * s }
        }
    }

    public static func backward(_ dy: UnsafePointer<Float>, _ input: Shape, into dx: UnsafeMutablePointer<Float>) {
        precondition(input.channels == 3, "Normalize expects RGB, got \(input)")
        for c in 0..<3 {
            let s = 1 / std[c], src = dy + c * input.planeSize, dst = dx + c * input.planeSize
            for i in 0..<input.planeSize { dst[i] = src[i] * s }
        }
    }
}
