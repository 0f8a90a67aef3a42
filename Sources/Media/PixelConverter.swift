import CFFmpeg

/// Moves pixels between FFmpeg frames and `RGBImage` through libswscale. The RGB side is always planar 32-bit
/// float (GBRPF32, swscale's plane order G, B, R), so no conversion quantises on the way.
final class PixelConverter {
    private var context: OpaquePointer?
    private let flags: Int32

    init(flags: Int32 = SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP) { self.flags = flags }
    deinit { sws_freeContext(context) }

    /// A decoded frame of any pixel format as RGB; transparent pixels are composited on white.
    func image(from frame: UnsafeMutablePointer<AVFrame>, path: String) throws -> RGBImage {
        let width = Int(frame.pointee.width), height = Int(frame.pointee.height)
        let source = AVPixelFormat(rawValue: frame.pointee.format)
        let hasAlpha = (av_pix_fmt_desc_get(source)?.pointee.flags ?? 0) & UInt64(AV_PIX_FMT_FLAG_ALPHA) != 0
        let n = width * height
        // Layout R, G, B(, A) so the first 3·n floats are the image.
        var buffer = [Float](repeating: 1, count: (hasAlpha ? 4 : 3) * n)
        try buffer.withUnsafeMutableBufferPointer { buf in
            let base = UnsafeMutableRawPointer(buf.baseAddress!).assumingMemoryBound(to: UInt8.self)
            let plane = { (i: Int) in base + i * n * MemoryLayout<Float>.size }
            let dst: [UnsafeMutablePointer<UInt8>?] = [plane(1), plane(2), plane(0), hasAlpha ? plane(3) : nil]
            let lines = [Int32](repeating: Int32(width * MemoryLayout<Float>.size), count: 4)
            let (srcData, srcLines) = FFmpeg.planes(frame)
            try scale(from: source, width: width, height: height,
                      src: srcData.map { UnsafePointer($0) }, srcLines: srcLines,
                      to: hasAlpha ? AV_PIX_FMT_GBRAPF32LE : AV_PIX_FMT_GBRPF32LE, width: width, height: height,
                      dst: dst, dstLines: lines, colorspace: frame.pointee.colorspace, range: frame.pointee.color_range,
                      path: path)
        }
        if hasAlpha {
            for i in 0 ..< n {
                let a = min(max(buffer[3 * n + i], 0), 1)
                for c in 0 ..< 3 { buffer[c * n + i] = buffer[c * n + i] * a + (1 - a) }
            }
            buffer.removeLast(n)
        }
        for i in buffer.indices { buffer[i] = min(max(buffer[i], 0), 1) }
        return RGBImage(width: width, height: height, planes: buffer)
    }

    /// Fills an allocated frame (its format and size) from an image of the same size. YUV targets get
    /// BT.709 limited-range coefficients, which is what the writers tag the streams with.
    func fill(_ frame: UnsafeMutablePointer<AVFrame>, from image: RGBImage, path: String) throws {
        try FFmpeg.check(av_frame_make_writable(frame), "av_frame_make_writable", path)
        let (dstData, dstLines) = FFmpeg.planes(frame)
        try image.withSwscalePlanes { src, lines in
            try scale(from: AV_PIX_FMT_GBRPF32LE, width: image.width, height: image.height, src: src, srcLines: lines,
                      to: AVPixelFormat(rawValue: frame.pointee.format),
                      width: Int(frame.pointee.width), height: Int(frame.pointee.height),
                      dst: dstData, dstLines: dstLines, colorspace: AVCOL_SPC_BT709, range: AVCOL_RANGE_MPEG, path: path)
        }
    }

    /// One swscale call; `colorspace`/`range` describe whichever side is YUV.
    func scale(from srcFormat: AVPixelFormat, width sw: Int, height sh: Int,
               src: [UnsafePointer<UInt8>?], srcLines: [Int32],
               to dstFormat: AVPixelFormat, width dw: Int, height dh: Int,
               dst: [UnsafeMutablePointer<UInt8>?], dstLines: [Int32],
               colorspace: AVColorSpace = AVCOL_SPC_UNSPECIFIED, range: AVColorRange = AVCOL_RANGE_UNSPECIFIED,
               path: String) throws {
        context = sws_getCachedContext(context, Int32(sw), Int32(sh), srcFormat, Int32(dw), Int32(dh), dstFormat,
                                       flags, nil, nil, nil)
        guard let context else {
            let name = av_get_pix_fmt_name(srcFormat).map { String(cString: $0) } ?? "\(srcFormat.rawValue)"
            throw MediaError.ffmpeg(path: path, operation: "sws_getContext",
                                    message: "cannot convert pixel format \(name) at \(sw)×\(sh) → \(dw)×\(dh)")
        }
        let srcYUV = Self.isYUV(srcFormat), dstYUV = Self.isYUV(dstFormat)
        if srcYUV || dstYUV {
            let yuv = srcYUV ? srcFormat : dstFormat
            let space: Int32
            switch colorspace {
            case AVCOL_SPC_UNSPECIFIED, AVCOL_SPC_RESERVED: space = (srcYUV ? sh : dh) >= 720 ? SWS_CS_ITU709 : SWS_CS_DEFAULT
            default: space = Int32(min(Int(colorspace.rawValue), 10))
            }
            let name = av_get_pix_fmt_name(yuv).map { String(cString: $0) } ?? ""
            let full: Int32 = (range == AVCOL_RANGE_JPEG || name.hasPrefix("yuvj")) ? 1 : 0
            let table = sws_getCoefficients(space)
            sws_setColorspaceDetails(context, table, srcYUV ? full : 1, table, dstYUV ? full : 1, 0, 1 << 16, 1 << 16)
        }
        let rows = sws_scale(context, src, srcLines, 0, Int32(sh), dst, dstLines)
        if rows <= 0 { throw MediaError.ffmpeg(path: path, operation: "sws_scale", message: FFmpeg.message(rows)) }
    }

    private static func isYUV(_ format: AVPixelFormat) -> Bool {
        guard let d = av_pix_fmt_desc_get(format)?.pointee else { return false }
        return d.nb_components >= 3 && d.flags & UInt64(AV_PIX_FMT_FLAG_RGB) == 0
    }
}

extension RGBImage {
    /// The planes as swscale's GBRPF32 source pointers (G, B, R) and line sizes.
    func withSwscalePlanes<R>(_ body: ([UnsafePointer<UInt8>?], [Int32]) throws -> R) rethrows -> R {
        try planes.withUnsafeBufferPointer { buf in
            let base = UnsafeRawPointer(buf.baseAddress!).assumingMemoryBound(to: UInt8.self)
            let n = width * height * MemoryLayout<Float>.size
            let lines = [Int32](repeating: Int32(width * MemoryLayout<Float>.size), count: 4)
            return try body([base + n, base + 2 * n, base, nil], lines)
        }
    }
}
