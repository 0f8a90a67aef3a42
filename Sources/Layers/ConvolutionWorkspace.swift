import TensorCore

/// The `Workspace` floats a convolution needs at `input`, from its geometry alone, as `Models.makeConvolution` builds
/// it with the default algorithm (3×3/1/1: `Conv3x3`, Winograd; else `Conv2d`). It sizes a network's memory
/// before any weights are read, so it mirrors `Conv3x3.workspaceSize`;
/// NetworkMemoryTests compares the estimate with what a built network holds.
public func convolutionWorkspaceSize(inChannels: Int, outChannels: Int, kernel: Int, stride: Int, padding: Int, input: Shape) -> Int {
    if kernel == 3 && stride == 1 && padding == 1 {
        let (h, w, isa) = (input.height, input.width, WinogradISA.active)
        return max(Winograd.workspaceSize(k: inChannels, n: outChannels, height: h, width: w, isa: isa),
                   Winograd.workspaceSize(k: outChannels, n: inChannels, height: h, width: w, isa: isa))
    }
    return Conv2d.workspaceSize(inChannels: inChannels, kernel: kernel, stride: stride, padding: padding, input: input)
}
