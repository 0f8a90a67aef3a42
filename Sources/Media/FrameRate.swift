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

    /// Parses "15", "29.97" or "30000/1001"; nil when not a positive rate.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 2, let n = Int(parts[0]), let d = Int(parts[1]), n > 0, d > 0 {
            self.init(numerator: n, denominator: d)
        } else if parts.count == 1, let v = Double(text), v > 0, v <= 1000 {
            self.init(numerator: Int((v * 1000).rounded()), denominator: 1000)
        } else {
            return nil
        }
    }

    public var value: Double { Double(numerator) / Double(denominator) }
    public var description: String { denominator == 1 ? "\(numerator)" : "\(numerator)/\(denominator)" }
}
