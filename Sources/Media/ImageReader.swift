import CFFmpeg
import Foundation

/// Reads a picture file (JPEG, PNG, WebP, BMP, TIFF, GIF and whatever else FFmpeg decodes) as RGB in [0, 1],
/// upright: a photo's EXIF orientation (a phone held in portrait) is applied.
/// Grey, palette, 16-bit and CMYK sources are converted by swscale; alpha is composited on white.
public enum ImageReader {
    /// The most pixels a picture or clip frame may have unless a caller allows more (`--max-megapixels`): 100 MP
    /// is a 12 000 × 8 000 scan; its 16-bit planes stay near a gigabyte and a half.
    public static let defaultPixelLimit = 100_000_000

    /// Pictures of more than `pixelLimit` pixels are refused: PNG and JPEG from their header, before decoding;
    /// other formats from the size FFmpeg finds, FFmpeg stopping any at twice the limit. With `shortSide`, a picture
    /// whose short side is longer is scaled down to it in the same swscale step that converts it to 16-bit RGB,
    /// so no full-size float planes of a large picture are ever made.
    public static func read(_ path: String, pixelLimit: Int = defaultPixelLimit, shortSide: Int? = nil) throws -> RGBImage {
        // A header's sides are up to 32 bits each, so their product is taken in floating point.
        if let size = PictureHeader.size(of: path), Double(size.width) * Double(size.height) > Double(pixelLimit) {
            throw MediaError.tooManyPixels(path: path, width: size.width, height: size.height, limit: pixelLimit)
        }
        let decoder = try MediaDecoder(path: path, pixelLimit: pixelLimit) { MediaError.notAnImage(path: path, reason: $0) }
        let frame: UnsafeMutablePointer<AVFrame>?
        do { frame = try decoder.next() } catch let error as MediaError {
            throw MediaError.notAnImage(path: path, reason: "\(error)")
        }
        guard let frame, frame.pointee.width > 0, frame.pointee.height > 0 else {
            throw MediaError.notAnImage(path: path, reason: "no picture could be decoded")
        }
        let width = Int(frame.pointee.width), height = Int(frame.pointee.height)
        if width * height > pixelLimit {
            throw MediaError.tooManyPixels(path: path, width: width, height: height, limit: pixelLimit)
        }
        let scale = shortSide.map { min(1, Double(max($0, 1)) / Double(min(width, height))) } ?? 1
        let size = (width: max(1, Int((Double(width) * scale).rounded())), height: max(1, Int((Double(height) * scale).rounded())))
        let image = try PixelConverter().image(from: frame, size: scale < 1 ? size : nil, path: path)
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
