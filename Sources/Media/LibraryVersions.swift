import CFFmpeg
import CPNG

/// Versions of the media libraries Stylize runs on, as loaded (not as compiled against).
public enum LibraryVersions {
    public static var all: [(name: String, version: String)] {
        [
            ("FFmpeg", String(cString: av_version_info())),
            ("libavformat", dotted(avformat_version())),
            ("libavcodec", dotted(avcodec_version())),
            ("libavutil", dotted(avutil_version())),
            ("libswscale", dotted(swscale_version())),
            ("libavfilter", dotted(avfilter_version())),
            ("libpng", String(cString: png_get_libpng_ver(nil))),
        ]
    }

    private static func dotted(_ v: UInt32) -> String { "\(v >> 16).\((v >> 8) & 0xff).\(v & 0xff)" }
}
