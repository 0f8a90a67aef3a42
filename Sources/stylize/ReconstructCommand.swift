import ArgumentParser
import StyleTransfer

struct ReconstructCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconstruct",
        abstract: "Rebuild an image from noise using only its features at --content-layers: what a layer keeps.")

    @Argument(help: "The content image.")
    var content: String

    @OptionGroup var options: RunOptions
    @OptionGroup var objective: ObjectiveOptions
    @OptionGroup var optimization: OptimizationOptions

    static var defaults: Recipe {
        var r = Recipe()
        r.styleWeight = 0
        r.contentLayers = ["relu3_1"]
        r.initialization = "noise"
        return r
    }

    func run() throws {
        let recipe = try options.makeRecipe(defaults: Self.defaults, objective: objective, optimization: optimization)
        let session = try TransferSession(recipe: recipe, content: content, styles: [])
        try options.saveRecipeIfAsked(session.recipe)
        _ = try session.run(output: options.output, progressEvery: options.progressEvery)
    }
}
