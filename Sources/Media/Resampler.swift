import CFFmpeg

/// Resizes images with libswscale's Lanczos filter on 16-bit planes (far below the 8-bit step).
public enum Resampler {
    public static func resize(_ image: RGBImage, width: Int, height: Int) throws -> RGBImage {
        guard width > 0, height > 0 else { throw MediaError.invalidSize(path: "resize", width: width, height: height) }
        if width == image.width && height == image.height { return image }
        var out = [UInt16](repeating: 0, count: 3 * width * height)
        let converter = PixelConverter(flags: SWS_LANCZOS | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP)
        try image.withSwscalePlanes { src, srcLines in
            try out.withUnsafeMutableBufferPointer { buf in
                let base = UnsafeMutableRawPointer(buf.baseAddress!).assumingMemoryBound(to: UInt8.self)
                let n = width * height * 2
                let lines = [Int32](repeating: Int32(width * 2), count: 4)
                try converter.scale(from: AV_PIX_FMT_GBRP16LE, width: image.width, height: image.height,
                                    src: src, srcLines: srcLines, to: AV_PIX_FMT_GBRP16LE, width: width, height: height,
                                    dst: [base + n, base + 2 * n, base, nil], dstLines: lines, path: "resize")
            }
        }
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
