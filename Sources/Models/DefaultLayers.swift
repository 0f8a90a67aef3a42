/// Which layers each network's content and style terms read unless a recipe says otherwise. Recipes name layers as
/// VGG does (its defaults are the recipe's), so on another network VGG's defaults stand for that network's own.
extension Architecture {
    /// The layer names in execution order: `conv1_1`, `relu1_1`, …, `pool5` (also accepted as `features.N`).
    public var layerNames: [String] { layout.stages.map(\.name) }

    /// Gatys et al.'s relu4_2 on VGG; the corresponding mid-depth layer on the others.
    public var defaultContentLayers: [String] {
        switch self {
        case .vgg16, .vgg19: return ["relu4_2"]
        case .alexnet: return ["relu4"]
        case .squeezenet1_1: return ["fire6"]
        }
    }

    /// The first rectified output of each block (Gatys et al.'s relu1_1…relu5_1 on VGG).
    public var defaultStyleLayers: [String] {
        switch self {
        case .vgg16, .vgg19: return ["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"]
        case .alexnet: return ["relu1", "relu2", "relu3", "relu4", "relu5"]
        case .squeezenet1_1: return ["relu1", "fire2", "fire4", "fire6", "fire8"]
        }
    }

    /// What `stylize reconstruct` rebuilds from: VGG's relu3_1, where the picture is still recognisable; the
    /// smaller networks use their content layer.
    public var defaultReconstructionLayers: [String] {
        switch self {
        case .vgg16, .vgg19: return ["relu3_1"]
        case .alexnet, .squeezenet1_1: return defaultContentLayers
        }
    }

    /// The content layers to run for the ones a recipe names: unchanged if this network has them all; VGG's default
    /// content or reconstruction layers become this network's own; anything else is kept (the network reports it).
    public func contentLayers(adopting layers: [String]) -> [String] {
        guard !layers.allSatisfy(layerNames.contains) else { return layers }
        if layers == Self.vgg16.defaultContentLayers { return defaultContentLayers }
        if layers == Self.vgg16.defaultReconstructionLayers { return defaultReconstructionLayers }
        return layers
    }

    /// The style layers to run for the ones a recipe names: unchanged if this network has them all; VGG's default
    /// style layers become this network's own; anything else is kept (the network reports it).
    public func styleLayers(adopting layers: [String]) -> [String] {
        guard !layers.allSatisfy(layerNames.contains) else { return layers }
        return layers == Self.vgg16.defaultStyleLayers ? defaultStyleLayers : layers
    }
}
