import Foundation
import ArgumentParser
import Layers
import Media
import TensorCore

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the linked libraries, the OpenBLAS kernel in use, the convolution instruction set and the measured sgemm rate.")

    @Option(help: "Size of the square sgemm used to measure the rate.")
    var gemmSize = 1024

    func run() throws {
        guard (1...8192).contains(gemmSize) else { throw ValidationError("--gemm-size must be between 1 and 8192 (three square matrices of that side must fit in memory)") }
        for (name, version) in LibraryVersions.all { print("\(name.padding(12)) \(version)") }
        let blas = try BLAS.load()
        print("\("OpenBLAS".padding(12)) \(blas.config)")
        print("\("library".padding(12)) \(blas.library)")
        print("\("kernel".padding(12)) \(blas.coreName) (\(blas.coreSource.rawValue))")
        print("\("threads".padding(12)) \(blas.threads) (cores this process may use: \(CoreCount.available))")
        let supported = WinogradISA.allCases.filter(\.isSupported).map(\.description).joined(separator: ", ")
        print("\("winograd".padding(12)) \(WinogradISA.active) (this CPU runs: \(supported); STYLIZE_ISA chooses)")
        let rate = SgemmRate.measure(size: gemmSize)
        print("\("sgemm".padding(12)) \(String(format: "%.1f", rate)) GFLOP/s (\(gemmSize)³, single precision)")
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
