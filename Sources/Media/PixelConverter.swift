import CFFmpeg

/// Moves pixels between FFmpeg frames and `RGBImage` through libswscale. The RGB side is planar 16-bit
/// (GBRP16, swscale's plane order G, B, R): swscale 6's float formats are not usable (grey → GBRPF32 comes out
/// garbled), and 16 bits keep conversions far below the 8-bit step.
final class PixelConverter {
    private var context: OpaquePointer?
    private let flags: Int32

    init(flags: Int32 = SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP) {
        _ = FFmpeg.quiet
        self.flags = flags
    }
    deinit { sws_freeContext(context) }

    /// Samples swscale may write past the end of a 16-bit plane whose rows are exactly its width: up to 10 bytes
    /// for pictures 1 or 2 pixels wide (measured on FFmpeg 5.1 for every input format); without a margin this
    /// corrupted the next plane or the heap, found by the image fuzzer. 64 bytes.
    static let overrun = 32

    /// A decoded frame of any pixel format as RGB; transparent pixels are composited on white. With a `size`
    /// the frame is scaled in the same swscale step, so no full-size copy is made when a smaller one is wanted.
    func image(from frame: UnsafeMutablePointer<AVFrame>, size: (width: Int, height: Int)? = nil, path: String) throws -> RGBImage {
        let sourceWidth = Int(frame.pointee.width), sourceHeight = Int(frame.pointee.height)
        let (width, height) = size ?? (sourceWidth, sourceHeight)
        let source = AVPixelFormat(rawValue: frame.pointee.format)
        let hasAlpha = (av_pix_fmt_desc_get(source)?.pointee.flags ?? 0) & UInt64(AV_PIX_FMT_FLAG_ALPHA) != 0
        let n = width * height
        if width == sourceWidth, height == sourceHeight, let exact = Self.unpackExactly(frame) { return exact }
        // Planes R, G, B(, A), each followed by swscale's overrun margin.
        let stride = n + Self.overrun
        var samples = [UInt16](repeating: 0, count: (hasAlpha ? 4 : 3) * stride)
        try samples.withUnsafeMutableBufferPointer { buf in
            let base = UnsafeMutableRawPointer(buf.baseAddress!).assumingMemoryBound(to: UInt8.self)
            let plane = { (i: Int) in base + i * stride * 2 }
            let dst: [UnsafeMutablePointer<UInt8>?] = [plane(1), plane(2), plane(0), hasAlpha ? plane(3) : nil]
            let lines = [Int32](repeating: Int32(width * 2), count: 4)
            let (srcData, srcLines) = FFmpeg.planes(frame)
            try scale(from: source, width: sourceWidth, height: sourceHeight,
                      src: srcData.map { UnsafePointer($0) }, srcLines: srcLines,
                      to: hasAlpha ? AV_PIX_FMT_GBRAP16LE : AV_PIX_FMT_GBRP16LE, width: width, height: height,
                      dst: dst, dstLines: lines, colorspace: frame.pointee.colorspace, range: frame.pointee.color_range,
                      path: path)
        }
        var buffer = [Float](repeating: 0, count: 3 * n)
        let unit: Float = 1 / 65535
        if hasAlpha {
            for i in 0 ..< n {
                let a = Float(samples[3 * stride + i]) * unit
                for c in 0 ..< 3 { buffer[c * n + i] = Float(samples[c * stride + i]) * unit * a + (1 - a) }
            }
        } else {
            for c in 0 ..< 3 { for i in 0 ..< n { buffer[c * n + i] = Float(samples[c * stride + i]) * unit } }
        }
        return RGBImage(width: width, height: height, planes: buffer)
    }

