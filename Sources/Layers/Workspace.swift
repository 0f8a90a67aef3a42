import TensorCore

/// Scratch memory for layers, sized once per (network, image size) and reused by every pass.
///
/// Layers state how much they need (`workspaceSize`); the owner reserves the maximum before the first pass, so
/// the hot loop never allocates.
public final class Workspace {
    public private(set) var capacity = 0
    public private(set) var base: UnsafeMutablePointer<Float>

    public init(capacity: Int = 0) {
        base = Workspace.allocate(max(capacity, 1))
        self.capacity = capacity
    }

    deinit { UnsafeMutableRawPointer(base).deallocate() }

    /// Grows the buffer to at least `count` floats (contents are not kept).
    public func reserve(_ count: Int) {
        guard count > capacity else { return }
        UnsafeMutableRawPointer(base).deallocate()
        base = Workspace.allocate(count)
        capacity = count
    }

    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: count)
    }
}

/// Rounds a float count up to a multiple of 16 so the next region stays 64-byte aligned.
@inline(__always) func aligned(_ count: Int) -> Int { (count + 15) & ~15 }
