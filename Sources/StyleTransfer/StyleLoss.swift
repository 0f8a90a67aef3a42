/// The statistic of each style layer the output must match.
///
/// - `gram`: the Gram matrix of the features (Gatys et al. 2016).
/// - `w2`: a Gaussian fitted to the features (mean and covariance), matched in the Wasserstein-2 distance
///   (`Wasserstein`): it also holds the features' mean, which the Gram mixes into its second moment, and is
///   blind to the contrast oscillations a Gram match leaves (Heitz et al. 2021).
public enum StyleLoss: String, Codable, Sendable, CaseIterable {
    case gram, w2
}
