/// Why a plot or a sheet could not be drawn or written.
public enum PlotError: Error, CustomStringConvertible, Equatable {
    /// Cairo refused (`what` it was doing, Cairo's own message).
    case cairo(what: String, reason: String)
    /// The picture would be larger than Cairo's 32767-pixel limit.
    case tooLarge(width: Int, height: Int)
    /// A cell's sample count does not match its size.
    case pictureSize(width: Int, height: Int, samples: Int)
    /// The output is not a `.png` file.
    case notPNG(path: String)
    /// There is nothing to draw (`path`: the output that was asked for).
    case noData(path: String)
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .cairo(let what, let reason):
            return "Cairo could not \(what): \(reason)"
        case .tooLarge(let width, let height):
            return "a \(width)×\(height) picture is larger than Cairo can draw (32767 pixels a side); use fewer or smaller cells"
        case .pictureSize(let width, let height, let samples):
            return "a \(width)×\(height) RGB picture needs \(3 * width * height) samples, got \(samples)"
        case .notPNG(let path):
            return "\(path): plots and sheets are written as PNG; give a .png file name"
        case .noData(let path):
            return "\(path): no iteration was reported, so there is nothing to plot; run at least one iteration"
        case .writeFailed(let path, let reason):
            return "could not write \(path): \(reason); check the directory exists and is writable"
        }
    }
}
