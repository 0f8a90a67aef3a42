import CZlib

/// The part of ZIP that `torch.save` writes: a central directory of STORED (uncompressed) entries, ZIP64 records
/// when the archive passes 4 GiB. Entry data is checked against its CRC-32 when read.
///
/// Kept by hand rather than ZIPFoundation 0.9.20, which was tried on damaged copies of the test checkpoints: it
/// traps (ending the process) while listing entries on a ZIP64 offset above Int64.max, and, reading from memory,
/// on an entry offset past the end, before a caller can check anything; a ZIP64 size of 2^62 makes extraction
/// loop for ever, a size past the end comes back short without an error, and a cut-off download is searched
/// byte by byte for its end record (12 s for 57.5 MB). Here every offset and size is bounded by the file and
/// only the last 64 KiB are searched.
struct ZipArchive {
    struct Entry {
        let size: Int
        let crc32: UInt32
        let localHeaderOffset: Int
        let method: Int
    }

    let bytes: [UInt8]
    let file: String
    let entries: [String: Entry]

    init(_ bytes: [UInt8], file: String) throws {
        self.bytes = bytes
        self.file = file
        var r = ByteReader(bytes, file: file)
        // End of central directory: 22 bytes plus a comment of up to 64 KiB, searched for from the end.
        guard let eocd = Self.findSignature(0x0605_4B50, in: bytes, searchingBack: 22 + 0xFFFF) else {
            throw WeightsError.corrupt(file: file, reason: "no ZIP end-of-directory record")
        }
        try r.seek(to: eocd + 10, context: "the ZIP end record")
        var count = try r.u16("the ZIP end record")
        _ = try r.u32("the ZIP end record")
        var directoryOffset = try r.u32("the ZIP end record")
        if count == 0xFFFF || directoryOffset == 0xFFFF_FFFF { // ZIP64: a locator just before points to the real record
            try r.seek(to: eocd - 20, context: "the ZIP64 locator")
            guard try r.u32("the ZIP64 locator") == 0x0706_4B50 else {
                throw WeightsError.corrupt(file: file, reason: "missing ZIP64 locator")
            }
            try r.skip(4, context: "the ZIP64 locator")
            try r.seek(to: r.length(8, "the ZIP64 locator"), context: "the ZIP64 end record")
            guard try r.u32("the ZIP64 end record") == 0x0606_4B50 else {
                throw WeightsError.corrupt(file: file, reason: "bad ZIP64 end record")
            }
            try r.skip(28, context: "the ZIP64 end record")
            count = try r.length(8, "the ZIP64 end record")
            try r.skip(8, context: "the ZIP64 end record")
            directoryOffset = try r.length(8, "the ZIP64 end record")
        }
        try r.seek(to: directoryOffset, context: "the ZIP central directory")
        var entries: [String: Entry] = [:]
        for _ in 0 ..< count {
            guard try r.u32("the ZIP central directory") == 0x0201_4B50 else {
                throw WeightsError.corrupt(file: file, reason: "bad ZIP central directory entry")
            }
            try r.skip(6, context: "the ZIP central directory")
            let method = try r.u16("the ZIP central directory")
            try r.skip(4, context: "the ZIP central directory")
            let crc = UInt32(try r.u32("the ZIP central directory"))
            var compressed = try r.u32("the ZIP central directory")
            var size = try r.u32("the ZIP central directory")
            let nameLength = try r.u16("the ZIP central directory")
            let extraLength = try r.u16("the ZIP central directory")
            let commentLength = try r.u16("the ZIP central directory")
            try r.skip(8, context: "the ZIP central directory")
            var offset = try r.u32("the ZIP central directory")
            let name = String(decoding: try r.take(nameLength, "a ZIP entry name"), as: UTF8.self)
            var extra = ByteReader(Array(try r.take(extraLength, "a ZIP extra field")), file: file)
            while extra.remaining >= 4 { // the ZIP64 field holds whichever sizes overflowed, in this order
                let id = try extra.u16("a ZIP extra field"), length = try extra.u16("a ZIP extra field")
                var field = ByteReader(Array(try extra.take(length, "a ZIP extra field")), file: file)
                guard id == 1 else { continue }
                // Bounds are checked when the entry is read.
                if size == 0xFFFF_FFFF { size = Int(clamping: try field.u64("a ZIP64 field")) }
                if compressed == 0xFFFF_FFFF { compressed = Int(clamping: try field.u64("a ZIP64 field")) }
                if offset == 0xFFFF_FFFF { offset = Int(clamping: try field.u64("a ZIP64 field")) }
            }
            try r.skip(commentLength, context: "a ZIP comment")
            guard compressed == size || method != 0 else {
                throw WeightsError.corrupt(file: file, reason: "ZIP entry \(name) has inconsistent sizes")
            }
            entries[name] = Entry(size: size, crc32: crc, localHeaderOffset: offset, method: method)
        }
        self.entries = entries
    }

    /// The bytes of a stored entry, checked against the CRC-32 recorded for it.
    func data(_ name: String) throws -> ArraySlice<UInt8> {
        guard let entry = entries[name] else { throw WeightsError.corrupt(file: file, reason: "ZIP entry \(name) is missing") }
        guard entry.method == 0 else {
            throw WeightsError.unsupportedFormat(file: file, reason: "ZIP entry \(name) is compressed (method \(entry.method)); "
                + "torch.save writes uncompressed archives: re-save the state_dict with torch.save")
        }
        var r = ByteReader(bytes, file: file)
        try r.seek(to: entry.localHeaderOffset, context: "ZIP entry \(name)")
        guard try r.u32("ZIP entry \(name)") == 0x0403_4B50 else {
            throw WeightsError.corrupt(file: file, reason: "bad local header for ZIP entry \(name)")
        }
        try r.skip(22, context: "ZIP entry \(name)")
        let skip = try r.u16("ZIP entry \(name)") + r.u16("ZIP entry \(name)")
        try r.skip(skip, context: "ZIP entry \(name)")
        let data = try r.take(entry.size, "ZIP entry \(name)")
        guard data.withUnsafeBufferPointer({ crc32_z(0, $0.baseAddress, $0.count) }) == entry.crc32 else { // zlib's CRC-32
            throw WeightsError.corrupt(file: file, reason: "ZIP entry \(name) fails its CRC-32 check")
        }
        return data
    }

    private static func findSignature(_ signature: UInt32, in bytes: [UInt8], searchingBack limit: Int) -> Int? {
        guard bytes.count >= 22 else { return nil }
        let lowest = max(0, bytes.count - limit)
        for i in stride(from: bytes.count - 22, through: lowest, by: -1) {
            let v = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
            if v == signature { return i }
        }
        return nil
    }
}
