import Foundation

/// The bytes of a weights file, refused unless it is a regular file: `/dev/zero`, a FIFO or a terminal would be read
/// for ever (or block), and a directory has no bytes to read. The size checks of every reader then bound their
/// allocations by this file's real size.
enum RegularFile {
    static func data(_ path: String, mapped: Bool) throws -> Data {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw WeightsError.unreadable(file: path, reason: String(cString: strerror(errno)))
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw WeightsError.unreadable(file: path, reason: "it is not a regular file (a device, pipe or folder); "
                + "give the path of a .pth, .ckpt or .safetensors file")
        }
        do { return try Data(contentsOf: URL(fileURLWithPath: path), options: mapped ? .alwaysMapped : []) } catch {
            throw WeightsError.unreadable(file: path, reason: (error as NSError).localizedDescription)
        }
    }
}
