import CFFmpeg

/// The unit in which a stream counts its timestamps, as an exact fraction of a second (1/1000, 1/10240, 1001/30000).
public struct TimeBase: Equatable, Sendable, CustomStringConvertible {
    public let numerator: Int
    public let denominator: Int

    public init(numerator: Int, denominator: Int) {
        precondition(numerator > 0 && denominator > 0, "time base \(numerator)/\(denominator) must be positive")
        self.numerator = numerator
        self.denominator = denominator
    }

    /// One tick per frame at `rate`.
    public init(frameInterval rate: FrameRate) { self.init(numerator: rate.denominator, denominator: rate.numerator) }

    public func seconds(_ ticks: Int64) -> Double { Double(ticks) * Double(numerator) / Double(denominator) }
    public var description: String { "\(numerator)/\(denominator)" }
    public var value: Double { Double(numerator) / Double(denominator) }

    /// As FFmpeg's 32-bit fraction (time bases read from FFmpeg always fit).
    var av: AVRational { AVRational(num: Int32(clamping: numerator), den: Int32(clamping: denominator)) }
}
