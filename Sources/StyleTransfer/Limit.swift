import Foundation

/// The values a numeric knob may take, written beside the knob. `check` refuses anything outside, NaN and the
/// infinities included (every range here is finite), naming the knob as its flag so the message tells a user
/// of the command line and of a recipe file alike what to change.
public struct Limit<Value: Comparable & Sendable>: Sendable, CustomStringConvertible {
    public let range: ClosedRange<Value>

    public init(_ range: ClosedRange<Value>) { self.range = range }

    /// Throws `LimitError` unless `value` lies in the range; `key` is the recipe key (`style_scale`) or flag name.
    public func check(_ value: Value, key: String) throws {
        guard range.contains(value) else {
            throw LimitError(key: key, value: Self.text(value), lower: Self.text(range.lowerBound), upper: Self.text(range.upperBound))
        }
    }

    /// Each of `values`, as `check`.
    public func check(_ values: [Value], key: String) throws {
        for value in values { try check(value, key: key) }
    }

    /// "0.05…4", for help texts.
    public var description: String { "\(Self.text(range.lowerBound))…\(Self.text(range.upperBound))" }

    /// Whole numbers as written; other doubles in `%g` form (1e+300, 0.05, 100000).
    static func text(_ value: Value) -> String {
        if let double = value as? Double { return String(format: "%g", double) }
        return "\(value)"
    }
}

/// A knob outside its `Limit`: "--style-scale 1e+300: must be between 0.05 and 4".
public struct LimitError: Error, CustomStringConvertible, Equatable {
    public let key: String
    public let value: String
    public let lower: String
    public let upper: String

    public init(key: String, value: String, lower: String, upper: String) {
        self.key = key
        self.value = value
        self.lower = lower
        self.upper = upper
    }

    /// The flag a user types for the recipe key (`max_frames` → `--max-frames`).
    public var flag: String { "--" + key.replacingOccurrences(of: "_", with: "-") }

    public var description: String {
        "\(flag) \(value): must be between \(lower) and \(upper)"
    }
}
