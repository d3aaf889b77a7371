// swift-tools-version:6.0
// Coverage-guided fuzz targets (libFuzzer) for the parsers that read untrusted bytes. A package of its own
// because every module, Warden's included, must be built with `-sanitize=fuzzer`, and libFuzzer brings the
// `main`. Build and run through `scripts/fuzz.sh`, not directly.
import PackageDescription

let package = Package(
    name: "WardenFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Warden", path: "..")],
    targets: [
        // Hands control to libFuzzer from a SwiftPM executable (whose entry point SwiftPM names itself).
        .target(name: "CFuzzDriver"),
        // Discord message JSON, as `POST /v1/messages` reads it.
        .executableTarget(name: "FuzzMessageParser", dependencies: ["CFuzzDriver", .product(name: "WardenCore", package: "Warden")]),
        // Rule pack YAML, as `--rules` files and rule bodies are read.
        .executableTarget(name: "FuzzRulePack", dependencies: ["CFuzzDriver", .product(name: "WardenCore", package: "Warden")]),
        // Verification screenshots, as uploads are checked before a vision model sees them.
        .executableTarget(name: "FuzzImageProbe", dependencies: ["CFuzzDriver", .product(name: "WardenCore", package: "Warden")]),
    ]
)
