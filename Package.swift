// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Warden",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "warden", targets: ["warden"]),
        .library(name: "WardenCore", targets: ["WardenCore"]),
        .library(name: "WardenStore", targets: ["WardenStore"]),
        .library(name: "WardenPipeline", targets: ["WardenPipeline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.60.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.34.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // System libraries. Each module map points at a small shim header that fixes what Swift
        // cannot import directly (PCRE2's width-suffixed macros, curl's variadic setopt).
        .systemLibrary(name: "CPCRE2", pkgConfig: "libpcre2-8", providers: [.apt(["libpcre2-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),

        // Domain model and pure logic. No I/O; the only C library is PCRE2.
        .target(name: "WardenCore", dependencies: ["CPCRE2", .product(name: "Yams", package: "Yams")]),
        // One SQL interface, two drivers (SQLite, PostgreSQL), migrations, repositories.
        .target(name: "WardenStore", dependencies: ["CSQLite", "CLibPQ", "WardenCore"]),
        // The provider client alone: OpenAI-compatible chat, vision and embeddings over libcurl, retries,
        // circuit breaker, configuration, prompt templates. Knows nothing of the store or of moderation.
        .target(name: "WardenLLM", dependencies: ["CCurl", "WardenCore", .product(name: "Crypto", package: "swift-crypto")]),
        // The staged message pipeline (scope, evaluate, the LLM stage with its quota gate, decide, persist),
        // the desks for appeals, rules, settings and webhooks, the durable job runner and the webhook deliverer.
        .target(name: "WardenPipeline", dependencies: ["WardenCore", "WardenStore", "WardenLLM", .product(name: "Crypto", package: "swift-crypto")]),
        // The support desk: tickets, durable summaries, clustering into FAQ proposals, staff approval,
        // FAQ search, payment screenshot verification; its pure parts (clustering, redaction,
        // verification policy, ticket states) beside the jobs that use them.
        .target(name: "WardenSupport", dependencies: ["WardenCore", "WardenStore", "WardenLLM", "WardenPipeline"]),
        // The object graph, built once: store, guild directory, pipeline, LLM stage, job runner, desks. Used by
        // `warden serve`, `warden scan`, the support worker, the benchmark and the tests.
        .target(name: "WardenApp", dependencies: ["WardenCore", "WardenStore", "WardenLLM", "WardenPipeline", "WardenSupport"]),
        // The HTTP service (Hummingbird 2): /v1 API for the bot, moderators, staff and admins; bearer-token
        // auth by role and guild; events long-poll; health, Prometheus metrics, the OpenAPI document.
        .target(name: "WardenServer", dependencies: [
            "WardenCore", "WardenStore", "WardenLLM", "WardenPipeline", "WardenSupport", "WardenApp",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "NIOCore", package: "swift-nio"),
            // The HTTP/1.1 channel (parser errors in the JSON shape, connection timeouts) is built from these.
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
            // The console's server-rendered pages.
            .product(name: "Mustache", package: "swift-mustache"),
        ], resources: [.copy("OpenAPI/openapi.json"), .copy("Console/Templates"), .copy("Console/Assets")]),
        .executableTarget(
            name: "warden",
            dependencies: [
                "WardenCore", "WardenStore", "WardenPipeline", "WardenLLM", "WardenSupport", "WardenApp", "WardenServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Release-mode benchmark: `swift run -c release warden-bench`.
        .executableTarget(name: "warden-bench", dependencies: [
            "WardenCore", "WardenStore", "WardenPipeline", "WardenLLM", "WardenSupport", "WardenApp", "WardenServer", "WardenLLMTestServer", "WardenTestSupport",
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),

        // Fresh SQLite files and PostgreSQL schemas for the store and pipeline tests.
        .target(name: "WardenTestSupport", dependencies: ["WardenStore"], path: "Tests/WardenTestSupport"),
        // A deterministic OpenAI-compatible server on loopback that can also misbehave (tests, benchmark).
        .target(name: "WardenLLMTestServer", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "Crypto", package: "swift-crypto"),
        ], path: "Tests/WardenLLMTestServer"),
        .testTarget(name: "WardenCoreTests", dependencies: ["WardenCore", "WardenTestSupport"]),
        .testTarget(name: "WardenStoreTests", dependencies: ["WardenStore", "WardenTestSupport"]),
        .testTarget(name: "WardenLLMTests", dependencies: ["WardenLLM", "WardenCore", "WardenLLMTestServer"]),
        .testTarget(name: "WardenSupportTests", dependencies: ["WardenSupport", "WardenPipeline", "WardenApp", "WardenCore", "WardenStore", "WardenLLM", "WardenTestSupport", "WardenLLMTestServer"]),
        .testTarget(name: "WardenServerTests", dependencies: [
            "WardenServer", "WardenApp", "WardenPipeline", "WardenSupport", "WardenCore", "WardenStore", "WardenLLM", "WardenTestSupport", "WardenLLMTestServer",
            .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        .testTarget(name: "WardenPipelineTests", dependencies: [
            "WardenPipeline", "WardenApp", "WardenCore", "WardenStore", "WardenLLM", "WardenTestSupport", "WardenLLMTestServer",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
