/// Frames per second as an exact rational (e.g. 30000/1001), so timestamps stay frame-accurate.
public struct FrameRate: Equatable, Sendable, CustomStringConvertible {
    public let numerator: Int
    public let denominator: Int

    public init(_ framesPerSecond: Int) { self.init(numerator: framesPerSecond, denominator: 1) }

    public init(numerator: Int, denominator: Int) {
        precondition(numerator > 0 && denominator > 0, "frame rate \(numerator)/\(denominator) must be positive")
        var a = numerator, b = denominator
        while b != 0 { (a, b) = (b, a % b) }
        self.numerator = numerator / a
        self.denominator = denominator / a
    }

    /// Parses "15", "29.97" or "30000/1001"; nil unless the rate is positive (at 1/1000 precision for decimals), at
    /// most `maxValue`, and both its reduced terms fit the 32-bit rationals FFmpeg uses.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        let rate: FrameRate
        if parts.count == 2, let n = Int(parts[0]), let d = Int(parts[1]), n > 0, d > 0 {
            rate = FrameRate(numerator: n, denominator: d)
        } else if parts.count == 1, let v = Double(text), v > 0, v <= 1000, Int((v * 1000).rounded()) > 0 {
            rate = FrameRate(numerator: Int((v * 1000).rounded()), denominator: 1000)
        } else {
            return nil
        }
        guard rate.numerator <= Int(Int32.max), rate.denominator <= Int(Int32.max),
              rate.numerator <= Self.maxValue * rate.denominator // cannot overflow: both factors are below 2^31
        else { return nil }
        self = rate
    }

    /// The fastest rate accepted from text.
    public static let maxValue = 1_000_000

    /// The nearby common rate (an integer, or an NTSC n·1000/1001) when within 0.01 %: containers with
    /// microsecond time bases store 15 fps as 1000000/66667.
    public var snapped: FrameRate {
        let v = value
        let whole = v.rounded(), ntsc = (v * 1.001).rounded()
        if whole >= 1, abs(v / whole - 1) < 1e-4 { return FrameRate(Int(whole)) }
        if ntsc >= 1, abs(v / (ntsc / 1.001) - 1) < 1e-4 { return FrameRate(numerator: Int(ntsc) * 1000, denominator: 1001) }
        return self
    }

    public var value: Double { Double(numerator) / Double(denominator) }
    public var description: String { denominator == 1 ? "\(numerator)" : "\(numerator)/\(denominator)" }
}
