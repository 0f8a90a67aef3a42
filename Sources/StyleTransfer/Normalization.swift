/// How the content and style losses are scaled.
///
/// - `mean`: content = mean((F − P)²); Gram G = F·Fᵀ/(C·H·W), style E = mean((G − A)²) over its C² entries.
///   Layers contribute comparably whatever their size, so weights transfer between image sizes.
/// - `paper` (Gatys et al. 2016): content = ½Σ(F − P)²; G = F·Fᵀ, E = Σ(G − A)²/(4N²M²), N = C, M = H·W.
///   Total variation is a mean of squared neighbour differences under `mean`, their sum under `paper`.
public enum Normalization: String, Codable, Sendable, CaseIterable {
    case mean, paper

    /// The k in content = k·Σ(F − P)², so ∂/∂F = 2k(F − P).
    func contentFactor(elements: Int) -> Double {
        self == .mean ? 1 / Double(elements) : 0.5
    }

    /// The s in G = s·F·Fᵀ, over `mass` positions (a masked region's Σm², its positions unmasked).
    func gramScale(channels: Int, mass: Double) -> Double {
        self == .mean ? 1 / (Double(channels) * mass) : 1
    }

    /// The k in E = k·Σ(G − A)².
    func styleFactor(channels: Int, mass m: Double) -> Double {
        let n = Double(channels)
        return self == .mean ? 1 / (n * n) : 1 / (4 * n * n * m * m)
    }

    /// The k in TV = k·Σ(neighbour differences)².
    func tvFactor(elements: Int) -> Double {
        self == .mean ? 1 / Double(elements) : 1
    }
}
