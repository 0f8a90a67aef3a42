import CWinograd

// Winograd F(4×4, 3×3) for a 3×3 kernel, padding 1, stride 1 (Lavin & Gray 2016), fused in C (Sources/CWinograd):
// per block of tiles that fits a core's L2, input transform → 36 element-wise products → output transform, so
// nothing but the input, the output and the packed kernels goes through memory. The backward pass is the same
// convolution with kernels rotated 180° and transposed. Each worker runs the kernel on its own share.
enum Winograd {
    /// Packed transformed kernels (owned by the caller). Forward: k = input channels, n = output channels;
    /// `flipped`: the backward kernels, k = output channels, n = input channels.
    static func transformKernels(_ weight: UnsafePointer<Float>, outChannels: Int, inChannels: Int, flipped: Bool) -> UnsafeMutablePointer<Float> {
        let count = cwino_kernel_floats(Int32(flipped ? outChannels : inChannels), Int32(flipped ? inChannels : outChannels))
        let u = UnsafeMutablePointer<Float>.allocate(capacity: count)
        u.initialize(repeating: 0, count: count)
        Parallel.ranges(outChannels) { range in
            cwino_pack_kernels(weight, Int32(outChannels), Int32(inChannels), flipped ? 1 : 0, u, Int32(range.lowerBound), Int32(range.upperBound))
        }
        return u
    }

    static func workspaceSize(k: Int, n: Int, height: Int, width: Int, isa: WinogradISA) -> Int {
        guard height > 0 && width > 0 else { return 0 }  // a map the picture is too small for: no tiles to plan
        return cwino_workspace_floats(isa.rawValue, Int32(k), Int32(n), Int32(height), Int32(width), Int32(Parallel.workers))
    }

    /// y (n×H×W) = 3×3 convolution of x (k×H×W) with packed kernels `u`, plus `bias` if given.
    static func convolve(
        _ x: UnsafePointer<Float>, k: Int, height: Int, width: Int, kernels u: UnsafePointer<Float>, n: Int,
        bias: UnsafePointer<Float>?, into y: UnsafeMutablePointer<Float>, workspace: Workspace, isa: WinogradISA
    ) {
        precondition(workspace.capacity >= workspaceSize(k: k, n: n, height: height, width: width, isa: isa), "Winograd: workspace too small")
        let workers = Int32(Parallel.workers), base = workspace.base
        Parallel.run(Parallel.workers) { w in
            cwino_convolve(isa.rawValue, x, Int32(k), Int32(height), Int32(width), u, Int32(n), bias, y, base, Int32(w), workers)
        }
    }
}
