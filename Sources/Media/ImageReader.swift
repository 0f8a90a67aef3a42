import CFFmpeg
import Foundation

/// Reads a picture file (JPEG, PNG, WebP, BMP, TIFF, GIF and whatever else FFmpeg decodes) as RGB in [0, 1],
/// upright: a photo's EXIF orientation (a phone held in portrait) is applied.
/// Grey, palette, 16-bit and CMYK sources are converted by swscale; alpha is composited on white.
public enum ImageReader {
    /// The most pixels a picture or video frame may have unless a caller allows more: 50 MP covers 8K video and
    /// most cameras, and its decoded planes stay near a gigabyte.
    public static let defaultMaxPixels = 50_000_000

    public static func read(_ path: String, maxPixels: Int = defaultMaxPixels) throws -> RGBImage {
        let decoder = try MediaDecoder(path: path, maxPixels: maxPixels) { MediaError.notAnImage(path: path, reason: $0) }
        let frame: UnsafeMutablePointer<AVFrame>?
        do { frame = try decoder.next() } catch let error as MediaError {
            throw MediaError.notAnImage(path: path, reason: "\(error)")
        }
        guard let frame, frame.pointee.width > 0, frame.pointee.height > 0 else {
            throw MediaError.notAnImage(path: path, reason: "no picture could be decoded")
        }
        let (width, height) = (Int(frame.pointee.width), Int(frame.pointee.height))
        guard width * height <= maxPixels else {
            throw MediaError.tooManyPixels(path: path, width: width, height: height, limit: maxPixels)
        }
        let image = try PixelConverter().image(from: frame, path: path)
        return orientation(of: frame, decoder: decoder).apply(to: image)
    }

    /// FFmpeg's JPEG decoder turns the EXIF Orientation tag into a display matrix on the frame (and also keeps
    /// the tag in the frame's metadata, where other decoders may put it too); a container can hold one as well.
    private static func orientation(of frame: UnsafeMutablePointer<AVFrame>, decoder: MediaDecoder) -> DisplayOrientation {
        if let side = av_frame_get_side_data(frame, AV_FRAME_DATA_DISPLAYMATRIX), side.pointee.size >= 9 * 4 {
            let matrix = UnsafeRawPointer(side.pointee.data).withMemoryRebound(to: Int32.self, capacity: 9) {
                Array(UnsafeBufferPointer(start: $0, count: 9))
            }
            if let orientation = DisplayOrientation(displayMatrix: matrix) { return orientation }
        }
        if let matrix = decoder.displayMatrix, let orientation = DisplayOrientation(displayMatrix: matrix) { return orientation }
        if let entry = av_dict_get(frame.pointee.metadata, "Orientation", nil, 0), let value = entry.pointee.value,
           let tag = Int(String(cString: value).trimmingCharacters(in: .whitespaces)),
           let orientation = DisplayOrientation(exif: tag) {
            return orientation
        }
        return .upright
    }
}
