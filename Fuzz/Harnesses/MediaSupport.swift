import Foundation
import Media

/// The media readers open paths (FFmpeg probes the file), so each input is written to one scratch file first.
/// Pictures up to the default limit (100 MP) decode correctly but take seconds each under ASan; 256×256 keeps the
/// fuzzer at hundreds of inputs a second while every code path stays reachable.
let fuzzMaxPixels = 256 * 256

let scratchPath = NSTemporaryDirectory() + "/stylize-fuzz-\(getpid())"

func withScratchFile(_ data: UnsafePointer<UInt8>, _ size: Int, _ body: (String) throws -> Void) -> CInt {
    // Plain POSIX calls: FileManager.createFile writes atomically (temporary file, rename), several times slower.
    let fd = open(scratchPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0, write(fd, data, size) == size, close(fd) == 0 else { fatalError("cannot write \(scratchPath)") }
    do { try body(scratchPath) } catch is MediaError {} catch { fatalError("a reader threw a non-MediaError: \(error)") }
    return 0
}
