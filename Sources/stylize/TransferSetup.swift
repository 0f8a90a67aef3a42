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

    /// `recipe` must be validated. Images are read first: a wrong path fails at once, before the weights load.
    init(recipe: Recipe, content: String?, styles: [String]) throws {
        self.content = try content.map(Self.read)
        self.styles = try styles.map(Self.read)
        initialization = try Initialization(recipe.initialization, noise: recipe.noise, image: Self.read)
        var recipe = recipe
        (network, modelName) = try TransferSession.loadNetwork(for: &recipe)
        self.recipe = recipe
    }

    static func read(_ path: String) throws -> Tensor {
        Tensor(try ImageReader.read(path))
    }
}
