import Media

// A clip through VideoReader: open (streams, rate, duration, orientation), then its first two frames fitted to 64 px.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVideo(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    withScratchFile(data, size) { path in
        let reader = try VideoReader(path: path, longSide: 64, pixelLimit: fuzzMaxPixels)
        for _ in 0 ..< 2 { guard try reader.nextFrame() != nil else { break } }
    }
}
