import Dispatch
import Foundation
import StyleTransfer

/// Ctrl-C during a long run: the first asks `cancellation` to stop after the current step (printing `message`),
/// so what was made is still written; a second quits at once with status 130.
/// Returns a token; the handler stays installed until the token is released.
func cancelOnInterrupt(_ cancellation: Cancellation, message: String) -> AnyObject {
    signal(SIGINT, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
    source.setEventHandler {
        if cancellation.isCancelled { exit(130) }
        FileHandle.standardError.write(Data("\n\(message) (Ctrl-C again to quit now)\n".utf8))
        cancellation.cancel()
    }
    source.resume()
    return InterruptHandler(source)
}

private final class InterruptHandler {
    private let source: DispatchSourceSignal

    init(_ source: DispatchSourceSignal) { self.source = source }

    deinit {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
