import ArgumentParser
import Foundation
import ImageTensor
import Media
import Models
import StyleTransfer
import TensorCore

/// The one setup of every run, picture or clip: the content, style and start images read once, then the
/// recipe's network loaded (with its default layers). `TransferSession` builds its engine from it, video mode
/// its `FrameStylizer`.
struct TransferSetup {
    /// The recipe as run: layers the network lacks replaced by its own defaults.
    let recipe: Recipe
    let network: FeatureNetwork
    let modelName: String
    let content: Tensor?
    let styles: [Tensor]
    /// The recipe's masks, as grey planes.
    let guidance: Guidance
    let initialization: Initialization
    /// Bytes the run may use: `max_memory`, else what the machine had available once the network was loaded.
    let memoryBudget: Int?

    /// `recipe` must be validated. Images are read first (none over `maxMegapixels`): a wrong path fails at once,
    /// before the weights load. A run estimated over the memory available is refused before any work; `video`
    /// adds frame mode's buffers (frames are fitted to `--size`, so no content shape is needed).
    init(recipe: Recipe, content: String?, styles: [String], maxMegapixels: Double, video: Bool = false) throws {
        try Self.check(recipe, content: content != nil || video, styles: styles.count, video: video)
        let pictures = try PictureReader(megapixels: maxMegapixels, recipe: recipe)
        self.content = try content.map(pictures.read)
        self.styles = try styles.map(pictures.read)
        // A clip's mask clips are read with its frames (`FrameMasks`).
        func grey(_ path: String) throws -> Tensor? { video && Self.isClip(path) ? nil : Luminance.of(try pictures.read(path)) }
        guidance = Guidance(styleMasks: try (recipe.styleMasks ?? [:]).reduce(into: [:]) { $0[$1.key - 1] = try grey($1.value) },
                            contentMask: try recipe.contentMask.flatMap(grey))
        initialization = try Initialization(recipe.initialization, noise: recipe.noise, image: pictures.read)
        var recipe = recipe
        (network, modelName) = try TransferSession.loadNetwork(for: &recipe)
        self.recipe = recipe
        // What is available now comes on top of what this process already holds (its pictures and weights are
        // counted in the estimate). A still picture keeps to a working set unless told otherwise (frames are as
        // large as the clip's, and a clip runs one frame at a time).
        let available = AvailableMemory.bytes().map { $0 + AvailableMemory.resident() }
        let shapes = (content: self.content?.shape, styles: self.styles.map(\.shape))
        let estimate = Architecture(rawValue: network.name).flatMap { architecture in
            MemoryEstimate(architecture: architecture, recipe: recipe, content: shapes.content, styles: shapes.styles,
                           video: video)
        }
        let pictureBudget = video ? nil : estimate?.defaultBudget(available: available)
        memoryBudget = recipe.maxMemory?.bytes ?? pictureBudget ?? available
        _ = try estimate?.finalPlan(budget: memoryBudget)
    }

    /// A mask for `video` given as a clip rather than a picture (by its name).
    static func isClip(_ path: String) -> Bool {
        ["mp4", "m4v", "mov", "webm", "mkv", "avi", "gif", "apng"].contains(URL(fileURLWithPath: path).pathExtension.lowercased())
    }

    /// The artist's controls that cannot apply to these inputs, refused before anything is read.
    private static func check(_ recipe: Recipe, content: Bool, styles: Int, video: Bool) throws {
        for n in (recipe.styleMasks ?? [:]).keys.sorted() where n < 1 || n > styles {
            throw ValidationError("--style-mask \(n)=…: there \(styles == 1 ? "is 1 style image" : "are \(styles) style images"); "
                                  + "number the styles from 1 in the order given")
        }
        if !content && recipe.contentMask != nil {
            throw ValidationError("--content-mask weighs the content term, and this run has no content image")
        }
        if !content && recipe.colors != .style {
            throw ValidationError("--colors \(recipe.colors.rawValue) takes colours from the content, and this run has no content image")
        }
        if video && recipe.tileable {
            throw ValidationError("--tileable makes a picture that wraps around; a clip's frames do not tile (use it with image or texture)")
        }
    }
}
