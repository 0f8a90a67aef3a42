import VideoStyle

/// What the sidecar of a joined clip adds to the common record. The work folder keeps each segment's frames
/// and fingerprint but not how each frame's optimisation went, so there is no per-frame trace: the sidecar
/// records the segment plan instead, and the styles by their sha256 (job.json does not keep their paths).
struct JoinDetails: Encodable {
    var frames: Int
    var plan: SegmentPlan
    var workDirectory: String
    var fingerprint: Fingerprint

    private struct SegmentFrames: Encodable {
        var segment: Int
        /// 1-based, inclusive: the frames the segment stylized, its lead-in included.
        var first: Int
        var last: Int
        var leadIn: Int

        enum CodingKeys: String, CodingKey {
            case segment, first, last
            case leadIn = "lead_in"
        }
    }

    enum CodingKeys: String, CodingKey {
        case frames, segments, overlap, seams
        case segmentFrames = "segment_frames"
        case frameSize = "frame_size"
        case styleSHA256 = "style_sha256"
        case workDirectory = "work_dir"
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(frames, forKey: .frames)
        try c.encode(plan.segments, forKey: .segments)
        try c.encode(plan.overlap, forKey: .overlap)
        try c.encode(plan.seams.map { $0 + 1 }, forKey: .seams)
        try c.encode((1...plan.segments).map { k in
            SegmentFrames(segment: k, first: plan.stylized(k).lowerBound + 1, last: plan.stylized(k).upperBound,
                          leadIn: plan.stylized(k).count - plan.owned(k).count)
        }, forKey: .segmentFrames)
        try c.encodeIfPresent(fingerprint.entries["frame_size"], forKey: .frameSize)
        let styles = fingerprint.entries.keys.compactMap { $0.hasPrefix("style ") ? Int($0.dropFirst(6)) : nil }.sorted()
        try c.encode(styles.compactMap { fingerprint.entries["style \($0)"].map { $0.replacingOccurrences(of: "sha256 ", with: "") } },
                     forKey: .styleSHA256)
        try c.encode(workDirectory, forKey: .workDirectory)
    }
}
