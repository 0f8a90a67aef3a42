import AtomicFiles
import CCairo
import Foundation

/// A white RGB surface and its Cairo context: the one place Plots speaks to Cairo. Text is DejaVu Sans through
/// Cairo's toy font API (fontconfig finds the font; `fonts-dejavu-core` installs it).
final class Canvas {
    struct Color {
        var r, g, b: Double
        static let black = Color(r: 0, g: 0, b: 0)
        static let white = Color(r: 1, g: 1, b: 1)
        static func gray(_ v: Double) -> Color { Color(r: v, g: v, b: v) }
    }

    let width, height: Int
    private let surface: OpaquePointer
    private let context: OpaquePointer

    init(width: Int, height: Int) throws {
        guard (1...32767).contains(width), (1...32767).contains(height) else {
            throw PlotError.tooLarge(width: width, height: height)
        }
        self.width = width
        self.height = height
        surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(width), Int32(height))
        context = cairo_create(surface)
        let status = cairo_status(context)
        guard status == CAIRO_STATUS_SUCCESS else {
            cairo_destroy(context)
            cairo_surface_destroy(surface)
            throw PlotError.cairo(what: "make a \(width)×\(height) surface", reason: String(cString: cairo_status_to_string(status)))
        }
        fill(x: 0, y: 0, width: Double(width), height: Double(height), color: .white)
    }

    /// A canvas for measuring text only.
    static func measuring() throws -> Canvas { try Canvas(width: 1, height: 1) }

    deinit {
        cairo_destroy(context)
        cairo_surface_destroy(surface)
    }

    // MARK: Shapes

    func fill(x: Double, y: Double, width: Double, height: Double, color: Color) {
        set(color)
        cairo_rectangle(context, x, y, width, height)
        cairo_fill(context)
    }

    func strokeRectangle(x: Double, y: Double, width: Double, height: Double, color: Color, lineWidth: Double = 1) {
        set(color)
        cairo_set_line_width(context, lineWidth)
        cairo_rectangle(context, x, y, width, height)
        cairo_stroke(context)
    }

    /// A polyline through `points`; `dash` draws it dashed with that on/off length.
    func line(_ points: [(Double, Double)], color: Color, width: Double = 1, dash: Double? = nil) {
        guard let first = points.first else { return }
        set(color)
        cairo_set_line_width(context, width)
        cairo_set_line_join(context, CAIRO_LINE_JOIN_ROUND)
        if let dash { [dash, dash].withUnsafeBufferPointer { cairo_set_dash(context, $0.baseAddress, 2, 0) } }
        cairo_move_to(context, first.0, first.1)
        for p in points.dropFirst() { cairo_line_to(context, p.0, p.1) }
        cairo_stroke(context)
        cairo_set_dash(context, nil, 0, 0)
    }

    /// Keeps drawing inside the rectangle until `body` returns.
    func clipped(x: Double, y: Double, width: Double, height: Double, _ body: () -> Void) {
        cairo_save(context)
        cairo_rectangle(context, x, y, width, height)
        cairo_clip(context)
        body()
        cairo_restore(context)
    }

    /// Copies `picture` with its top-left corner at (x, y).
    func draw(_ picture: Picture, x: Int, y: Int) throws {
        let stride = Int(cairo_format_stride_for_width(CAIRO_FORMAT_RGB24, Int32(picture.width)))
        var pixels = [UInt32](repeating: 0, count: stride / 4 * picture.height)
        for row in 0..<picture.height {
            for column in 0..<picture.width {
                let s = 3 * (row * picture.width + column)
                pixels[row * stride / 4 + column] =
                    UInt32(picture.rgb[s]) << 16 | UInt32(picture.rgb[s + 1]) << 8 | UInt32(picture.rgb[s + 2])
            }
        }
        try pixels.withUnsafeMutableBytes { bytes in
            let source = cairo_image_surface_create_for_data(
                bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), CAIRO_FORMAT_RGB24,
                Int32(picture.width), Int32(picture.height), Int32(stride))
            defer { cairo_surface_destroy(source) }
            let status = cairo_surface_status(source)
            guard status == CAIRO_STATUS_SUCCESS else {
                throw PlotError.cairo(what: "take a \(picture.width)×\(picture.height) picture", reason: String(cString: cairo_status_to_string(status)))
            }
            cairo_set_source_surface(context, source, Double(x), Double(y))
            cairo_rectangle(context, Double(x), Double(y), Double(picture.width), Double(picture.height))
            cairo_fill(context)
            cairo_set_source_rgb(context, 0, 0, 0)  // let go of the borrowed pixels before they are freed
        }
    }

    // MARK: Text

    func font(size: Double, bold: Bool = false) {
        cairo_select_font_face(context, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(context, size)
    }

    /// The current font's advance width of `text`.
    func textWidth(_ text: String) -> Double {
        var extents = cairo_text_extents_t()
        cairo_text_extents(context, text, &extents)
        return extents.x_advance
    }

    /// The current font's line height (ascent + descent).
    var lineHeight: Double {
        var extents = cairo_font_extents_t()
        cairo_font_extents(context, &extents)
        return extents.ascent + extents.descent
    }

    /// Draws `text` with the point (x, y) at its `horizontal` fraction (0 left, 0.5 centre, 1 right) and vertically
    /// centred on its line; `rotated` turns it a quarter counter-clockwise about that point (a y-axis label).
    func text(_ text: String, x: Double, y: Double, horizontal: Double = 0, rotated: Bool = false, color: Color = .black) {
        var extents = cairo_font_extents_t()
        cairo_font_extents(context, &extents)
        set(color)
        cairo_save(context)
        cairo_translate(context, x, y)
        if rotated { cairo_rotate(context, -Double.pi / 2) }
        cairo_move_to(context, -horizontal * textWidth(text), (extents.ascent - extents.descent) / 2)
        cairo_show_text(context, text)
        cairo_restore(context)
    }

    // MARK: Output

    /// The canvas's pixels as an 8-bit RGB picture (a frame of a video of sheets).
    func picture() throws -> Picture {
        cairo_surface_flush(surface)
        let stride = Int(cairo_image_surface_get_stride(surface))
        guard let data = cairo_image_surface_get_data(surface) else {
            throw PlotError.cairo(what: "read a \(width)×\(height) surface", reason: "it has no pixels")
        }
        var rgb = [UInt8](repeating: 0, count: 3 * width * height)
        // RGB24 keeps each pixel as a native-endian 32-bit word 0x00RRGGBB.
        data.withMemoryRebound(to: UInt32.self, capacity: stride / 4 * height) { words in
            for row in 0..<height {
                for column in 0..<width {
                    let word = words[row * stride / 4 + column], d = 3 * (row * width + column)
                    (rgb[d], rgb[d + 1], rgb[d + 2]) = (UInt8(word >> 16 & 0xff), UInt8(word >> 8 & 0xff), UInt8(word & 0xff))
                }
            }
        }
        return try Picture(width: width, height: height, rgb: rgb)
    }

    /// Writes the canvas as a PNG under a temporary name, renamed to `path` when complete. (`path` was checked by
    /// the caller, `LossPlot` or `ContactSheet`, before it drew.)
    func writePNG(to path: String) throws {
        cairo_surface_flush(surface)
        let file = AtomicFile(target: path)
        let status = cairo_surface_write_to_png(surface, file.temporary)
        guard status == CAIRO_STATUS_SUCCESS else {
            file.discard()
            throw PlotError.writeFailed(path: path, reason: String(cString: cairo_status_to_string(status)))
        }
        do { try file.commit() } catch let failure as AtomicFile.Failure {
            throw PlotError.writeFailed(path: path, reason: failure.reason)
        }
    }

    private func set(_ color: Color) { cairo_set_source_rgb(context, color.r, color.g, color.b) }
}
