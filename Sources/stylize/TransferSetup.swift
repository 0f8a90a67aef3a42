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
    let initialization: Initialization
    /// Bytes the run may use: `max_memory`, else what the machine had available once the network was loaded.
    let memoryBudget: Int?

    /// `recipe` must be validated. Images are read first (none over `maxMegapixels`): a wrong path fails at once,
    /// before the weights load. A run estimated over the memory available is refused before any work; `video`
    /// adds frame mode's buffers (frames are fitted to `--size`, so no content shape is needed).
    init(recipe: Recipe, content: String?, styles: [String], maxMegapixels: Double, video: Bool = false) throws {
        let pictures = try PictureReader(megapixels: maxMegapixels, recipe: recipe)
        self.content = try content.map(pictures.read)
        self.styles = try styles.map(pictures.read)
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
}
