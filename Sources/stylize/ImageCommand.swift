import ArgumentParser
import StyleTransfer

struct ImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Paint a content image in the style of one or more style images.")

    @Argument(help: "The content image.")
    var content: String

    @Argument(help: "One or more style images (blend them with --style-blend).")
    var styles: [String]

    @OptionGroup var options: RunOptions
    @OptionGroup var objective: ObjectiveOptions
    @OptionGroup var optimization: OptimizationOptions

    /// Multi-scale L-BFGS from the content: good pictures with no flags.
    static var defaults: Recipe { Recipe() }

    func validate() throws {
        if styles.isEmpty { throw ValidationError("give at least one style image after the content image") }
    }

    func run() throws {
        let recipe = try options.makeRecipe(defaults: Self.defaults, objective: objective, optimization: optimization)
        let session = try TransferSession(recipe: recipe, content: content, styles: styles)
        try options.saveRecipeIfAsked(session.recipe)
        _ = try session.run(output: options.output, progressEvery: options.progressEvery)
    }
}