    /// Fills an allocated frame (its format and size) from an image of the same size. YUV targets get the
    /// `colorspace` coefficients (BT.709 as the video writers tag their streams; JPEG/JFIF is BT.601), limited
    /// range except for the full-range `yuvj` formats.
    func fill(_ frame: UnsafeMutablePointer<AVFrame>, from image: RGBImage, colorspace: AVColorSpace = AVCOL_SPC_BT709,
              path: String) throws {
        try FFmpeg.check(av_frame_make_writable(frame), "av_frame_make_writable", path)
        let (dstData, dstLines) = FFmpeg.planes(frame)
        try image.withSwscalePlanes { src, lines in
            try scale(from: AV_PIX_FMT_GBRP16LE, width: image.width, height: image.height, src: src, srcLines: lines,
                      to: AVPixelFormat(rawValue: frame.pointee.format),
                      width: Int(frame.pointee.width), height: Int(frame.pointee.height),
                      dst: dstData, dstLines: dstLines, colorspace: colorspace, range: AVCOL_RANGE_MPEG, path: path)
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

    /// Palette and plain RGB/grey formats of 8 or 16 bits are unpacked here: swscale routes some of them
    /// through lossy internal paths (palette entries come out a step off), and these are the lossless
    /// inputs (PNG, BMP, TIFF) whose values should arrive exactly. nil for every other format.
    static func unpackExactly(_ frame: UnsafeMutablePointer<AVFrame>) -> RGBImage? {
        let format = AVPixelFormat(rawValue: frame.pointee.format)
        guard let d = av_pix_fmt_desc_get(format)?.pointee else { return nil }
        let width = Int(frame.pointee.width), height = Int(frame.pointee.height), n = width * height
        let (data, lines) = FFmpeg.planes(frame)
        var out = [Float](repeating: 0, count: 3 * n)
        if format == AV_PIX_FMT_PAL8 {
            let palette = UnsafeRawPointer(data[1]!).assumingMemoryBound(to: UInt32.self)
            for y in 0 ..< height {
                for x in 0 ..< width {
                    let argb = palette[Int(data[0]![y * Int(lines[0]) + x])]
                    let a = Float(argb >> 24) / 255
                    for c in 0 ..< 3 {
                        let v = Float((argb >> UInt32(16 - 8 * c)) & 0xff) / 255
                        out[c * n + y * width + x] = v * a + 1 - a
                    }
                }
            }
            return RGBImage(width: width, height: height, planes: out)
        }
        let unsupportedFlags = UInt64(AV_PIX_FMT_FLAG_PAL | AV_PIX_FMT_FLAG_BITSTREAM | AV_PIX_FMT_FLAG_HWACCEL | AV_PIX_FMT_FLAG_FLOAT)
        let isRGB = d.flags & UInt64(AV_PIX_FMT_FLAG_RGB) != 0
        let components = Int(d.nb_components)
        guard d.flags & unsupportedFlags == 0, d.log2_chroma_w == 0, d.log2_chroma_h == 0,
              isRGB ? (3 ... 4).contains(components) : (1 ... 2).contains(components) else { return nil }
        let comps = withUnsafeBytes(of: d.comp) { Array($0.bindMemory(to: AVComponentDescriptor.self).prefix(components)) }
        guard comps.allSatisfy({ ($0.depth == 8 || $0.depth == 16) && $0.shift == 0 }) else { return nil }
        let bigEndian = d.flags & UInt64(AV_PIX_FMT_FLAG_BE) != 0
        func sample(_ comp: AVComponentDescriptor, _ x: Int, _ y: Int) -> Float {
            let p = data[Int(comp.plane)]! + y * Int(lines[Int(comp.plane)]) + x * Int(comp.step) + Int(comp.offset)
            if comp.depth == 8 { return Float(p[0]) / 255 }
            let v = bigEndian ? UInt16(p[0]) << 8 | UInt16(p[1]) : UInt16(p[1]) << 8 | UInt16(p[0])
            return Float(v) / 65535
        }
        let colour = isRGB ? [comps[0], comps[1], comps[2]] : [comps[0], comps[0], comps[0]]
        let alpha = components == (isRGB ? 4 : 2) ? comps[components - 1] : nil
        for y in 0 ..< height {
            for x in 0 ..< width {
                let a = alpha.map { sample($0, x, y) } ?? 1
                for c in 0 ..< 3 { out[c * n + y * width + x] = sample(colour[c], x, y) * a + 1 - a }
            }
        }
        return RGBImage(width: width, height: height, planes: out)
    }

    private static func isYUV(_ format: AVPixelFormat) -> Bool {
        guard let d = av_pix_fmt_desc_get(format)?.pointee else { return false }
        return d.nb_components >= 3 && d.flags & UInt64(AV_PIX_FMT_FLAG_RGB) == 0
    }
}

extension RGBImage {
    /// The image as swscale's GBRP16 source: plane pointers (G, B, R) and line sizes.
    func withSwscalePlanes<R>(_ body: ([UnsafePointer<UInt8>?], [Int32]) throws -> R) rethrows -> R {
        return try samples16.withUnsafeBufferPointer { buf in
            let base = UnsafeRawPointer(buf.baseAddress!).assumingMemoryBound(to: UInt8.self)
            let n = width * height * 2
            let lines = [Int32](repeating: Int32(width * 2), count: 4)
            return try body([base + n, base + 2 * n, base, nil], lines)
        }
    }

    /// An image from GBRP16 samples laid out R, G, B plane after plane.
    init(width: Int, height: Int, samples16: [UInt16]) {
        let scale: Float = 1 / 65535
        self.init(width: width, height: height, planes: samples16.map { Float($0) * scale })
    }
}
