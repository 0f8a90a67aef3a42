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

/// `stylize reconstruct`: no style term, from noise, so the picture shows what the layer alone keeps. From
/// noise at one scale with max pooling, conv4_1 and conv5_1 gave coloured noise (as PyTorch does at equal
/// settings); average pooling, coarse-to-fine scales and a smoothness term make conv5_1 recognisable and blurry
/// while conv1_1–conv3_1 stay sharp. building.jpg at 160 px: with tv_weight 5e-2 conv5_1 was still coloured
/// noise, with 0.5 a soft picture; three scales (the coarsest 80 px) left conv4_1 grainy all over and conv5_1 in
/// coloured blotches, four (from 57 px) left grain only in conv4_1's lawn and conv5_1 soft and recognisable
/// (seeds 0, 1, 2 alike); conv1_1 sharp with all of these. Scales below 48 px are dropped: AlexNet needs 31 px
/// on the short side.
enum ReconstructDefaults: CommandDefaults {
    static var recipe: Recipe {
        var r = Recipe()
        r.styleWeight = 0
        r.contentLayers = Architecture.vgg16.defaultReconstructionLayers
        r.pooling = .avg
        r.scales = 4
        r.minSize = 48
        r.tvWeight = 0.5
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
    /// A recorded run of `image` starts from the content blurred rather than the photo, so the video shows the
    /// painting form instead of a photo slowly gaining texture. Only when recording: measured on building.jpg ×
    /// The Starry Night at 256 px, its final loss was 1.3% above the sharp start's (6.38 vs 6.29), the same look.
    static let start = StartImage.blurredContent
    static let frameSchedule = FrameSchedule.Kind.log
    /// Seconds the final picture stays on screen.
    static let hold = 1.5
    /// Seconds over which a finer scale's start fades in from the coarser scale's last frame.
    static let scaleFade = 0.4
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
