import Foundation
import StyleTransfer

// A recipe JSON (`--recipe`): decoding may refuse with DecodingError; what decodes must encode and decode back equal.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRecipe(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let json = Data(bytes: data, count: size)
    guard let recipe = try? JSONDecoder().decode(Recipe.self, from: json) else { return 0 }
    guard let encoded = try? JSONEncoder().encode(recipe) else { return 0 } // non-finite numbers cannot be encoded
    guard let again = try? JSONDecoder().decode(Recipe.self, from: encoded), again == recipe else {
        fatalError("a recipe does not survive encoding: \(String(decoding: encoded, as: UTF8.self))")
    }
    return 0
}
