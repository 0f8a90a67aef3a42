import ImageTensor
import Media
import StyleTransfer
import TensorCore

/// How a run reads its content, style and starting pictures: none over `--max-megapixels` (refused before
/// decoding), each decoded straight to at most twice the largest side the run works at (its short side: the
/// engine stretches styles to the output's shape), so a huge input never becomes full-size float planes.
struct PictureReader {
    let pixelLimit: Int
    let shortSide: Int

    init(megapixels: Double, recipe: Recipe) throws {
        try InputDefaults.maxMegapixelsLimit.check(megapixels, key: "max_megapixels")
        pixelLimit = Int(megapixels * 1e6)
        shortSide = Int(min(1e9, 2 * Double(recipe.size) * max(1, recipe.styleScale ?? 1)).rounded(.up))
    }

    func read(_ path: String) throws -> Tensor {
        do { return Tensor(try ImageReader.read(path, pixelLimit: pixelLimit, shortSide: shortSide)) } catch let error as MediaError {
            guard case .tooManyPixels = error else { throw error }
            throw PictureLimitError(reason: error, megapixels: Double(pixelLimit) / 1e6)
        }
    }
}

/// A picture over `--max-megapixels`: Media's message, then the flag that raises the limit.
struct PictureLimitError: Error, CustomStringConvertible {
    let reason: MediaError
    let megapixels: Double

    var description: String { "\(reason) with --max-megapixels (now \(megapixels))" }
}
