import Foundation

/// What made a video job's frames: the input clip, the styles, the model and every setting, as named entries
/// (`input`, `style 1`, `model`, `style_weight`, `frame_size`, …). A work folder keeps it beside its frames, so
/// a resumed run continues only the same job and can say which entries differ.
public struct Fingerprint: Codable, Equatable, Sendable {
    public var entries: [String: String]

    public init(_ entries: [String: String] = [:]) { self.entries = entries }

    /// Adds every key of a JSON-encodable value (a recipe, the frame settings) as its own entry, its value in
    /// JSON, so a difference names the knob.
    public mutating func add<T: Encodable>(knobsOf value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let object = try JSONSerialization.jsonObject(with: try encoder.encode(value)) as? [String: Any] ?? [:]
        for (key, v) in object {
            let data = try JSONSerialization.data(withJSONObject: v, options: [.sortedKeys, .fragmentsAllowed])
            entries[key] = String(decoding: data, as: UTF8.self)
        }
    }

    /// One line per entry that differs, `name: earlier → now` (sorted); empty when the two match.
    public func differences(from earlier: Fingerprint) -> [String] {
        Set(entries.keys).union(earlier.entries.keys).sorted().compactMap { key in
            let old = earlier.entries[key], new = entries[key]
            guard old != new else { return nil }
            return "\(key): \(Self.short(old)) → \(Self.short(new))"
        }
    }

    private static func short(_ value: String?) -> String {
        guard let value else { return "(none)" }
        return value.count > 40 ? String(value.prefix(16)) + "…" : value
    }
}
