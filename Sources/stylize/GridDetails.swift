import Plots
import StyleTransfer

/// What the sheet's sidecar adds to the common record (whose recipe is the one every cell started from): the
/// knobs, and per cell its label, recipe as run, how it ended and where it lies on the sheet.
struct GridDetails: Encodable {
    struct Cell: Encodable {
        var label: String
        var recipe: Recipe
        var iterations: Int
        var stopReason: String
        var finalLosses: Losses
        var seconds: Double
        var rect: ContactSheet.Rect?

        enum CodingKeys: String, CodingKey {
            case label, recipe, iterations, seconds
            case stopReason = "stop_reason"
            case finalLosses = "final_losses"
            case rect = "sheet_rect"
        }
    }

    var vary: [String]
    var cells: [Cell]
    /// Frames of the sheet's video, GIF or frame folder, when recorded.
    var videoFrames: Int?

    enum CodingKeys: String, CodingKey {
        case vary, cells
        case videoFrames = "video_frames"
    }
}

extension ContactSheet.Rect: Encodable {
    public func encode(to encoder: Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(contentsOf: [x, y, width, height])
    }
}
