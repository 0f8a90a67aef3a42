import ImageTensor
import Media
import StyleTransfer
import TensorCore

/// The masks of a clip's frames (`Guidance`): each either one picture for every frame, or a mask clip read in step
/// with the frames (the same selection of times, so its frame i masks the clip's frame i).
public final class FrameMasks {
    public enum Source {
        case picture(Tensor)
        /// A clip, read with the `ClipSelection` the stylized clip is read with.
        case clip(path: String, selection: ClipSelection)
    }

    private let styleMasks: [Int: Source]
    private let contentMask: Source?
    /// Each clip's reader and the last frame it gave, by path.
    private var readers: [String: (reader: VideoReader, frame: (index: Int, mask: Tensor)?)] = [:]

    /// `styleMasks` by style index from 0.
    public init(styleMasks: [Int: Source] = [:], contentMask: Source? = nil) {
        self.styleMasks = styleMasks
        self.contentMask = contentMask
    }

    /// The masks of frame `index`. Frames are asked for in order (a later frame than before, or the same); an earlier
    /// one reopens the clip.
    public func guidance(frame index: Int) throws -> Guidance {
        Guidance(styleMasks: try styleMasks.mapValues { try mask($0, frame: index) },
                 contentMask: try contentMask.map { try mask($0, frame: index) })
    }

    private func mask(_ source: Source, frame index: Int) throws -> Tensor {
        switch source {
        case .picture(let plane): return plane
        case let .clip(path, selection):
            if let last = readers[path]?.frame, last.index > index { readers[path] = nil }  // an earlier frame: start over
            var entry = try readers[path] ?? (try VideoReader(path: path, selection: selection), nil)
            while (entry.frame?.index ?? -1) < index {
                guard let next = try entry.reader.nextFrame() else {
                    let frames = (entry.frame?.index ?? -1) + 1
                    throw VideoStyleError.maskClipTooShort(path: path, frames: frames, needed: index + 1)
                }
                entry.frame = (next.index, Luminance.of(Tensor(next.image)))
            }
            readers[path] = entry
            return entry.frame!.mask
        }
    }
}
