/// What the output's colours come from.
///
/// - `style`: the transfer runs in colour and takes the style's palette.
/// - `content`: luminance-only transfer (Gatys et al. 2016, "Preserving color in neural artistic style transfer"):
///   content and style reduced to their luminance, the style's matched to the content's mean and deviation, the
///   result's luminance recombined with the content's chroma (`ColorPreservation`).
/// - `luminance`: the transfer runs in colour, as `style`, and only the result's luminance is kept, under the
///   content's chroma: the style's colour contrasts shape the strokes, the photo keeps its colours.
/// - `histogram`: each style's colours are first moved to the content's mean and covariance (`ColorMatch`), then
///   the transfer runs in colour: the style's brushwork in the photo's palette.
public enum ColorMode: String, Codable, Sendable, CaseIterable {
    case style, content, luminance, histogram

    /// The result is the optimized luminance under the content's chroma.
    var recombines: Bool { self == .content || self == .luminance }
}
