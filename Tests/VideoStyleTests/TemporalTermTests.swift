import StyleTransfer
import TensorCore
import VideoStyle
import XCTest

final class TemporalTermTests: XCTestCase {
    func testGradientMatchesFiniteDifferences() {
        var g = TestRandom(seed: 3)
        let target = g.image(height: 6, width: 7), image = g.image(height: 6, width: 7)
        let mask = g.image(channels: 1, height: 6, width: 7)
        mask.data[4] = 0
        let term = TemporalTerm(target: target, mask: mask, weight: 50)
        let gradient = Tensor(image.shape)
        gradient.fill(0.5)   // the term adds into what is there
        let loss = term.evaluate(image, gradient: gradient)
        XCTAssertGreaterThan(loss, 0)
        let scratch = Tensor(image.shape), h: Float = 1e-2
        for i in 0..<image.count {
            let x0 = image.data[i]
            image.data[i] = x0 + h
            let plus = term.evaluate(image, gradient: scratch)
            image.data[i] = x0 - h
            let minus = term.evaluate(image, gradient: scratch)
            image.data[i] = x0
            XCTAssertEqual(Double(gradient.data[i] - 0.5), (plus - minus) / Double(2 * h), accuracy: 1e-3, "element \(i)")
        }
        // Masked-out pixel: no pull on any channel.
        for c in 0..<3 { XCTAssertEqual(gradient.data[c * 42 + 4], 0.5) }
    }

    /// The engine adds the term to the total, reports it by name and follows its gradient.
    func testEngineIncludesPixelTerms() throws {
        var g = TestRandom(seed: 4)
        let content = g.image(height: 16, width: 16), target = g.image(height: 16, width: 16)
        let mask = Tensor(channels: 1, height: 16, width: 16)
        mask.fill(1)
        var r = Recipe()
        r.size = 16
        r.iterations = 30
        r.contentLayers = ["pixels"]
        r.styleWeight = 0
        let network = IdentityNetwork()
        func distance(_ a: Tensor, _ b: Tensor) -> Double { zip(a.values, b.values).reduce(0) { $0 + Double(abs($1.0 - $1.1)) } / Double(a.count) }

        let plain = try Engine(network: network, recipe: r, content: content, styles: [], initialization: .content).run()
        XCTAssertNil(plain.losses.pixelTerms["temporal"])
        let engine = try Engine(network: network, recipe: r, content: content, styles: [], initialization: .content)
        engine.pixelTerms = [TemporalTerm(target: target, mask: mask, weight: 3)]
        let pulled = try engine.run()
        let temporal = try XCTUnwrap(pulled.losses.pixelTerms["temporal"])
        XCTAssertEqual(pulled.losses.total, r.contentWeight * pulled.losses.content + temporal, accuracy: 1e-9 * pulled.losses.total)
        // Content mean-squared weight 1 vs temporal weight 3: the optimum is 1/4 of the way from target to content.
        XCTAssertLessThan(distance(pulled.image, target), distance(plain.image, target) * 0.5)
        for i in stride(from: 0, to: content.count, by: 37) {
            XCTAssertEqual(pulled.image.data[i], 0.25 * content.data[i] + 0.75 * target.data[i], accuracy: 1e-3)
        }
    }
}
