/// What a run starts from, as the recipe's `init` names it: a mode, or an image file the caller reads.
/// Written to JSON as the same text as the flag (`"content+noise"`, `"start.png"`), so older recipe files load.
public enum StartImage: Equatable, Sendable, Codable, CustomStringConvertible {
    case content
    case style
    case noise
    /// The content with `Recipe.noise` of noise mixed in.
    case contentNoise
    /// The content blurred to its broad shapes and colours, so a recording shows the painting form.
    case blurredContent
    case image(path: String)

    /// The mode names; any other non-empty text is an image file.
    public static let modes: [StartImage] = [.content, .style, .noise, .contentNoise, .blurredContent]

    /// Nil for empty text (no mode and no file).
    public init?(parsing text: String) {
        guard !text.isEmpty else { return nil }
        self = Self.modes.first { $0.description == text } ?? .image(path: text)
    }

    public var description: String {
        switch self {
        case .content: return "content"
        case .style: return "style"
        case .noise: return "noise"
        case .contentNoise: return "content+noise"
        case .blurredContent: return "blurred-content"
        case .image(let path): return path
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        guard let start = StartImage(parsing: text) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "init is empty; give content, style, noise, content+noise, blurred-content or an image file")
        }
        self = start
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
