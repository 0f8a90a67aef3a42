import Models
import XCTest

final class DefaultLayersTests: XCTestCase {
    func testEveryDefaultLayerExistsInItsNetwork() throws {
        for architecture in Architecture.allCases {
            let defaults = architecture.defaultContentLayers + architecture.defaultStyleLayers + architecture.defaultReconstructionLayers
            XCTAssertEqual(Set(defaults).subtracting(architecture.layerNames), [], "\(architecture)")
            let network = try architecture.makeNetwork(weights: architecture.randomWeights(seed: 1))
            XCTAssertEqual(network.layerNames, architecture.layerNames)
        }
    }

    /// VGG's defaults stand for each network's own; names the network has, and names that are not a default, stay.
    func testVGGDefaultsAreAdoptedOnlyWhereTheNetworkLacksThem() {
        let vgg = Architecture.vgg16
        for architecture in Architecture.allCases {
            let isVGG = architecture == .vgg16 || architecture == .vgg19
            XCTAssertEqual(architecture.contentLayers(adopting: vgg.defaultContentLayers), architecture.defaultContentLayers)
            XCTAssertEqual(architecture.styleLayers(adopting: vgg.defaultStyleLayers), architecture.defaultStyleLayers)
            XCTAssertEqual(architecture.contentLayers(adopting: vgg.defaultReconstructionLayers),
                           isVGG ? ["relu3_1"] : architecture.defaultContentLayers)
            XCTAssertEqual(architecture.contentLayers(adopting: ["conv6_1"]), ["conv6_1"])
            XCTAssertEqual(architecture.styleLayers(adopting: ["relu1_1", "nowhere"]), ["relu1_1", "nowhere"])
            let own = Array(architecture.layerNames.prefix(2))
            XCTAssertEqual(architecture.contentLayers(adopting: own), own)
            XCTAssertEqual(architecture.styleLayers(adopting: own), own)
        }
        XCTAssertEqual(Architecture.alexnet.contentLayers(adopting: ["relu4_2"]), ["relu4"])
        XCTAssertEqual(Architecture.squeezenet1_1.styleLayers(adopting: vgg.defaultStyleLayers), ["relu1", "fire2", "fire4", "fire6", "fire8"])
    }
}
