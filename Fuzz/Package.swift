// swift-tools-version:5.9
// Coverage-guided fuzz targets (libFuzzer, with AddressSanitizer). A package of its own so that
// the main build and `make test` never see them: `make fuzz` builds it with
// `-sanitize=fuzzer,address` applied to every module and runs each target for a fixed time.
import PackageDescription

let nngc: Target.Dependency = .product(name: "NNGC", package: "nngc")

let package = Package(
    name: "nngc-fuzz",
    dependencies: [.package(name: "nngc", path: "..")],
    targets: [
        .target(name: "FuzzDriver", path: "Sources/FuzzDriver"),
        .target(name: "FuzzSupport", dependencies: ["FuzzDriver"], path: "Sources/FuzzSupport"),
        .executableTarget(name: "fuzz-frontend", dependencies: [nngc, "FuzzSupport"], path: "Sources/FuzzFrontend"),
        .executableTarget(name: "fuzz-data", dependencies: [nngc, "FuzzSupport"], path: "Sources/FuzzData"),
        .executableTarget(name: "fuzz-backends", dependencies: [nngc, "FuzzSupport"], path: "Sources/FuzzBackends"),
    ]
)
