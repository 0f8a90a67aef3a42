import CFFmpeg
import Foundation
import Media
import XCTest

/// What the tests read back from a file `stylize video` wrote: its streams' packets (libavformat, no decoding)
/// and its decoded video frames (through `Media.VideoReader`).
enum ClipProbe {
    struct Stream {
        var type: AVMediaType
        var codec: String
        /// One checksum (FNV-1a of the payload bytes) per packet, in file order.
        var packetChecksums: [UInt64] = []
        /// Sum of the packet durations, seconds.
        var duration: Double = 0
    }

    struct ProbeError: Error, CustomStringConvertible {
        var path: String
        var message: String
        var description: String { "\(path): \(message)" }
    }

    /// Every stream of `path` with its packets' checksums.
    static func streams(_ path: String) throws -> [Stream] {
        var format: UnsafeMutablePointer<AVFormatContext>?
        var code = avformat_open_input(&format, path, nil, nil)
        guard code >= 0, let context = format else { throw ProbeError(path: path, message: "cannot open (\(code))") }
        defer { avformat_close_input(&format) }
        code = avformat_find_stream_info(context, nil)
        guard code >= 0 else { throw ProbeError(path: path, message: "no stream info (\(code))") }
        var result: [Stream] = (0..<Int(context.pointee.nb_streams)).map { index in
            let parameters = context.pointee.streams[index]!.pointee.codecpar.pointee
            return Stream(type: parameters.codec_type, codec: String(cString: avcodec_get_name(parameters.codec_id)))
        }
        var packet: UnsafeMutablePointer<AVPacket>? = av_packet_alloc()
        guard let current = packet else { throw ProbeError(path: path, message: "out of memory") }
        defer { av_packet_free(&packet) }
        while true {
            code = av_read_frame(context, current)
            if code == cffmpeg_averror_eof() { break }
            guard code >= 0 else { throw ProbeError(path: path, message: "read failed (\(code))") }
            let index = Int(current.pointee.stream_index)
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            if let data = current.pointee.data {
                for offset in 0..<Int(current.pointee.size) { hash = (hash ^ UInt64(data[offset])) &* 0x100_0000_01b3 }
            }
            result[index].packetChecksums.append(hash)
            let timeBase = context.pointee.streams[index]!.pointee.time_base
            result[index].duration += Double(current.pointee.duration) * Double(timeBase.num) / Double(timeBase.den)
            av_packet_unref(current)
        }
        return result
    }

    /// The decoded frames of a video file at its own size, with their timestamps in seconds.
    static func frames(_ path: String, selection: ClipSelection = ClipSelection(), longSide: Int? = nil) throws
        -> (images: [RGBImage], seconds: [Double])
    {
        let reader = try VideoReader(path: path, selection: selection, longSide: longSide)
        var images: [RGBImage] = [], seconds: [Double] = []
        while let frame = try reader.nextFrame() {
            images.append(frame.image)
            seconds.append(reader.timeBase.seconds(frame.pts))
        }
        return (images, seconds)
    }

    /// Mean absolute difference of two images of the same size, over [0, 1].
    static func meanAbsoluteDifference(_ a: RGBImage, _ b: RGBImage) -> Double {
        precondition(a.width == b.width && a.height == b.height, "images of different sizes")
        var sum = 0.0
        for (x, y) in zip(a.planes, b.planes) { sum += Double(abs(x - y)) }
        return sum / Double(a.planes.count)
    }
}
