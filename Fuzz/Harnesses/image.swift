import Media

// A picture file through ImageReader: probe, decode the first frame, convert, orient.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImage(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    withScratchFile(data, size) { _ = try ImageReader.read($0, pixelLimit: fuzzMaxPixels) }
}
