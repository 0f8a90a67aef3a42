import Foundation
import StyleTransfer
#if canImport(Glibc)
import Glibc
#endif

/// Where a run's progress goes, in one of four forms. `live`: one status line rewritten in place (a terminal);
/// `lines`: the same as plain lines every `--progress-every` iterations (a pipe or a log file); `quiet`: only the
/// final "wrote" lines; `json`: every event as one JSON object per line and nothing else. Errors go to stderr in
/// every form.
final class ProgressPrinter {
    enum Mode: Equatable { case live, lines, quiet, json }

    let mode: Mode
    private var statusShown = false
    private let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }()

    /// `--json` wins over `--quiet`; otherwise a terminal on stdout gets the live line.
    init(quiet: Bool, json: Bool) {
        mode = json ? .json : quiet ? .quiet : isatty(STDOUT_FILENO) != 0 ? .live : .lines
        setvbuf(stdout, nil, _IOLBF, 0)  // lines appear as they happen, also through a pipe
    }

    /// An event that text forms print as `text` on a line of its own (nil: nothing in text).
    func emit(_ event: ProgressEvent, text: String?) {
        switch mode {
        case .json: json(event)
        case .live, .lines: if let text { line(text) }
        case .quiet: break
        }
    }

    /// An iteration: the live line shows every one; plain lines only the `periodic` ones.
    func iteration(_ event: ProgressEvent, text: String, periodic: Bool) {
        switch mode {
        case .json: json(event)
        case .live: status(text)
        case .lines: if periodic { line(text) }
        case .quiet: break
        }
    }

    /// A line only the text forms print (what `--json` already says in its events).
    func say(_ text: String) {
        if mode == .live || mode == .lines { line(text) }
    }

    /// "wrote PATH": the one line `--quiet` keeps; `--json` names the outputs in its `finished` event instead.
    func wrote(_ text: String) {
        if mode != .json { line(text) }
    }

    private func line(_ text: String) {
        clearStatus()
        fputs(text + "\n", stdout)
    }

    private func status(_ text: String) {
        // Cut to the terminal's width: a wrapped line could not be rewritten by a carriage return.
        let width = Self.terminalColumns()
        let shown = text.count < width ? text : String(text.prefix(max(width - 1, 1)))
        fputs("\r\u{1B}[2K" + shown, stdout)
        fflush(stdout)
        statusShown = true
    }

    private func clearStatus() {
        guard statusShown else { return }
        fputs("\r\u{1B}[2K", stdout)
        statusShown = false
    }

    private func json(_ event: ProgressEvent) {
        guard let data = try? encoder.encode(event) else { return }
        fputs(String(decoding: data, as: UTF8.self) + "\n", stdout)
    }

    private static func terminalColumns() -> Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }

    /// 75 → "1m15s", 4000 → "1h06m".
    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%dh%02dm", s / 3600, s % 3600 / 60) }
        if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return "\(s)s"
    }

    /// The losses by term as the text forms show them.
    static func losses(_ l: Losses) -> String {
        func f(_ v: Double) -> String { String(format: "%.4g", v) }
        var s = "total \(f(l.total))  content \(f(l.content))  style \(f(l.style))  tv \(f(l.tv))"
        for (name, value) in l.pixelTerms.sorted(by: { $0.key < $1.key }) { s += "  \(name) \(f(value))" }
        return s
    }
}
