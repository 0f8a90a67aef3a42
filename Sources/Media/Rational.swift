import CFFmpeg

/// An exact fraction `numerator/denominator`, e.g. a time base of 1/90000 s or 1001/30000 s, so timestamps given
/// in a source's own units reach the output unrounded.
public struct Rational: Equatable, Sendable, CustomStringConvertible {
    public let numerator: Int32
    public let denominator: Int32

    public init(_ numerator: Int32, _ denominator: Int32) {
        precondition(numerator > 0 && denominator > 0, "rational \(numerator)/\(denominator) must be positive")
        self.numerator = numerator
        self.denominator = denominator
    }

    public var value: Double { Double(numerator) / Double(denominator) }
    public var description: String { "\(numerator)/\(denominator)" }

    var av: AVRational { AVRational(num: numerator, den: denominator) }
}
