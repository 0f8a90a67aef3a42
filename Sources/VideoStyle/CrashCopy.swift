import Foundation
import Media

/// A video of the frames done so far, kept in the work folder while a job runs (`WorkFolder.crashCopyPath`):
/// the output itself becomes readable only when finished, so a process that is killed or crashes would leave
/// no playable video. This copy grows a frame at a time (`VideoOptions.growing`), is opened with the first
/// frame (when the work folder exists) and is removed at any clean end, where the output holds the frames.
final class CrashCopy: FrameConsumer {
    private let path: String
    private let frameRate: FrameRate
    private let timeBase: TimeBase
    private var writer: VideoWriter?

    init(path: String, frameRate: FrameRate, timeBase: TimeBase) {
        self.path = path
        self.frameRate = frameRate
        self.timeBase = timeBase
    }

    func append(_ image: RGBImage) throws { try append(image, pts: nil) }

    func append(_ image: RGBImage, pts: Int64?) throws {
        if writer == nil {
            writer = try VideoWriter(path: path, frameRate: frameRate, options: VideoOptions(growing: true), timeBase: timeBase)
        }
        try writer!.append(image, pts: pts)
    }

    func finish() throws {
        try? writer?.finish()
        writer = nil
        try? FileManager.default.removeItem(atPath: path)
    }

    func discard() {
        writer?.discard()
        writer = nil
    }
}
