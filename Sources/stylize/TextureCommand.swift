import ArgumentParser
import StyleTransfer

struct TextureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "texture",
        abstract: "Synthesise a texture from style images alone, starting from seeded noise.")

    @Argument(help: "One or more style images.")
    var styles: [String]

    @OptionGroup var options: RunOptions
    @OptionGroup var objective: ObjectiveOptions
    @OptionGroup var optimization: OptimizationOptions

    static var defaults: Recipe {
        var r = Recipe()
        r.contentWeight = 0
        r.initialization = "noise"
        return r
    }

    func validate() throws {
        if styles.isEmpty { throw ValidationError("give at least one style image") }
    }

    func run() throws {
        let recipe = try options.makeRecipe(defaults: Self.defaults, objective: objective, optimization: optimization)
        let session = try TransferSession(recipe: recipe, content: nil, styles: styles)
        try options.saveRecipeIfAsked(session.recipe)
        _ = try session.run(output: options.output, progressEvery: options.progressEvery)
    }
}
