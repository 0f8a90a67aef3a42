/// The temporal warping error of a joined clip (`TemporalMeasurement.Result.pairErrors`) around its seams
/// beside the error inside its segments, where each frame followed the previous one on one machine. Around a
/// seam are the pairs that touch its cross-fade: from the last frame before the fade to the next segment's
/// first own frame (`overlap` + 1 pairs).
public struct SeamMeasurement: Sendable {
    /// Mean E_t over the pairs around every seam, over the other pairs, and around each seam in turn.
    public var around: Double?, inside: Double?
    public var perSeam: [Double?]

    /// `seams`: frame indices (from 0) where each later segment's own frames begin (`SegmentPlan.seams`).
    public init(pairErrors: [Double?], seams: [Int], overlap: Int) {
        let windows = seams.map { seam in max(0, seam - overlap - 1)...max(0, seam - 1) }
        func mean(_ pairs: [Int]) -> Double? {
            let values = pairs.filter(pairErrors.indices.contains).compactMap { pairErrors[$0] }
            return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
        }
        let near = Set(windows.flatMap { Array($0) })
        around = mean(near.sorted())
        inside = mean(pairErrors.indices.filter { !near.contains($0) })
        perSeam = windows.map { mean(Array($0)) }
    }

    /// Around against inside: 1 means the seams do not show in the measure.
    public var ratio: Double? { around.flatMap { a in inside.flatMap { $0 > 0 ? a / $0 : nil } } }
}
