// swift-tools-version:5.9
import PackageDescription

let package = Package(
    name: "nngc",
    products: [
        .library(name: "NNGC", targets: ["NNGCore", "NNGLang", "NNGIR", "NNGTrain", "NNGRuntime"]),
        .executable(name: "nngc", targets: ["nngc"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        // ONNX models are protobuf messages; Sources/NNGInterop/Generated/onnx.pb.swift says how it was generated.
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        .systemLibrary(name: "CCPUFeatures", path: "Sources/CCPUFeatures"),
        .systemLibrary(name: "CArenaMemory", path: "Sources/CArenaMemory"),
        // DWARF 4: valgrind 3.19 (Debian 12, ValgrindTests) cannot read clang's default DWARF 5.
        .target(name: "CBLASDispatch", cSettings: [.unsafeFlags(["-gdwarf-4"])]),
        .systemLibrary(name: "CTinyCC", path: "Sources/CTinyCC"),
        // OpenMPI (Debian's libopenmpi-dev): data-parallel training under mpirun (docs/distributed.md).
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        .target(name: "NNGCore", dependencies: [.product(name: "RealModule", package: "swift-numerics")]),
        .target(name: "NNGLang", dependencies: ["NNGCore"]),
        .target(name: "NNGIR", dependencies: ["NNGCore", "NNGLang", .product(name: "RealModule", package: "swift-numerics")]),
        // The train block: its typed configuration (data sources, optimizer, schedule) and its reader.
        .target(name: "NNGTrain", dependencies: ["NNGCore", "NNGLang", "NNGIR"]),
        .target(name: "NNGRuntime", dependencies: ["NNGCore", "NNGIR", "NNGTrain", "CBLASDispatch", "CCPUFeatures", "CArenaMemory", "CTinyCC", "CMPI",
                                                  .product(name: "RealModule", package: "swift-numerics")]),
        .target(name: "NNGInterop", dependencies: ["NNGCore", "NNGIR", "NNGRuntime",
                                                  .product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        .executableTarget(name: "nngc", dependencies: [
            "NNGCore", "NNGLang", "NNGIR", "NNGTrain", "NNGRuntime", "NNGInterop",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "nngc-bench", dependencies: ["NNGCore", "NNGLang", "NNGIR", "NNGTrain", "NNGRuntime", "CBLASDispatch"],
                          path: "Benchmarks/StepBenchmark"),
        .target(name: "NNGTestSupport", path: "Tests/NNGTestSupport"),
        .target(name: "AllocationCounter", path: "Tests/AllocationCounter"),
        .testTarget(name: "NNGCoreTests", dependencies: ["NNGCore"]),
        .testTarget(name: "NNGLangTests", dependencies: ["NNGCore", "NNGLang", "NNGTestSupport"]),
        .testTarget(name: "NNGIRTests", dependencies: ["NNGCore", "NNGLang", "NNGIR", "NNGTrain", "NNGTestSupport"]),
        .testTarget(name: "NNGRuntimeTests", dependencies: ["NNGCore", "NNGLang", "NNGIR", "NNGTrain", "NNGRuntime", "NNGTestSupport",
                                                          "AllocationCounter", "CBLASDispatch"]),
        .testTarget(name: "NNGInteropTests", dependencies: ["NNGCore", "NNGIR", "NNGRuntime", "NNGInterop", "NNGTestSupport"]),
        .testTarget(name: "nngcTests", dependencies: ["nngc", "NNGTestSupport"]),
    ]
)
