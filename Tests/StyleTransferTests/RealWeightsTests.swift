import Models
import StyleTransfer
import TensorCore
import Weights
import XCTest

/// A short transfer with the installed VGG16 weights on synthetic images: the loss must fall by the factor
/// L-BFGS reaches on this problem.
final class RealWeightsTests: XCTestCase {
    func testShortRunWithVGG16LowersTheLossSixfold() throws {
        let store = ModelStore()
        guard store.isInstalled("vgg16") else {
            throw XCTSkip("vgg16 weights are not installed: run `stylize models fetch vgg16` to include this test")
        }
        _ = try BLAS.load()
        let network = try Architecture.vgg16.makeNetwork(weights: store.load("vgg16").weights, pooling: .max)
        // Content: a soft diagonal gradient with a disc; style: coloured stripes.
        let content = Tensor(channels: 3, height: 48, width: 64), style = Tensor(channels: 3, height: 64, width: 64)
        for y in 0..<48 {
            for x in 0..<64 {
                let disc: Float = (x - 40) * (x - 40) + (y - 20) * (y - 20) < 120 ? 0.4 : 0
                content[0, y, x] = Float(x) / 64 * 0.6 + disc
                content[1, y, x] = Float(y) / 48 * 0.6
                content[2, y, x] = 0.3 + disc / 2
            }
        }
        for y in 0..<64 {
            for x in 0..<64 {
                let stripe: Float = ((x + 2 * y) / 6) % 2 == 0 ? 1 : 0
                style[0, y, x] = 0.9 * stripe
                style[1, y, x] = 0.2 + 0.5 * (1 - stripe)
                style[2, y, x] = 0.1
            }
        }
        var r = Recipe()
        r.size = 64
        r.iterations = 30
        var first: Double?
        let engine = try Engine(network: network, recipe: r, content: content, styles: [style], initialization: .content)
        engine.observers.append(ClosureObserver { event, _ in
            if case .iteration(let rep) = event, first == nil { first = rep.losses.total }
            return .proceed
        })
        let result = try engine.run()
        let start = try XCTUnwrap(first)
        // Measured: 1592 → 205 (×7.8) in 30 projected L-BFGS iterations; ×6 leaves room for BLAS rounding.
        XCTAssertLessThan(result.losses.total, start / 6, "from \(start) to \(result.losses.total)")
        XCTAssertGreaterThan(result.losses.style, 0)
    }
}
