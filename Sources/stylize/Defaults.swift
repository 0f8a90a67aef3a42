import ArgumentParser
import Foundation
import Media
import Models
import StyleTransfer
import VideoStyle

/// What each command does with no flags, in one place. `image` runs `Recipe`'s own defaults (listed, with the
/// limit of every numeric knob, in `StyleTransfer/Recipe.swift`); the others change only what is written here.
/// Every option's help shows the value its command takes from here.
protocol CommandDefaults {
    static var recipe: Recipe { get }
}

/// `stylize image`: multi-scale L-BFGS from the content, good pictures with no flags.
enum ImageDefaults: CommandDefaults {
    static var recipe: Recipe { Recipe() }
}

/// `stylize texture`: no content term, from seeded noise, more iterations to form the texture.
enum TextureDefaults: CommandDefaults {
    static var recipe: Recipe {
        var r = Recipe()
        r.contentWeight = 0
        r.initialization = .noise
        r.iterations = 100
        return r
    }
}

/// `stylize reconstruct`: no style term, one scale from noise, so the picture shows what the layer alone keeps.
enum ReconstructDefaults: CommandDefaults {
    static var recipe: Recipe {
        var r = Recipe()
        r.styleWeight = 0
        r.contentLayers = Architecture.vgg16.defaultReconstructionLayers
        r.scales = 1
        r.iterations = 200
        r.initialization = .noise
        return r
    }
}

/// `stylize video`: small frames, a full first frame, short later ones (`FrameSettings`' defaults), the whole
/// clip at its own timing (`ClipSelection`'s).
enum VideoDefaults: CommandDefaults {
    static var video: VideoRecipe {
        var r = VideoRecipe()
        r.recipe.size = 192
        r.recipe.iterations = 200
        return r
    }
    static var recipe: Recipe { video.recipe }
    /// Largest width of the `--gif` preview, pixels.
    static let gifWidth = RecordingDefaults.gifWidth
}

/// The recording of a run's convergence (`--video`, `--gif`, `--frames` of image, texture and reconstruct).
enum RecordingDefaults {
    static let fps = FrameRate(15)
    static let frameSchedule = FrameSchedule.Kind.log
    /// Seconds the final picture stays on screen.
    static let hold = 1.5
    static let gifWidth = 480

    // Limits of the recording's numbers (and of the same flags of `video` and `gif`).
    static let fpsLimit = Limit(0.1...120.0)
    /// GIF delays are counted in hundredths of a second; players cap them at 50 frames per second.
    static let gifFpsLimit = Limit(0.1...50.0)
    static let holdLimit = Limit(0.0...60.0)
    static let gifWidthLimit = Limit(16...4096)
    static let gifColorsLimit = Limit(4...256)
    static let saveEveryLimit = Limit(1...Recipe.iterationsLimit.range.upperBound)
    static let progressEveryLimit = Limit(0...Recipe.iterationsLimit.range.upperBound)
}

/// Pictures read by any run (content, style, start image).
enum InputDefaults {
    /// Larger pictures are refused before decoding (`--max-megapixels` raises it): 100 MP is a 12 000 × 8 000 scan.
    static let maxMegapixels = 100.0
    static let maxMegapixelsLimit = Limit(0.01...10_000.0)
}

/// "text (default: value)": the help line of an option whose default comes from `Defaults`; numbers as they
/// are typed (1e+05 → 100000, 0.1, 1e+15), not as Swift prints a `Double` (100000.0).
func help(_ text: String, default value: Any) -> ArgumentHelp {
    let shown = (value as? Double).map { String(format: "%g", $0) } ?? "\(value)"
    return ArgumentHelp("\(text) (default: \(shown))")
}
