// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Stylize",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "stylize", targets: ["stylize"]),
        .library(name: "StyleTransfer", targets: ["StyleTransfer"]),
        .library(name: "Media", targets: ["Media"]),
    ],
    // What each dependency does for Stylize, and what stays hand-written and why: README.md, "Dependencies and why".
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
    ],
    targets: [
        // System libraries, found through pkg-config. OpenBLAS is deliberately not among them: it is
        // loaded at run time (TensorCore/BLAS.swift) so its CPU kernel can be chosen before it initialises.
        .systemLibrary(
            name: "CFFmpeg", pkgConfig: "libavformat libavcodec libavutil libswscale libavfilter",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev", "libswscale-dev", "libavfilter-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CCairo", pkgConfig: "cairo", providers: [.apt(["libcairo2-dev"])]),

        .target(name: "TensorCore"),
        // Write-to-a-temporary-then-rename, shared by Media and Weights (which must not depend on each other).
        .target(name: "AtomicFiles"),
        // The fused Winograd kernels, one C source compiled per instruction set (why C: Sources/CWinograd/Winograd.c).
        .target(name: "CWinograd"),
        .target(name: "Layers", dependencies: ["TensorCore", "CWinograd"]),
        .target(name: "Models", dependencies: ["TensorCore", "Layers"]),
        .target(
            name: "Weights",
            dependencies: [
                "TensorCore", "Models", "AtomicFiles", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "Subprocess", package: "swift-subprocess"),
            ]),
        // Half-precision vectors with F16C chosen at run time, for L-BFGS pairs kept compact under a memory budget.
        .target(name: "CHalfVector"),
        .target(name: "Optimizers", dependencies: ["CHalfVector"]),
        .target(name: "StyleTransfer", dependencies: ["TensorCore", "Models", "Optimizers"]),
        .target(name: "Media", dependencies: ["CFFmpeg", "CPNG", "AtomicFiles"]),
        // The one conversion between Media's RGBImage and TensorCore's Tensor (neither depends on the other).
        .target(name: "ImageTensor", dependencies: ["TensorCore", "Media"]),
        // Loss plots and contact sheets, drawn and labelled by Cairo (text in DejaVu Sans).
        .target(name: "Plots", dependencies: ["CCairo", "AtomicFiles"]),
        .target(name: "VideoStyle", dependencies: ["StyleTransfer", "TensorCore", "Models", "Media", "ImageTensor"]),
        .executableTarget(
            name: "stylize",
            dependencies: [
                "TensorCore", "Layers", "Models", "Weights", "StyleTransfer", "Media", "ImageTensor", "VideoStyle", "Plots",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore"]),
        .testTarget(name: "LayersTests", dependencies: ["Layers", "TensorCore"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Layers", "Weights", "TensorCore"]),
        .testTarget(
            name: "WeightsTests", dependencies: ["Weights", "Models", "TensorCore", .product(name: "Crypto", package: "swift-crypto")], exclude: ["Fixtures"]),
        .testTarget(name: "MediaTests", dependencies: ["Media", "CFFmpeg"], exclude: ["Files"]),
        .testTarget(name: "OptimizersTests", dependencies: ["Optimizers"]),
        .testTarget(name: "PlotsTests", dependencies: ["Plots", "Media"]),
        .testTarget(name: "VideoStyleTests", dependencies: ["VideoStyle", "StyleTransfer", "TensorCore", "Models", "Media"]),
        // Runs the built `stylize` executable as a user would.
        .testTarget(name: "CLITests", dependencies: ["stylize", "Media", "TensorCore", "Plots"]),
        .testTarget(name: "StyleTransferTests", dependencies: ["StyleTransfer", "TensorCore", "Models", "Optimizers", "Weights"]),
    ],
    swiftLanguageModes: [.v5]
)
