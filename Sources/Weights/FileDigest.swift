import Crypto
import Foundation

/// The SHA-256 of a file, as lowercase hex: it verifies downloads, records the checksum of every installed model
/// and fingerprints a video run's inputs. swift-crypto does the hashing (BoringSSL on Linux, which uses the CPU's
/// SHA extensions); the file is read in 1 MiB chunks so memory stays bounded whatever its size.
public enum FileDigest {
    public static func sha256(ofFile path: String) throws -> String {
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            var hasher = SHA256()
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
            return hasher.finalize().map { String(format: "%02x", $0) }.joined()
        } catch {
            throw WeightsError.unreadable(file: path, reason: error.localizedDescription)
        }
    }

    public static func sha256(of data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
