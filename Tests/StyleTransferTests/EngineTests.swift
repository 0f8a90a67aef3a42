import Models
import StyleTransfer
import TensorCore
import XCTest

final class EngineTests: XCTestCase {
    override func setUp() { _ = try? BLAS.load() }

    private func transferRecipe(_ edit: (inout Recipe) -> Void = { _ in }) -> Recipe {
        var r = Recipe()
        r.size = 24
        r.iterations = 15
        r.contentLayers = ["relu2_1"]
        r.styleLayers = ["relu1_1", "relu2_1"]
        r.styleWeight = 1e3
        edit(&r)
        return r
    }

    private func images() -> (content: Tensor, style: Tensor) {
        var rng = TestRandom(seed: 11)
        return (rng.image(height: 18, width: 24), rng.image(height: 30, width: 30, range: 0...1))
    }

    /// Records every iteration report.
    final class Recorder: EngineObserver {
        var reports: [IterationReport] = []
        var scaleStarts: [(Shape, Tensor)] = []
        var stopAt: Int?
        var cancelAt: (Int, Cancellation)?
        func engine(_ event: EngineEvent, image: () -> Tensor) -> ObserverDecision {
            switch event {
            case .iteration(let r):
                reports.append(r)
                if let (n, flag) = cancelAt, r.iteration == n { flag.cancel() }
                return r.iteration == stopAt ? .stop : .proceed
            case .scaleStarted(_, _, let shape, _):
                scaleStarts.append((shape, image()))
            case .finished:
                break
            }
            return .proceed
        }
    }

    func testTransferLowersTheLossAndKeepsPixelsInRange() throws {
        let (content, style) = images()
        let engine = try Engine(network: TinyNetwork(), recipe: transferRecipe(), content: content, styles: [style], initialization: .content)
        let recorder = Recorder()
        engine.observers.append(recorder)
        let result = try engine.run()
        XCTAssertEqual(recorder.reports.count, 15)
        XCTAssertEqual(result.image.shape, Shape(channels: 3, height: 18, width: 24))
        XCTAssertLessThan(result.losses.total, 0.2 * recorder.reports[0].losses.total)
        XCTAssertTrue(result.image.values.allSatisfy { (0...1).contains($0) })
        // Each report carries the per-term breakdown of the point it evaluated.
        for r in recorder.reports {
            XCTAssertEqual(r.losses.total, r.losses.content + 1e3 * r.losses.style, accuracy: 1e-9 * r.losses.total)
        }
    }

