import Models
import StyleTransfer
import TensorCore
import XCTest

/// Compares the analytic gradient with finite differences at 16 coordinates (the largest among them).
func checkObjectiveGradient(
    _ recipe: Recipe, content: Tensor?, styles: [Tensor], network: FeatureNetwork = TinyNetwork(),
    height: Int = 10, width: Int = 12, step h: Float = 1e-2, guidance: Guidance = Guidance(),
    file: StaticString = #filePath, line: UInt = #line
) throws {
    var rng = TestRandom(seed: 99)
    let image = rng.image(height: height, width: width)
    let objective = try Objective(network: network, recipe: recipe, shape: image.shape, content: content, styles: styles,
                                  guidance: guidance)
    let gradient = Tensor(image.shape), scratch = Tensor(image.shape)
    let losses = try objective.evaluate(image, gradient: gradient)
    XCTAssertGreaterThan(losses.total, 0, file: file, line: line)
    var indices = (0..<15).map { _ in Int(rng.next() % UInt64(image.count)) }
    indices.append((0..<image.count).max { abs(gradient.data[$0]) < abs(gradient.data[$1]) }!)
    let gmax = indices.map { abs(gradient.data[$0]) }.max()!
    XCTAssertGreaterThan(gmax, 0, file: file, line: line)
    var dotAF = 0.0, dotAA = 0.0, dotFF = 0.0
    for i in indices {
        let x0 = image.data[i]
        image.data[i] = x0 + h
        let plus = try objective.evaluate(image, gradient: scratch).total
        image.data[i] = x0 - h
        let minus = try objective.evaluate(image, gradient: scratch).total
        image.data[i] = x0
        let fd = (plus - minus) / Double(2 * h), an = Double(gradient.data[i])
        XCTAssertEqual(fd, an, accuracy: 0.02 * Double(gmax) + 0.02 * abs(an), "coordinate \(i)", file: file, line: line)
        dotAF += an * fd
        dotAA += an * an
        dotFF += fd * fd
    }
    let cosine = dotAF / (dotAA * dotFF).squareRoot()
    XCTAssertGreaterThan(cosine, 0.999, file: file, line: line)
}
