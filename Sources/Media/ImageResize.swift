import CFFmpeg

/// Resizes images with libswscale's Lanczos filter on 16-bit planes (far below the 8-bit step), clipped to [0, 1]:
/// for finished pictures on their way to an encoder (video and GIF frames, side-by-side panels). The engine's
/// tensors are resized by TensorCore's `TensorResize` instead (Float, any channel count, no clipping, no FFmpeg).
public enum ImageResize {
    public static func resize(_ image: RGBImage, width: Int, height: Int) throws -> RGBImage {
        guard width > 0, height > 0 else { throw MediaError.invalidSize(path: "resize", width: width, height: height) }
        if width == image.width && height == image.height { return image }
        // Each channel is scaled as its own grey plane: swscale scales planar RGB through an internal YUV
        // form, which leaks a little of one channel into the others (measured ~4e-4 on flat colours).
        let samples = image.samples16
        // Channels are scaled in order, so only the last one's overrun needs a margin past the image.
        var out = [UInt16](repeating: 0, count: 3 * width * height + PixelConverter.overrun)
        let converter = PixelConverter(flags: SWS_LANCZOS | SWS_ACCURATE_RND)
        try samples.withUnsafeBufferPointer { src in
            try out.withUnsafeMutableBufferPointer { dst in
                for c in 0 ..< 3 {
                    let from = UnsafeRawPointer(src.baseAddress! + c * image.width * image.height).assumingMemoryBound(to: UInt8.self)
                    let to = UnsafeMutableRawPointer(dst.baseAddress! + c * width * height).assumingMemoryBound(to: UInt8.self)
                    try converter.scale(from: AV_PIX_FMT_GRAY16LE, width: image.width, height: image.height,
                                        src: [from, nil, nil, nil], srcLines: [Int32(image.width * 2), 0, 0, 0],
                                        to: AV_PIX_FMT_GRAY16LE, width: width, height: height,
                                        dst: [to, nil, nil, nil], dstLines: [Int32(width * 2), 0, 0, 0], path: "resize")
                }
            }
        }
        out.removeLast(PixelConverter.overrun)
        // Lanczos ringing past the range at sharp edges is clipped by the integer format.
        return RGBImage(width: width, height: height, samples16: out)
    }

    /// The size with the same aspect ratio whose longer side is `maxSide` (never enlarging).
    public static func fitting(width: Int, height: Int, maxSide: Int) -> (width: Int, height: Int) {
        guard max(width, height) > maxSide else { return (width, height) }
        let s = Double(maxSide) / Double(max(width, height))
        return (max(1, Int((Double(width) * s).rounded())), max(1, Int((Double(height) * s).rounded())))
    }
}