    func testSameSeedSameBytesOtherSeedOtherImage() throws {
        let (content, style) = images()
        func run(seed: UInt64) throws -> [Float] {
            let r = transferRecipe { $0.seed = seed; $0.initialization = .contentNoise; $0.noise = 0.5 }
            return try Engine(network: TinyNetwork(), recipe: r, content: content, styles: [style],
                              initialization: .contentNoise(amount: 0.5)).run().image.values
        }
        let a = try run(seed: 3), b = try run(seed: 3), c = try run(seed: 4)
        XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern))
        XCTAssertNotEqual(a, c)
    }

    func testNoiseInitIsUniformAndSeeded() throws {
        let (_, style) = images()
        var r = transferRecipe { $0.iterations = 0; $0.contentWeight = 0; $0.seed = 9 }
        let a = try Engine(network: TinyNetwork(), recipe: r, content: nil, styles: [style], initialization: .noise).run().image
        r.seed = 10
        let b = try Engine(network: TinyNetwork(), recipe: r, content: nil, styles: [style], initialization: .noise).run().image
        let mean = a.values.reduce(0, +) / Float(a.count)
        XCTAssertEqual(mean, 0.5, accuracy: 0.05)
        XCTAssertNotEqual(a.values, b.values)
        XCTAssertEqual(a.shape, Shape(channels: 3, height: 24, width: 24), "texture takes the style's aspect")
    }

    /// Remembers the shape of every image the objective runs through the network.
    final class ShapeRecorder: FeatureNetwork {
        let inner = TinyNetwork()
        var shapes: Set<Shape> = []
        var name: String { inner.name }
        var layerNames: [String] { inner.layerNames }
        func forward(_ image: Tensor, taps: Set<String>) throws -> [String: Tensor] {
            shapes.insert(image.shape)
            return try inner.forward(image, taps: taps)
        }
        func backward(_ tapGradients: [String: Tensor]) -> Tensor { inner.backward(tapGradients) }
    }

    func testPortraitStyleKeepsItsAspectOnALandscapeOutput() throws {
        // Landscape content 36×48, portrait style 80×40 (2:1), two scales with long sides 34 and 48.
        var rng = TestRandom(seed: 5)
        let content = rng.image(height: 36, width: 48), style = rng.image(height: 80, width: 40)
        func shapes(_ edit: (inout Recipe) -> Void) throws -> Set<Shape> {
            let network = ShapeRecorder()
            let r = transferRecipe { $0.size = 48; $0.iterations = 2; $0.scales = 2; $0.minSize = 8; edit(&$0) }
            _ = try Engine(network: network, recipe: r, content: content, styles: [style], initialization: .content).run()
            return network.shapes
        }
        func shape(_ h: Int, _ w: Int) -> Shape { Shape(channels: 3, height: h, width: w) }
        let outputs: Set = [shape(26, 34), shape(36, 48)]
        // Style long side = output long side, 2:1 kept: 48×24 and 34×17.
        XCTAssertEqual(try shapes { _ in }, outputs.union([shape(48, 24), shape(34, 17)]))
        // Half the output's long side: 24×12 and 17×9 (8.5 rounded away from zero), each side widened to the
        // 16 the network's pooling needs.
        XCTAssertEqual(try shapes { $0.styleScale = 0.5 }, outputs.union([shape(24, 16), shape(17, 16)]))
        // The old behaviour, by name: the style squashed to each output shape.
        XCTAssertEqual(try shapes { $0.stretchStyle = true }, outputs)
    }

    func testStopOnRiseKeepsTheImageBeforeTheRise() throws {
        // Adam with a large rate overshoots within a few steps.
        let (content, style) = images()
        let r = transferRecipe { $0.optimizer = .adam; $0.learningRate = 0.5; $0.iterations = 50; $0.stopOnRise = true }
        let engine = try Engine(network: TinyNetwork(), recipe: r, content: content, styles: [style], initialization: .content)
        let recorder = Recorder()
        engine.observers.append(recorder)
        let result = try engine.run()
        XCTAssertEqual(result.stopReason, .lossRose)
        let losses = recorder.reports.map(\.losses.total)
        XCTAssertLessThan(losses.count, 50)
        XCTAssertGreaterThan(losses[losses.count - 1], losses[losses.count - 2])
        // Adam clamps every step, so the kept image is exactly the point evaluated before the rise.
        XCTAssertEqual(result.losses.total, losses[losses.count - 2], accuracy: 1e-6 * losses[losses.count - 2])
    }

    func testToleranceStopsWhenProgressStalls() throws {
        let (content, style) = images()
        let r = transferRecipe { $0.iterations = 200; $0.tolerance = 0.01; $0.toleranceWindow = 5 }
        let engine = try Engine(network: TinyNetwork(), recipe: r, content: content, styles: [style], initialization: .content)
        let recorder = Recorder()
        engine.observers.append(recorder)
        let result = try engine.run()
        XCTAssertEqual(result.stopReason, .tolerance)
        let losses = recorder.reports.map(\.losses.total)
        XCTAssertLessThan(losses.count, 200)
        let n = losses.count
        XCTAssertLessThan(losses[n - 6] - losses[n - 1], 0.01 * losses[n - 6])
        XCTAssertGreaterThanOrEqual(losses[n - 7] - losses[n - 2], 0.01 * losses[n - 7], "should have stopped earlier")
    }

    func testObserverAndCancellationFlagStopTheRun() throws {
        let (content, style) = images()
        let engine = try Engine(network: TinyNetwork(), recipe: transferRecipe(), content: content, styles: [style], initialization: .content)
        let recorder = Recorder()
        recorder.stopAt = 4
        engine.observers.append(recorder)
        XCTAssertEqual(try engine.run().stopReason, .cancelled)
        XCTAssertEqual(recorder.reports.count, 4)

        let flagged = try Engine(network: TinyNetwork(), recipe: transferRecipe(), content: content, styles: [style], initialization: .content)
        let second = Recorder()
        second.cancelAt = (6, flagged.cancellation)
        flagged.observers.append(second)
        let result = try flagged.run()
        XCTAssertEqual(result.stopReason, .cancelled)
        XCTAssertEqual(result.iterations, 6)
    }

    func testCoarseScalesRunHalfTheIterationsUnlessGiven() {
        var r = Recipe()
        r.iterations = 60
        XCTAssertEqual((0..<3).map { r.iterations(atScale: $0, of: 3) }, [30, 30, 60])
        r.scaleIterations = [5, 6, 7]
        XCTAssertEqual((0..<3).map { r.iterations(atScale: $0, of: 3) }, [5, 6, 7])
    }

    func testScheduleStepsBySquareRootOfTwo() {
        let s = ScaleSchedule(size: 512, count: 3, minSize: 128, aspectOf: Shape(channels: 3, height: 300, width: 400))
        XCTAssertEqual(s.shapes.map(\.width), [256, 362, 512])
        XCTAssertEqual(s.shapes.map(\.height), [192, 272, 384])
        let clipped = ScaleSchedule(size: 512, count: 5, minSize: 200, aspectOf: Shape(channels: 3, height: 400, width: 300))
        XCTAssertEqual(clipped.shapes.map(\.height), [256, 362, 512])
    }

    func testEachScaleStartsFromThePreviousResultUpsampled() throws {
        let (content, style) = images()
        let r = transferRecipe { $0.size = 48; $0.scales = 3; $0.minSize = 16; $0.scaleIterations = [6, 4, 2]; $0.restoreDetail = false }
        let engine = try Engine(network: TinyNetwork(), recipe: r, content: content, styles: [style], initialization: .content)
        let recorder = Recorder()
        var ends: [Tensor] = []
        engine.observers.append(recorder)
        engine.observers.append(ClosureObserver { event, image in
            if case .iteration(let rep) = event, rep.scaleIteration == [6, 4, 2][rep.scale] { ends.append(image()) }
            return .proceed
        })
        let result = try engine.run()
        XCTAssertEqual(recorder.scaleStarts.map(\.0.width), [24, 34, 48])
        XCTAssertEqual(recorder.reports.count, 12)
        XCTAssertEqual(result.image.shape.width, 48)
        for k in 1..<3 {
            let (shape, start) = recorder.scaleStarts[k]
            let expected = TensorResize.resize(ends[k - 1], height: shape.height, width: shape.width)
            for i in 0..<start.count { XCTAssertEqual(start.data[i], min(max(expected.data[i], 0), 1), accuracy: 1e-6) }
        }
    }

    func testRestoreDetailPutsBackTheContentTheCoarseScaleBlurred() throws {
        // With no iterations the coarse result is the downsampled content: upsampled alone it is blurred, with
        // the detail restored it is the fine content again (up to the double resampling).
        var rng = TestRandom(seed: 13)
        let content = rng.image(height: 32, width: 32, range: 0...1), style = rng.image(height: 32, width: 32)
        func startOfFineScale(restore: Bool) throws -> Double {
            let r = transferRecipe { $0.size = 32; $0.scales = 2; $0.minSize = 8; $0.scaleIterations = [0, 0]; $0.restoreDetail = restore }
            let engine = try Engine(network: TinyNetwork(), recipe: r, content: content, styles: [style], initialization: .content)
            let recorder = Recorder()
            engine.observers.append(recorder)
            _ = try engine.run()
            let start = recorder.scaleStarts[1].1
            return zip(start.values, content.values).map { Double(abs($0 - $1)) }.reduce(0, +) / Double(start.count)
        }
        let blurred = try startOfFineScale(restore: false), restored = try startOfFineScale(restore: true)
        XCTAssertGreaterThan(blurred, 0.1)
        XCTAssertLessThan(restored, blurred / 5)
    }

    func testPreserveColorsKeepsTheContentChroma() throws {
        var rng = TestRandom(seed: 12)
        let content = rng.image(height: 16, width: 16, range: 0.3...0.7)
        let style = rng.image(height: 16, width: 16, range: 0...1)
        for i in 0..<(16 * 16) { style.data[i] = 1; style.data[256 + i] *= 0.2 }  // a strongly red style
        let r = transferRecipe { $0.size = 16; $0.preserveColors = true; $0.styleWeight = 1e5 }
        let result = try Engine(network: TinyNetwork(), recipe: r, content: content, styles: [style], initialization: .content).run()
        func chroma(_ t: Tensor) -> [Float] {
            (0..<256).flatMap { p -> [Float] in
                let r = t.data[p], g = t.data[256 + p], b = t.data[512 + p]
                return [0.595716 * r - 0.274453 * g - 0.321263 * b, 0.211456 * r - 0.522591 * g + 0.311135 * b]
            }
        }
        let a = chroma(result.image), b = chroma(content)
        let drift = zip(a, b).map { abs($0 - $1) }.reduce(0, +) / Float(a.count)
        XCTAssertLessThan(drift, 0.01)
        // …while the luminance did change (the style's luminance is matched to the content's, so not by much).
        let luminanceChange = (0..<256).map { p in abs((result.image.data[p] - content.data[p])) }.reduce(0, +) / 256
        XCTAssertGreaterThan(luminanceChange, 0.001)
        // Without preservation the red style pulls the chroma.
        let free = try Engine(network: TinyNetwork(), recipe: transferRecipe { $0.size = 16; $0.styleWeight = 1e5 },
                              content: content, styles: [style], initialization: .content).run()
        let freeDrift = zip(chroma(free.image), b).map { abs($0 - $1) }.reduce(0, +) / Float(a.count)
        XCTAssertGreaterThan(freeDrift, 5 * drift)
    }

    func testTypedErrorsForBadRecipes() {
        let (content, style) = images()
        func expect(_ expected: EngineError, _ body: () throws -> Void, line: UInt = #line) {
            XCTAssertThrowsError(try body(), line: line) { XCTAssertEqual($0 as? EngineError, expected, line: line) }
        }
        expect(.countMismatch(knob: "style_blend", expected: 1, got: 2)) {
            _ = try Engine(network: TinyNetwork(), recipe: transferRecipe { $0.styleBlend = [1, 2] },
                           content: content, styles: [style], initialization: .content).run()
        }
        expect(.countMismatch(knob: "scale_iterations", expected: 2, got: 1)) {
            _ = try Engine(network: TinyNetwork(), recipe: transferRecipe { $0.scales = 2; $0.minSize = 8; $0.scaleIterations = [1] },
                           content: content, styles: [style], initialization: .content)
        }
        func expectOutside(_ expected: LimitError, _ body: () throws -> Void, line: UInt = #line) {
            XCTAssertThrowsError(try body(), line: line) { XCTAssertEqual($0 as? LimitError, expected, line: line) }
        }
        expectOutside(LimitError(key: "beta1", value: "1", lower: "0", upper: "0.9999")) {
            _ = try Engine(network: TinyNetwork(), recipe: transferRecipe { $0.beta1 = 1 },
                           content: content, styles: [style], initialization: .content)
        }
        expectOutside(LimitError(key: "style_weight", value: "-1", lower: "0", upper: "1e+15")) {
            _ = try Engine(network: TinyNetwork(), recipe: transferRecipe { $0.styleWeight = -1 },
                           content: content, styles: [style], initialization: .content)
        }
        expectOutside(LimitError(key: "style_layer_weights", value: "nan", lower: "0", upper: "1e+15")) {
            _ = try Engine(network: TinyNetwork(), recipe: transferRecipe { $0.styleLayerWeights = [.nan] },
                           content: content, styles: [style], initialization: .content)
        }
    }
}
