import Foundation

/// Fidelity measures between two pictures of the same size.
public enum ImageMetrics {
    /// Mean squared error over all samples (values in [0, 1]).
    public static func meanSquaredError(_ a: RGBImage, _ b: RGBImage) -> Double {
        precondition(a.width == b.width && a.height == b.height, "images of different sizes")
        var sum = 0.0
        for i in a.planes.indices {
            let d = Double(a.planes[i] - b.planes[i])
            sum += d * d
        }
        return sum / Double(a.planes.count)
    }

    /// Peak signal-to-noise ratio in dB (peak 1); infinity for identical images.
    public static func psnr(_ a: RGBImage, _ b: RGBImage) -> Double {
        let mse = meanSquaredError(a, b)
        return mse == 0 ? .infinity : 10 * log10(1 / mse)
    }
}
