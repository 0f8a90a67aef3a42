import CFFmpeg

/// Reads a picture file (JPEG, PNG, WebP, BMP, TIFF, GIF and whatever else FFmpeg decodes) as RGB in [0, 1].
/// Grey, palette, 16-bit and CMYK sources are converted by swscale; alpha is composited on white.
public enum ImageReader {
    public static func read(_ path: String) throws -> RGBImage {
        let decoder = try MediaDecoder(path: path) { MediaError.notAnImage(path: path, reason: $0) }
        let frame: UnsafeMutablePointer<AVFrame>?
        do { frame = try decoder.next() } catch let error as MediaError {
            throw MediaError.notAnImage(path: path, reason: "\(error)")
        }
        guard let frame, frame.pointee.width > 0, frame.pointee.height > 0 else {
            throw MediaError.notAnImage(path: path, reason: "no picture could be decoded")
        }
        return try PixelConverter().image(from: frame, path: path)
    }
}
