/// A bounds-checked little-endian cursor over a byte array. Every read that would pass the end throws
/// `WeightsError.truncated`, so a damaged file can never make a reader index out of range.
struct ByteReader {
    let bytes: [UInt8]
    let file: String
    private(set) var position: Int

    init(_ bytes: [UInt8], file: String, position: Int = 0) {
        self.bytes = bytes
        self.file = file
        self.position = position
    }

    var remaining: Int { bytes.count - position }

    mutating func seek(to offset: Int, context: String) throws {
        guard offset >= 0, offset <= bytes.count else { throw WeightsError.truncated(file: file, context: context) }
        position = offset
    }

    mutating func skip(_ count: Int, context: String) throws { try seek(to: position + count, context: context) }

    mutating func byte(_ context: String) throws -> UInt8 {
        guard position < bytes.count else { throw WeightsError.truncated(file: file, context: context) }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func take(_ count: Int, _ context: String) throws -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw WeightsError.truncated(file: file, context: context) }
        defer { position += count }
        return bytes[position ..< position + count]
    }

    /// An unsigned little-endian integer of `size` bytes (1…8).
    mutating func uint(_ size: Int, _ context: String) throws -> UInt64 {
        let slice = try take(size, context)
        var value: UInt64 = 0
        for (i, b) in slice.enumerated() { value |= UInt64(b) << (8 * UInt64(i)) }
        return value
    }

    mutating func u16(_ c: String) throws -> Int { Int(try uint(2, c)) }
    mutating func u32(_ c: String) throws -> Int { Int(try uint(4, c)) }
    mutating func u64(_ c: String) throws -> UInt64 { try uint(8, c) }

    /// A little-endian count that must fit the file (used for lengths read from the file itself).
    mutating func length(_ size: Int, _ context: String) throws -> Int {
        let value = try uint(size, context)
        guard value <= UInt64(bytes.count) else { throw WeightsError.truncated(file: file, context: context) }
        return Int(value)
    }
}
