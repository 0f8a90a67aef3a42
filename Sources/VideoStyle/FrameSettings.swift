import StyleTransfer

/// How each frame after the first starts and what holds it to the previous one.
public enum TemporalMode: String, Codable, Sendable, CaseIterable {
    /// Every frame on its own from its content: the flicker baseline.
    case none
    /// The previous stylized frame, moved by the camera's pan (`CameraShift`, no optical flow), as the start;
    /// where the picture then did not change it is held there by the temporal term.
    case previous
    /// The previous stylized frame warped by the optical flow as the start where the flow is trusted; where it
    /// is not (disocclusions, motion boundaries) the frame's own colours under the previous paint's texture;
    /// and the temporal term over the trusted pixels.
    case flow
}

/// Frame mode's knobs besides the recipe. Codable with the same snake_case keys as the flags
/// (`--temporal` ⇄ `temporal`), so a video recipe holds them beside the style knobs.
public struct FrameSettings: Codable, Equatable, Sendable {
    public var temporal = TemporalMode.flow
    /// Weight of the temporal term (`TemporalTerm`); 0 leaves it out. On Samples/tree.mp4 at 128 px with
    /// VGG16 (frames 2–20), 1e4 cut the flicker 3× against 1e3 (0.0010 vs 0.0032) for a 3% higher content
    /// loss at frame 20.
    public var temporalWeight = 1e4
    /// Optimizer iterations for every frame after the first (which uses the recipe's schedule): the most a
    /// frame may take; `frame_tolerance` usually stops it sooner.
    public var frameIterations = 8
    /// A later frame stops when its loss fell by less than this share over the last 5 iterations (0: never).
    public var frameTolerance = 0.0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case temporal
        case temporalWeight = "temporal_weight"
        case frameIterations = "frame_iterations"
        case frameTolerance = "frame_tolerance"
    }

    /// Keys missing from a JSON file keep the defaults above.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let v = try c.decodeIfPresent(TemporalMode.self, forKey: .temporal) { temporal = v }
        if let v = try c.decodeIfPresent(Double.self, forKey: .temporalWeight) { temporalWeight = v }
        if let v = try c.decodeIfPresent(Int.self, forKey: .frameIterations) { frameIterations = v }
        if let v = try c.decodeIfPresent(Double.self, forKey: .frameTolerance) { frameTolerance = v }
    }

    /// Throws `LimitError` for a knob outside its limit, naming it as its flag with the range.
    public func validate() throws {
        try Recipe.iterationsLimit.check(frameIterations, key: "frame_iterations")
        try Recipe.weightLimit.check(temporalWeight, key: "temporal_weight")
        try Recipe.toleranceLimit.check(frameTolerance, key: "frame_tolerance")
    }

    /// The recipe of every frame after the first, of long side `size`: one scale of at most `frameIterations`,
    /// stopped by `frameTolerance` over `toleranceWindow` iterations when that is set.
    public func laterFrameRecipe(from recipe: Recipe, size: Int) -> Recipe {
        var r = recipe
        r.size = size
        r.scales = 1
        r.scaleIterations = nil
        r.iterations = frameIterations
        if frameTolerance > 0 {
            r.tolerance = frameTolerance
            r.toleranceWindow = Self.toleranceWindow
        }
        return r
    }

    /// Iterations `frame_tolerance` is measured over: a later frame runs only a few.
    public static let toleranceWindow = 5
}
