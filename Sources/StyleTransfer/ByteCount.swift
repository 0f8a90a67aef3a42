import Foundation

/// An amount of memory as people write it: `3G`, `512M`, `1.5G`, `800K` or a number of bytes (powers of 1024).
/// In a recipe it is that text (`"max_memory": "3G"`), so a recipe reads as the command line did.
public struct ByteCount: Codable, Equatable, Sendable, CustomStringConvertible {
    public let bytes: Int

    public init(bytes: Int) { self.bytes = bytes }

    /// Nil for text that is not a positive amount.
    public init?(_ text: String) {
        let t = text.trimmingCharacters(in: .whitespaces).uppercased()
        let g = 1_073_741_824.0, m = 1_048_576.0, k = 1024.0
        let units: [(String, Double)] = [("GB", g), ("MB", m), ("KB", k), ("G", g), ("M", m), ("K", k), ("B", 1)]
        let (number, unit) = units.first { t.hasSuffix($0.0) }.map { (String(t.dropLast($0.0.count)), $0.1) } ?? (t, 1)
        guard let value = Double(number.trimmingCharacters(in: .whitespaces)), value.isFinite, value > 0, value * unit < 0x1p62 else {
            return nil
        }
        bytes = Int(value * unit)
    }

    /// The shortest form in the largest unit that reads back as the same bytes: `3G`, `1.6G`, `1000000000`.
    public var description: String {
        for (suffix, unit) in [("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)] where bytes >= unit {
            let text = String(format: "%g", Double(bytes) / Double(unit)) + suffix
            if ByteCount(text)?.bytes == bytes { return text }
        }
        return "\(bytes)"
    }

    /// Rounded to tenths of a gigabyte, for messages: `2.7 GB`.
    public var gigabytes: String { String(format: "%.1f GB", Double(bytes) / Double(1 << 30)) }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Int.self), n > 0 { self.init(bytes: n); return }
        let text = try c.decode(String.self)
        guard let parsed = ByteCount(text) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "\(text) is not an amount of memory such as 3G or 512M")
        }
        self = parsed
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
