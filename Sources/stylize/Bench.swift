import ArgumentParser
import Foundation
import Layers
import Models
import StyleTransfer
import TensorCore

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time the feature network's forward + backward pass (random weights: speed does not depend on values).",
        discussion: """
            GFLOP/s are the FLOPs a direct convolution would need (2·Cin·Cout·K²·Ho·Wo per convolution, forward and \
            backward) divided by the time taken; Winograd does fewer multiplications, so its rates are effective ones \
            and may pass the machine's sgemm rate (measured first, with OpenBLAS on every core). Per core: divided by \
            the workers. Gram: the style layers' Gram matrices and their gradients (SYRK and GEMM on OpenBLAS), timed \
            apart on maps of those layers' shapes and not part of s/eval. STYLIZE_ISA=avx2|avx512|generic forces the \
            Winograd instruction set.
            """)

    @Option(name: .customLong("model"), help: "Architecture to time (vgg19, vgg16, alexnet, squeezenet1_1); repeat for several.")
    var models: [String] = ["vgg19", "vgg16"]

    @Option(name: .customLong("size"), help: "Square image side in pixels (32…4096); repeat for several.")
    var sizes: [Int] = [256, 512]

    @Option(help: "Deepest layer to run and back-propagate from (default conv5_1 for VGG, the last layer otherwise).")
    var layer: String?

    @Option(help: "Timed evaluations per case, after one warm-up.")
    var iterations = 3

    @Option(help: "3×3 convolution path: winograd or gemm (default: the fastest that fits).")
    var algorithm: String?

    @Flag(help: "Print one JSON object per case.")
    var json = false

    func run() throws {
        guard iterations > 0 else { throw ValidationError("--iterations must be positive") }
        guard sizes.allSatisfy({ (32...4096).contains($0) }) else {
            throw ValidationError("--size must be between 32 and 4096 pixels (memory grows with the pixel count: vgg19 needs about 0.7 GB at 512)")
        }
        let architectures = try models.map { name -> Architecture in
            guard let a = Architecture(rawValue: name) else {
                throw ValidationError("unknown --model \(name); choose from \(Architecture.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return a
        }
        let forced = try algorithm.map { name -> Conv3x3.Algorithm in
            guard let a = Conv3x3.Algorithm(rawValue: name) else { throw ValidationError("--algorithm must be winograd or gemm") }
            return a
        }
        let blas = try BLAS.load()
        let isa = WinogradISA.active, workers = Parallel.workers
        let sgemmPeak = SgemmRate.measure()
        if !json {
            print(String(
                format: "OpenBLAS %@, %d threads; %d workers; Winograd %@; sgemm peak %.1f GFLOP/s (%.1f per core)",
                blas.coreName, blas.threads, workers, isa.description, sgemmPeak, sgemmPeak / Double(blas.threads)))
        }
        for architecture in architectures {
            let network = try architecture.makeNetwork(weights: architecture.randomWeights(seed: 1), algorithm: forced)
            let tap = layer ?? (architecture.rawValue.hasPrefix("vgg") ? "conv5_1" : network.layerNames.last!)
            let path = algorithm ?? "auto"
            for size in sizes {
                resetPeakMemory()
                let image = Self.pattern(Shape(channels: 3, height: size, width: size))
                guard let flops = architecture.convolutionFLOPs(through: tap, width: size, height: size) else {
                    throw ValidationError("\(architecture.rawValue) has no layer \(tap)")
                }
                var gradient: Tensor?
                var forwardSeconds = 0.0, backwardSeconds = 0.0
                func evaluate() throws {
                    let start = Clock.now()
                    let taps = try network.forward(image, taps: [tap])
                    let middle = Clock.now()
                    if gradient == nil {
                        gradient = Tensor(taps[tap]!.shape)
                        gradient!.fill(1e-3)
                    }
                    _ = network.backward([tap: gradient!])
                    forwardSeconds += middle - start
                    backwardSeconds += Clock.now() - middle
                }
                try evaluate()
                forwardSeconds = 0
                backwardSeconds = 0
                let start = Clock.now(), cpuStart = processCPUSeconds()
                for _ in 0..<iterations { try evaluate() }
                let seconds = (Clock.now() - start) / Double(iterations)
                let cpu = (processCPUSeconds() - cpuStart) / Double(iterations)
                let (forward, backward) = (forwardSeconds / Double(iterations), backwardSeconds / Double(iterations))
                let gflops = (flops.forward + flops.backward) / seconds / 1e9, perCore = gflops / Double(workers)
                let share = gflops / sgemmPeak
                let peak = peakMemoryMB()  // before the Grams' maps are made
                let gram = gramSeconds(architecture.defaultStyleLayers, architecture: architecture, size: size)
                if json {
                    print(String(
                        format: "{\"model\": \"%@\", \"layer\": \"%@\", \"algorithm\": \"%@\", \"isa\": \"%@\", \"width\": %d, \"height\": %d, \"seconds_per_eval\": %.4f, \"forward_seconds\": %.4f, \"backward_seconds\": %.4f, \"gram_seconds\": %.4f, \"gflops\": %.1f, \"gflops_per_core\": %.1f, \"sgemm_peak_gflops\": %.1f, \"share_of_sgemm_peak\": %.3f, \"peak_rss_mb\": %.0f, \"cpu_seconds_per_eval\": %.4f}",
                        architecture.rawValue, tap, path, isa.description, size, size, seconds, forward, backward, gram, gflops, perCore, sgemmPeak, share, peak, cpu))
                } else {
                    print(String(
                        format: "%@ to %@ %d×%d (%@, %@): %.3f s/eval (forward %.3f, backward %.3f; the style layers' Grams take %.3f more), %.1f GFLOP/s direct-convolution equivalent, %.1f per core, %.0f%% of sgemm peak (%.1f GFLOP per eval), peak RSS %.0f MB, CPU %.3f s/eval",
                        architecture.rawValue, tap, size, size, path, isa.description, seconds, forward, backward, gram, gflops, perCore, share * 100,
                        (flops.forward + flops.backward) / 1e9, peak, cpu))
                }
            }
        }
    }

    /// Seconds for the Gram matrices of `layers` and their gradients (forward SYRK, backward GEMM) on maps of
    /// those layers' shapes at `size`², best of three.
    private func gramSeconds(_ layers: [String], architecture: Architecture, size: Int) -> Double {
        guard let shapes = architecture.tapShapes(Set(layers), image: Shape(channels: 3, height: size, width: size)) else { return .nan }
        let maps = shapes.values.map { shape -> (Tensor, Tensor, [Float]) in
            (Self.pattern(shape), Tensor(shape), [Float](repeating: 1e-3, count: shape.channels * shape.channels))
        }
        var best = Double.infinity
        for _ in 0..<3 {
            let start = Clock.now()
            for (features, gradient, dG) in maps {
                let c = features.shape.channels, m = features.shape.planeSize
                withUnsafeTemporaryAllocation(of: Float.self, capacity: c * c) { gram in
                    Gram.forward(features, scale: 1 / Float(m), into: gram.baseAddress!)
                }
                Gram.backward(dG, features: features.data, channels: c, positions: m, featureStride: m, scale: 1 / Float(m), alpha: 1,
                              accumulateInto: gradient.data, gradientStride: m)
            }
            best = min(best, Clock.now() - start)
        }
        return best
    }

    /// A tensor of `shape` filled with a fixed pattern in [0, 1) (speed does not depend on values).
    private static func pattern(_ shape: Shape) -> Tensor {
        let t = Tensor(shape)
        for i in 0..<t.count { t.data[i] = Float((i * 7919) % 1000) / 1000 }
        return t
    }

    /// User + system CPU seconds of this process: with other work on the machine, CPU time per evaluation
    /// divided by the cores used is the wall time the pass would take alone.
    private func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
    }

    /// VmHWM of this process in MB.
    private func peakMemoryMB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return .nan }
        return kb / 1024
    }

    /// Resets VmHWM to the current RSS (Linux ≥ 4.0) so each case reports its own peak.
    private func resetPeakMemory() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }
}
