import XCTest
import Weights

/// FileDigest reads files in 1 MiB chunks: the standard vectors, and files spanning several chunks, must hash to
/// what independent tools give.
final class FileDigestTests: XCTestCase {
    private func digest(of bytes: [UInt8]) throws -> String {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/file"))
        return try FileDigest.sha256(ofFile: dir + "/file")
    }

    func testStandardVectors() throws {
        XCTAssertEqual(try digest(of: []), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(try digest(of: Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(try digest(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(try digest(of: [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testChunkedReadsMatchOneShot() throws {
        // 2.5 MB of "a": two full chunks and a partial one (digest from sha256sum).
        XCTAssertEqual(try digest(of: [UInt8](repeating: UInt8(ascii: "a"), count: 2_500_000)),
                       "38a637965059125eeb67f54c30e7f48a61859a467a800ba09740ba48a924f2b9")
        let data = (0 ..< 3_000_077).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        XCTAssertEqual(try digest(of: data), Fixtures.sha256(data))
    }

    func testUnreadableFileIsNamed() {
        XCTAssertThrowsError(try FileDigest.sha256(ofFile: "/nonexistent/model.pth")) { error in
            guard case WeightsError.unreadable(let file, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "/nonexistent/model.pth")
        }
    }
}
