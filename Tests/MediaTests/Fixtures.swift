import CFFmpeg
import Foundation
import Media
import XCTest

/// Test pictures and files made with FFmpeg's own encoders, independent of the writers under test.
enum Fixtures {
    /// A fresh empty directory, removed by the caller's `addTeardownBlock`.
    static func directory(_ test: XCTestCase) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stylize-media-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    static func files(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    /// Smooth gradients plus a moving bright square and a dark bar (edges for the codecs), frame `t`. The edges
    /// fall on even pixels so 4:2:0 chroma can hold them: the round trips measure the codecs, not subsampling.
    static func pattern(width: Int, height: Int, frame t: Int = 0) -> RGBImage {
        var image = RGBImage(width: width, height: height)
        let n = width * height
        for y in 0 ..< height {
            for x in 0 ..< width {
                let u = Float(x) / Float(max(width - 1, 1)), v = Float(y) / Float(max(height - 1, 1))
                var r = 0.15 + 0.7 * u, g = 0.2 + 0.6 * v, b = 0.5 + 0.4 * sinf(6.28 * (u + v) + Float(t) * 0.2)
                let sx = (t * 4) % max(width - 8, 1) & ~1, sy = height / 4 & ~1
                if x >= sx && x < sx + 8 && y >= sy && y < sy + 8 { (r, g, b) = (0.95, 0.9, 0.2) }
                if y / 2 == height / 4 { (r, g, b) = (0.05, 0.05, 0.1) }
                let i = y * width + x
                image.planes[i] = r
                image.planes[n + i] = g
                image.planes[2 * n + i] = min(max(b, 0), 1)
            }
        }
        return image
    }

    /// Writes one picture with an FFmpeg image encoder. `fill` sets the RGBA64 source (values 0…65535), which
    /// swscale converts to `format` (grey, palette-free formats, 8/16-bit, with or without alpha).
    static func encode(width: Int, height: Int, encoder name: String, format: AVPixelFormat, to path: String,
                       fill: (_ x: Int, _ y: Int) -> (r: UInt16, g: UInt16, b: UInt16, a: UInt16)) throws {
        guard let encoder = avcodec_find_encoder_by_name(name) else { throw FixtureError("this FFmpeg has no \(name) encoder") }
        var source = av_frame_alloc(), target = av_frame_alloc(), packet = av_packet_alloc()
        var codec = avcodec_alloc_context3(encoder)
        defer { av_frame_free(&source); av_frame_free(&target); av_packet_free(&packet); avcodec_free_context(&codec) }
        source!.pointee.width = Int32(width); source!.pointee.height = Int32(height)
        source!.pointee.format = AV_PIX_FMT_RGBA64LE.rawValue
        target!.pointee.width = Int32(width); target!.pointee.height = Int32(height)
        target!.pointee.format = format.rawValue
        XCTAssertGreaterThanOrEqual(av_frame_get_buffer(source, 0), 0)
        XCTAssertGreaterThanOrEqual(av_frame_get_buffer(target, 0), 0)
        // The conversion and the encoders read the frames' padding beyond odd sizes: left uninitialised, it made
        // the lossy fixtures differ from run to run (22 distinct WebP files in 150 encodes, 26.9–29.4 dB, and a
        // CI run below the test's 25 dB); zeroed, all 150 are the same file.
        for frame in [source!, target!] {
            withUnsafeBytes(of: frame.pointee.buf) { buffers in
                for case let buffer? in buffers.bindMemory(to: UnsafeMutablePointer<AVBufferRef>?.self) {
                    memset(buffer.pointee.data, 0, buffer.pointee.size)
                }
            }
        }
        for y in 0 ..< height {
            let row = UnsafeMutableRawPointer(source!.pointee.data.0! + y * Int(source!.pointee.linesize.0))
                .assumingMemoryBound(to: UInt16.self)
            for x in 0 ..< width {
                let p = fill(x, y)
                row[4 * x] = p.r; row[4 * x + 1] = p.g; row[4 * x + 2] = p.b; row[4 * x + 3] = p.a
            }
        }
        let sws = sws_getContext(Int32(width), Int32(height), AV_PIX_FMT_RGBA64LE, Int32(width), Int32(height), format,
                                 SWS_POINT | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT, nil, nil, nil)
        defer { sws_freeContext(sws) }
        let s = source!.pointee, t = target!.pointee
        let src: [UnsafePointer<UInt8>?] = [UnsafePointer(s.data.0), nil, nil, nil]
        let dst: [UnsafeMutablePointer<UInt8>?] = [t.data.0, t.data.1, t.data.2, t.data.3]
        XCTAssertGreaterThan(sws_scale(sws, src, [s.linesize.0, 0, 0, 0], 0, Int32(height), dst,
                                       [t.linesize.0, t.linesize.1, t.linesize.2, t.linesize.3]), 0)
        try write(target!, codec: codec!, encoder: encoder, to: path)
    }

    /// A palette PNG: `indices` picks entries of `palette` (0xAARRGGBB).
    static func encodePalette(width: Int, height: Int, palette: [UInt32], to path: String, index: (Int, Int) -> UInt8) throws {
        let encoder = avcodec_find_encoder_by_name("png")!
        var frame = av_frame_alloc()
        var codec = avcodec_alloc_context3(encoder)
        defer { av_frame_free(&frame); avcodec_free_context(&codec) }
        frame!.pointee.width = Int32(width); frame!.pointee.height = Int32(height)
        frame!.pointee.format = AV_PIX_FMT_PAL8.rawValue
        XCTAssertGreaterThanOrEqual(av_frame_get_buffer(frame, 0), 0)
        for y in 0 ..< height {
            for x in 0 ..< width { frame!.pointee.data.0![y * Int(frame!.pointee.linesize.0) + x] = index(x, y) }
        }
        let entries = UnsafeMutableRawPointer(frame!.pointee.data.1!).assumingMemoryBound(to: UInt32.self)
        for i in 0 ..< 256 { entries[i] = i < palette.count ? palette[i] : 0xFF00_0000 }
        try write(frame!, codec: codec!, encoder: encoder, to: path)
    }

    private static func write(_ frame: UnsafeMutablePointer<AVFrame>, codec: UnsafeMutablePointer<AVCodecContext>,
                              encoder: UnsafePointer<AVCodec>, to path: String) throws {
        codec.pointee.width = frame.pointee.width
        codec.pointee.height = frame.pointee.height
        codec.pointee.pix_fmt = AVPixelFormat(rawValue: frame.pointee.format)
        codec.pointee.time_base = AVRational(num: 1, den: 25)
        if frame.pointee.format == AV_PIX_FMT_YUVJ420P.rawValue { codec.pointee.color_range = AVCOL_RANGE_JPEG }
        let opened = avcodec_open2(codec, encoder, nil)
        guard opened >= 0 else { throw FixtureError("encoder \(String(cString: encoder.pointee.name)) rejects this format") }
        var packet = av_packet_alloc()
        defer { av_packet_free(&packet) }
        XCTAssertGreaterThanOrEqual(avcodec_send_frame(codec, frame), 0)
        XCTAssertGreaterThanOrEqual(avcodec_send_frame(codec, nil), 0)
        var data = Data()
        while avcodec_receive_packet(codec, packet) >= 0 {
            data.append(packet!.pointee.data, count: Int(packet!.pointee.size))
            av_packet_unref(packet)
        }
        XCTAssertFalse(data.isEmpty)
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// Decodes every frame of a video with the reader under test.
    static func decodeAll(_ path: String) throws -> (reader: VideoReader, frames: [RGBImage]) {
        let reader = try VideoReader(path: path)
        var frames: [RGBImage] = []
        while let frame = try reader.nextFrame() { frames.append(frame.image) }
        return (reader, frames)
    }

    static func size(of path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    /// What `ffmpeg -i in.mp4 out.gif` does: every yuv420p frame converted by swscale (bicubic, its default
    /// dithering) to the fixed 3-3-2 `bgr8` palette, then FFmpeg's GIF encoder and muxer. The RGB frames are
    /// first put back into yuv420p as they were in the MP4.
    static func naiveGIF(_ frames: [RGBImage], fps: Int, to path: String) throws {
        let width = frames[0].width, height = frames[0].height
        var format: UnsafeMutablePointer<AVFormatContext>?
        XCTAssertGreaterThanOrEqual(avformat_alloc_output_context2(&format, nil, "gif", path), 0)
        let encoder = avcodec_find_encoder_by_name("gif")!
        let stream = avformat_new_stream(format, nil)!
        var codec = avcodec_alloc_context3(encoder)
        var frame = av_frame_alloc(), rgb = av_frame_alloc(), yuv = av_frame_alloc(), packet = av_packet_alloc()
        defer {
            avcodec_free_context(&codec); av_frame_free(&frame); av_frame_free(&rgb); av_frame_free(&yuv); av_packet_free(&packet)
            avformat_free_context(format)
        }
        codec!.pointee.width = Int32(width); codec!.pointee.height = Int32(height)
        codec!.pointee.pix_fmt = AV_PIX_FMT_BGR8
        codec!.pointee.time_base = AVRational(num: 1, den: Int32(fps))
        XCTAssertGreaterThanOrEqual(avcodec_open2(codec, encoder, nil), 0)
        XCTAssertGreaterThanOrEqual(avcodec_parameters_from_context(stream.pointee.codecpar, codec), 0)
        stream.pointee.time_base = codec!.pointee.time_base
        XCTAssertGreaterThanOrEqual(avio_open(&format!.pointee.pb, path, AVIO_FLAG_WRITE), 0)
        XCTAssertGreaterThanOrEqual(avformat_write_header(format, nil), 0)
        for (f, p) in [(frame!, AV_PIX_FMT_BGR8), (rgb!, AV_PIX_FMT_RGB24), (yuv!, AV_PIX_FMT_YUV420P)] {
            f.pointee.width = Int32(width); f.pointee.height = Int32(height); f.pointee.format = p.rawValue
            XCTAssertGreaterThanOrEqual(av_frame_get_buffer(f, 0), 0)
        }
        let toYUV = sws_getContext(Int32(width), Int32(height), AV_PIX_FMT_RGB24, Int32(width), Int32(height), AV_PIX_FMT_YUV420P,
                                   SWS_BICUBIC, nil, nil, nil)
        let sws = sws_getContext(Int32(width), Int32(height), AV_PIX_FMT_YUV420P, Int32(width), Int32(height), AV_PIX_FMT_BGR8,
                                 SWS_BICUBIC, nil, nil, nil)
        defer { sws_freeContext(sws); sws_freeContext(toYUV) }
        func drain() {
            while avcodec_receive_packet(codec, packet) >= 0 {
                av_packet_rescale_ts(packet, codec!.pointee.time_base, stream.pointee.time_base)
                XCTAssertGreaterThanOrEqual(av_interleaved_write_frame(format, packet), 0)
            }
        }
        let n = width * height
        for (t, image) in frames.enumerated() {
            XCTAssertGreaterThanOrEqual(av_frame_make_writable(frame), 0)
            let r = rgb!.pointee
            for y in 0 ..< height {
                for x in 0 ..< width {
                    for c in 0 ..< 3 {
                        r.data.0![y * Int(r.linesize.0) + 3 * x + c] = UInt8((image.planes[c * n + y * width + x] * 255).rounded())
                    }
                }
            }
            let f = frame!.pointee, v = yuv!.pointee
            _ = sws_scale(toYUV, [UnsafePointer(r.data.0), nil, nil, nil], [r.linesize.0, 0, 0, 0], 0, Int32(height),
                          [v.data.0, v.data.1, v.data.2, nil], [v.linesize.0, v.linesize.1, v.linesize.2, 0])
            _ = sws_scale(sws, [UnsafePointer(v.data.0), UnsafePointer(v.data.1), UnsafePointer(v.data.2), nil],
                          [v.linesize.0, v.linesize.1, v.linesize.2, 0], 0, Int32(height),
                          [f.data.0, f.data.1, f.data.2, f.data.3], [f.linesize.0, f.linesize.1, f.linesize.2, f.linesize.3])
            frame!.pointee.pts = Int64(t)
            XCTAssertGreaterThanOrEqual(avcodec_send_frame(codec, frame), 0)
            drain()
        }
        XCTAssertGreaterThanOrEqual(avcodec_send_frame(codec, nil), 0)
        drain()
        XCTAssertGreaterThanOrEqual(av_write_trailer(format), 0)
        avio_closep(&format!.pointee.pb)
    }

    /// Mean PSNR over frames paired by index.
    static func meanPSNR(_ a: [RGBImage], _ b: [RGBImage]) -> Double {
        let mse = zip(a, b).map { ImageMetrics.meanSquaredError($0, $1) }.reduce(0, +) / Double(min(a.count, b.count))
        return 10 * log10(1 / mse)
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
