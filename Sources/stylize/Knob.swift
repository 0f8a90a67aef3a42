import Foundation
import StyleTransfer

/// One `--vary KEY=v1,v2,…` of `stylize grid`: a recipe key and the values to try. Values are applied through
/// the recipe's JSON, so every key works (numbers, names, true/false; `+` joins a list: `relu1_1+relu2_1`).
struct Knob {
    let key: String
    /// As given, for the sheet's labels.
    let values: [String]

    init(parsing argument: String) throws {
        let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty else {
            throw KnobError.malformed(argument)
        }
        // `style-weight` and `--style-weight` name the same key as `style_weight`.
        key = String(parts[0].drop { $0 == "-" }).replacingOccurrences(of: "-", with: "_")
        values = parts[1].split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !values.contains(where: \.isEmpty) else { throw KnobError.malformed(argument) }
    }

    func label(_ value: String) -> String { "\(key)=\(value)" }

    /// `recipe` with this knob set to `value`.
    func apply(_ value: String, to recipe: Recipe) throws -> Recipe {
        guard var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(recipe)) as? [String: Any] else {
            throw KnobError.badValue(key: key, value: value, reason: "the recipe is not a JSON object")
        }
        // What the text can mean, tried in turn: JSON (1e5, true, [..]), a name, a list.
        let list = value.split(separator: "+").map(String.init)
        let candidates: [Any] = [Self.json(value), value, list.map { Self.json($0) ?? $0 }, list].compactMap { $0 }
        for candidate in candidates {
            json[key] = candidate
            guard let data = try? JSONSerialization.data(withJSONObject: json),
                  let changed = try? JSONDecoder().decode(Recipe.self, from: data) else { continue }
            // A key the recipe does not have is ignored by decoding; it then does not come back out.
            let back = try JSONSerialization.jsonObject(with: JSONEncoder().encode(changed)) as? [String: Any]
            guard back?[key] != nil else { throw KnobError.unknownKey(key, known: Array(Self.knownKeys)) }
            return changed
        }
        throw KnobError.badValue(key: key, value: value, reason: "not a value this key takes")
    }

    private static func json(_ text: String) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed)
    }

    /// The recipe's keys, for the error message (optional ones given values so they are encoded).
    private static var knownKeys: Set<String> {
        var r = Recipe()
        (r.model, r.learningRate, r.styleScale, r.scaleIterations, r.styleLayerWeights, r.styleBlend) = ("", 1, 1, [], [], [])
        (r.styleMasks, r.contentMask) = ([:], "")
        let json = (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(r))) as? [String: Any]
        return Set(json?.keys.map { $0 } ?? [])
    }
}

enum KnobError: Error, CustomStringConvertible {
    case malformed(String)
    case unknownKey(String, known: [String])
    case badValue(key: String, value: String, reason: String)

    var description: String {
        switch self {
        case .malformed(let argument):
            return "--vary \(argument): write KEY=v1,v2,… (e.g. --vary style_weight=1e3,1e5), with no empty value"
        case .unknownKey(let key, let known):
            return "--vary \(key): not a recipe key; use one of \(known.sorted().joined(separator: ", "))"
        case .badValue(let key, let value, let reason):
            return "--vary \(key)=\(value): \(reason); see the README's recipe keys for what \(key) takes"
        }
    }
}
