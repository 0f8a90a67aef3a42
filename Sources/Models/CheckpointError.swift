/// A set of weights that does not fit the network it is for: the one error for a wrong weights file, whichever
/// reader or check finds it. Each case names the file (nil for weights built in memory), the tensor, and what to do.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    case unknownNetwork(file: String)
    case missingTensor(file: String?, tensor: String, network: String)
    case wrongShape(file: String?, tensor: String, network: String, expected: [Int], found: [Int])
    case nonFinite(file: String?, tensor: String, index: Int)

    public var description: String {
        switch self {
        case let .unknownNetwork(file):
            let known = Architecture.allCases.map(\.rawValue).joined(separator: ", ")
            return "\(file) holds no known network (\(known) in torchvision layout)"
        case let .missingTensor(file, tensor, network):
            return "\(Self.source(file, network)): tensor \(tensor) is missing (needed by \(network)); "
                + "is it a complete \(network) state_dict?"
        case let .wrongShape(file, tensor, network, expected, found):
            return "\(Self.source(file, network)): tensor \(tensor) has shape \(found), expected \(expected) for \(network); "
                + "the file holds another network or variant"
        case let .nonFinite(file, tensor, index):
            return "\(Self.source(file, nil)): tensor \(tensor) holds NaN or infinity at element \(index); "
                + "the file is damaged, download or export it again"
        }
    }

    private static func source(_ file: String?, _ network: String?) -> String {
        file ?? "the \(network.map { $0 + " " } ?? "")weights"
    }
}
