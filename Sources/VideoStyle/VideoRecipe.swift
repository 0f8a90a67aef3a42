import Media
import StyleTransfer

/// Every knob of a video run in one flat JSON object: the style knobs of `Recipe`, frame mode's
/// (`FrameSettings`: `temporal`, `temporal_weight`, `frame_iterations`, `frame_tolerance`) and the part of the
/// clip (`ClipSelection`: `start`, `duration`, `fps`, `max_frames`), each under the name of its flag.
public struct VideoRecipe: Codable, Equatable, Sendable {
    public var recipe: Recipe
    public var frame: FrameSettings
    public var selection: ClipSelection

    public init(recipe: Recipe = Recipe(), frame: FrameSettings = FrameSettings(), selection: ClipSelection = ClipSelection()) {
        self.recipe = recipe
        self.frame = frame
        self.selection = selection
    }

    /// Each part reads its own keys from the one object; keys it does not know belong to the others.
    public init(from decoder: Decoder) throws {
        recipe = try Recipe(from: decoder)
        frame = try FrameSettings(from: decoder)
        selection = try ClipSelection(from: decoder)
    }

    public func encode(to encoder: Encoder) throws {
        try recipe.encode(to: encoder)
        try frame.encode(to: encoder)
        try selection.encode(to: encoder)
    }
}
