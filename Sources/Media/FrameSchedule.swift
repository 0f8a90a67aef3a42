import Foundation

/// Which iterations become video frames.
/// `linear`: every `save_every` iterations. `log`: the same number of frames spread geometrically, dense at the
/// start where the picture changes fastest and sparse at the end. Both always include the first iteration (0,
/// the initial image) and the last.
public struct FrameSchedule: Equatable, Sendable {
    public enum Kind: String, CaseIterable, Sendable { case linear, log }

    public let kind: Kind
    public let saveEvery: Int
    public let iterations: Int
    /// The iterations to save, ascending, without repeats.
    public let frameIterations: [Int]
    private let members: Set<Int>

    public init(kind: Kind, saveEvery: Int, iterations: Int) throws {
        guard saveEvery > 0 else { throw MediaError.invalidOption(path: "frame schedule", reason: "save_every \(saveEvery) must be positive") }
        guard iterations >= 0 else { throw MediaError.invalidOption(path: "frame schedule", reason: "iterations \(iterations) must not be negative") }
        self.kind = kind
        self.saveEvery = saveEvery
        self.iterations = iterations
        let linear = Array(stride(from: 0, to: iterations, by: saveEvery)) + [iterations]
        switch kind {
        case .linear:
            frameIterations = linear
        case .log:
            frameIterations = Self.geometric(count: linear.count, last: iterations)
        }
        members = Set(frameIterations)
    }

    public func includes(_ iteration: Int) -> Bool { members.contains(iteration) }

    /// Frames that show the final picture for `seconds` at `frameRate` (0 for no hold; a caller shows it at least once).
    public static func holdFrames(seconds: Double, frameRate: FrameRate) -> Int {
        max(0, Int((seconds * frameRate.value).rounded()))
    }

    /// `count` distinct iterations in 0…last: 0, then round(last^t) for t spread evenly over (0, 1]; when rounding
    /// merges early ones, more points are taken so the count is kept where it can be.
    static func geometric(count: Int, last: Int) -> [Int] {
        guard last > 0 else { return [0] }
        let target = min(count, last + 1)
        var points = max(target - 1, 1)
        var result: [Int] = [0, last]
        while true {
            var values: Set<Int> = [0, last]
            for k in 1 ... points {
                values.insert(Int(pow(Double(last), Double(k) / Double(points)).rounded()))
            }
            result = values.sorted()
            if result.count >= target || points > 4 * (last + 1) { break }
            points += target - result.count
        }
        // Thin from the dense end only if the search overshot.
        while result.count > target { result.remove(at: 1) }
        return result
    }
}
