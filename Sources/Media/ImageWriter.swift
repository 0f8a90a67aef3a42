import AtomicFiles
import CFFmpeg
import CPNG
import Foundation

/// Writes an image as PNG (8 or 16 bits per channel) or JPEG, chosen by the extension; the file appears under
/// its name only once complete.
public enum ImageWriter {
    public static let supportedExtensions = ["png", "jpg", "jpeg"]

    /// Whether `path`'s extension (any case) is one `write` supports.
    public static func canWrite(_ path: String) -> Bool { supportedExtensions.contains(path.fileExtension) }

    /// `bitDepth` (8 or 16) applies to PNG; JPEG is always 8-bit. `jpegQuality` is FFmpeg's qscale (2 best … 31).
    public static func write(_ image: RGBImage, to path: String, bitDepth: Int = 8, jpegQuality: Int = 2) throws {
        let ext = path.fileExtension
        guard canWrite(path) else {
            throw MediaError.unsupportedExtension(path: path, supported: supportedExtensions)
        }
        guard bitDepth == 8 || bitDepth == 16 else {
            throw MediaError.writeFailed(path: path, reason: "bit depth \(bitDepth) is not 8 or 16")
        }
        guard image.width > 0, image.height > 0 else {
            throw MediaError.invalidSize(path: path, width: image.width, height: image.height)
        }
        let file = AtomicFile(target: path)
        do {
            if ext == "png" && bitDepth == 8 {
                try writePNG8(image, to: file.temporary, reportingAs: path)
            } else if ext == "png" {
                // libpng's simplified API writes 16-bit only as linear light (gAMA 1.0); FFmpeg's PNG encoder
                // keeps the sRGB encoding the values are in.
                try save(encodeStill(image, encoder: "png", format: AV_PIX_FMT_RGB48BE, path: path), to: file.temporary, path: path)
            } else {
                try save(encodeStill(image, encoder: "mjpeg", format: AV_PIX_FMT_YUVJ444P, path: path) { codec in
                    codec.pointee.flags |= cffmpeg_codec_flag_qscale()
                    codec.pointee.global_quality = Int32(min(max(jpegQuality, 2), 31)) * cffmpeg_qp2lambda()
                }, to: file.temporary, path: path)
            }
            try MediaError.writing { try file.commit() }
        } catch {
            file.discard()
            throw error
        }
    }

    private static func writePNG8(_ image: RGBImage, to temporary: String, reportingAs path: String) throws {
        let n = image.width * image.height
        var bytes = [UInt8](repeating: 0, count: 3 * n)
        image.planes.withUnsafeBufferPointer { p in
            for i in 0 ..< n {
                for c in 0 ..< 3 { bytes[3 * i + c] = Quantize.to8Bit(p[c * n + i]) }
            }
        }
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        png.width = UInt32(image.width)
        png.height = UInt32(image.height)
        png.format = UInt32(PNG_FORMAT_RGB)
        let ok = png_image_write_to_file(&png, temporary, 0, bytes, 0, nil)
        let message = withUnsafeBytes(of: png.message) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        png_image_free(&png)
        if ok == 0 { throw MediaError.writeFailed(path: path, reason: message) }
    }

    private static func save(_ data: Data, to temporary: String, path: String) throws {
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw MediaError.writeFailed(path: path, reason: "cannot create \(temporary)")
        }
    }

    /// One picture through an FFmpeg image encoder; the single packet is the whole file.
    private static func encodeStill(_ image: RGBImage, encoder name: String, format: AVPixelFormat, path: String,
                                    configure: (UnsafeMutablePointer<AVCodecContext>) -> Void = { _ in }) throws -> Data {
        _ = FFmpeg.quiet
        guard let encoder = avcodec_find_encoder_by_name(name) else {
            throw MediaError.encoderUnavailable(path: path, encoder: name)
        }
        var codec = avcodec_alloc_context3(encoder)
        var packet = av_packet_alloc()
        var frame = try FFmpeg.allocFrame(width: image.width, height: image.height, format: format, path: path) as UnsafeMutablePointer<AVFrame>?
        defer { avcodec_free_context(&codec); av_packet_free(&packet); av_frame_free(&frame) }
        guard let codec, let packet, let frame else {
            throw MediaError.ffmpeg(path: path, operation: "allocation", message: "out of memory")
        }
        codec.pointee.width = Int32(image.width)
        codec.pointee.height = Int32(image.height)
        codec.pointee.pix_fmt = format
        codec.pointee.time_base = AVRational(num: 1, den: 25)
        configure(codec)
        try FFmpeg.check(avcodec_open2(codec, encoder, nil), "opening the \(name) encoder", path)
        // JFIF defines BT.601 coefficients; PNG ignores them.
        try PixelConverter().fill(frame, from: image, colorspace: AVCOL_SPC_BT470BG, path: path)
        frame.pointee.pts = 0
        frame.pointee.quality = codec.pointee.global_quality
        try FFmpeg.check(avcodec_send_frame(codec, frame), "encoding", path)
        try FFmpeg.check(avcodec_send_frame(codec, nil), "flushing the encoder", path)
        var data = Data()
        while true {
            let code = avcodec_receive_packet(codec, packet)
            if code == FFmpeg.eof { break }
            try FFmpeg.check(code, "encoding", path)
            data.append(packet.pointee.data, count: Int(packet.pointee.size))
            av_packet_unref(packet)
        }
        return data
    }
}
