import AtomicFiles

/// Where a plot or a sheet may be written, checked before a run spends minutes on it.
public enum PNGOutput {
    /// Throws unless `path` names a `.png` file in an existing, writable directory.
    public static func check(_ path: String) throws {
        guard path.lowercased().hasSuffix(".png") else { throw PlotError.notPNG(path: path) }
        do { try AtomicFile.checkWritable(path) } catch let failure as AtomicFile.Failure {
            throw PlotError.writeFailed(path: path, reason: failure.reason)
        }
    }
}
