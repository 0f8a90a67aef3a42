import TensorCore

// 3×3 convolution, padding 1, stride 1 — the bulk of VGG.
//   forward:  x Cin×H×W, weight Cout×Cin×3×3 (OIHW), bias Cout → y Cout×H×W
//   backward: dy Cout×H×W → dx Cin×H×W = conv(dy, weight flipped 180° with in/out swapped)
// Two algorithms: fused Winograd F(4×4,3×3) (Winograd.swift) and im2col + GEMM (faster for a 3-channel image
// input). Winograd kernels are transformed on first use, once per direction, so layers past the deepest tap never
// spend the memory.
public final class Conv3x3: Convolution {
    public enum Algorithm: String, Sendable { case winograd, gemm }

    public let inChannels: Int
    public let outChannels: Int
    /// The instruction set the Winograd kernels run with.
    public let isa: WinogradISA
    private let gemm: Conv2d?
    private var weight: [Float]  // kept only until both kernel transforms exist
    private let bias: UnsafeMutablePointer<Float>
    private var forwardKernels: UnsafeMutablePointer<Float>?
    private var backwardKernels: UnsafeMutablePointer<Float>?

    /// `algorithm` nil picks Winograd, the image's 3 channels included: GEMM would be a little faster there, but
    /// its rounding depends on where a pixel falls in the matrix, and the Winograd kernel's does not, so a tile of
    /// a picture gets the very values the whole picture does (exact tiling, `Objective`); `isa` nil runs
    /// `WinogradISA.active`.
    public init(weight: [Float], bias: [Float], inChannels: Int, outChannels: Int, algorithm: Algorithm? = nil, isa: WinogradISA? = nil) {
        precondition(weight.count == outChannels * inChannels * 9 && bias.count == outChannels)
        let chosen = algorithm ?? .winograd
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.isa = isa ?? .active
        precondition(self.isa.isSupported, "Conv3x3: this CPU cannot run \(self.isa)")
        self.weight = chosen == .winograd ? weight : []
        self.bias = .allocate(capacity: outChannels)
        self.bias.initialize(from: bias, count: outChannels)
        gemm = chosen == .gemm
            ? Conv2d(weight: weight, bias: bias, inChannels: inChannels, outChannels: outChannels, kernel: 3, stride: 1, padding: 1)
            : nil
    }

    deinit {
        bias.deallocate()
        forwardKernels?.deallocate()
        backwardKernels?.deallocate()
    }

    public func outputShape(_ input: Shape) -> Shape { Shape(channels: outChannels, height: input.height, width: input.width) }

    public func workspaceSize(_ input: Shape) -> Int {
        if let gemm { return gemm.workspaceSize(input) }
        return max(
            Winograd.workspaceSize(k: inChannels, n: outChannels, height: input.height, width: input.width, isa: isa),
            Winograd.workspaceSize(k: outChannels, n: inChannels, height: input.height, width: input.width, isa: isa))
    }

    public func forward(_ x: UnsafePointer<Float>, _ input: Shape, into y: UnsafeMutablePointer<Float>, workspace: Workspace) {
        precondition(input.channels == inChannels, "Conv3x3: \(input) input for \(inChannels) channels")
        if let gemm { return gemm.forward(x, input, into: y, workspace: workspace) }
        let u = kernels(flipped: false)
        Winograd.convolve(x, k: inChannels, height: input.height, width: input.width, kernels: u, n: outChannels, bias: bias, into: y, workspace: workspace, isa: isa)
    }

    public func backward(_ dy: UnsafePointer<Float>, _ input: Shape, into dx: UnsafeMutablePointer<Float>, workspace: Workspace) {
        precondition(input.channels == inChannels, "Conv3x3: \(input) input for \(inChannels) channels")
        if let gemm { return gemm.backward(dy, input, into: dx, workspace: workspace) }
        let u = kernels(flipped: true)
        Winograd.convolve(dy, k: outChannels, height: input.height, width: input.width, kernels: u, n: inChannels, bias: nil, into: dx, workspace: workspace, isa: isa)
    }

    private func kernels(flipped: Bool) -> UnsafeMutablePointer<Float> {
        if let k = flipped ? backwardKernels : forwardKernels { return k }
        let k = weight.withUnsafeBufferPointer {
            Winograd.transformKernels($0.baseAddress!, outChannels: outChannels, inChannels: inChannels, flipped: flipped)
        }
        if flipped { backwardKernels = k } else { forwardKernels = k }
        if forwardKernels != nil && backwardKernels != nil { weight = [] }
        return k
    }
}
