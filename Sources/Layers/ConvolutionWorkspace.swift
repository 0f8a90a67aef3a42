import TensorCore

/// The `Workspace` floats a convolution needs at `input`, from its geometry alone, as `Models.makeConvolution` builds
/// it with the default algorithm (3×3/1/1: `Conv3x3`, Winograd when both channel counts are multiples of 8; else
/// `Conv2d`). It sizes a network's memory before any weights are read, so it mirrors `Conv3x3.workspaceSize`;
/// NetworkMemoryTests compares the estimate with what a built network holds.
public func convolutionWorkspaceSize(inChannels: Int, outChannels: Int, kernel: Int, stride: Int, padding: Int, input: Shape) -> Int {
    if kernel == 3 && stride == 1 && padding == 1 && inChannels % 8 == 0 && outChannels % 8 == 0 {
        let channels = max(inChannels, outChannels)
        return Winograd.workspaceSize(k: channels, n: channels, height: input.height, width: input.width)
    }
    return Conv2d.workspaceSize(inChannels: inChannels, kernel: kernel, stride: stride, padding: padding, input: input)
}
