// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ledgerbridge",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ledgerbridge", targets: ["ledgerbridge"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        // A Prometheus backend for swift-metrics: the exposition format, label
        // escaping and histogram buckets, maintained by the swift-server group.
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        // Outbound HTTP: the connectors' calls to Xero and Cin7 Core, and the
        // sandboxes' webhook deliveries (pooled keep-alive, timeouts, redirects).
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.24.0"),
    ],
    targets: [
        // C libraries, each a module map plus a shim for the macros Swift cannot import.
        .systemLibrary(
            name: "CLibPQ",
            path: "Sources/CBindings/CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "COpenSSL",
            path: "Sources/CBindings/COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CBindings/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CNGHTTP2",
            path: "Sources/CBindings/CNGHTTP2",
            pkgConfig: "libnghttp2",
            providers: [.apt(["libnghttp2-dev"])]
        ),

        // Thin Swift wrappers over the C libraries.
        .target(
            name: "Postgres",
            dependencies: ["CLibPQ", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "Cryptography",
            dependencies: ["COpenSSL"]
        ),
        // Outbound clients of Xero and Cin7 Core (AsyncHTTPClient), base URLs from configuration.
        .target(
            name: "Connectors",
            dependencies: [
                "Cryptography",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Secrets at rest: the key ring and AES-256-GCM sealing bound to where a secret belongs.
        .target(
            name: "Vault",
            dependencies: ["Cryptography"]
        ),
        // gzip (zlib) for grpc-encoding and Connect's content encodings.
        .target(
            name: "Gzip",
            dependencies: ["CZlib"]
        ),

        // TLS for the server's sockets: OpenSSL 3 behind a SwiftNIO channel handler.
        .target(
            name: "TLS",
            dependencies: ["COpenSSL", .product(name: "NIOCore", package: "swift-nio")]
        ),

        // The HTTP server: SwiftNIO sockets, libnghttp2 for HTTP/2, NIO's codec for HTTP/1.1.
        .target(
            name: "HTTPServer",
            dependencies: [
                "CNGHTTP2", "TLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),

        // The RPC layer: gRPC, gRPC-Web and Connect from one registered handler.
        .target(
            name: "RPC",
            dependencies: [
                "HTTPServer", "Gzip", "RPCMessages",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Messages generated from proto/ by ops/gen-proto (committed).
        .target(
            name: "RPCMessages",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),

        // The application's database: tenant-scoped transactions, platform access, migrations.
        .target(
            name: "Storage",
            dependencies: ["Postgres", "Cryptography", .product(name: "Logging", package: "swift-log")]
        ),

        // The job queue and the worker actor pool on PostgreSQL: claims, leases, schedules.
        .target(
            name: "Scheduler",
            dependencies: ["Storage", "Postgres", .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics")]
        ),

        // The services: diagnostics, tenants, connections, sync control, admin, and the plain routes.
        .target(
            name: "Services",
            dependencies: [
                "RPC", "RPCMessages", "Storage", "Postgres", "HTTPServer", "Cryptography", "Vault", "Connectors", "Scheduler",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),

        // Faithful local simulators of Xero and Cin7 Core, for tests, benchmarks and the demo.
        .target(
            name: "Sandbox",
            dependencies: [
                "HTTPServer", "Cryptography",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),

        // The one executable, with its subcommands.
        .executableTarget(
            name: "ledgerbridge",
            dependencies: [
                "Storage", "Services", "RPC", "HTTPServer", "TLS", "Sandbox", "Vault", "Connectors", "Scheduler",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Benchmarks (ops/bench/): measured by hand, never in the test run.
        .executableTarget(
            name: "DatabaseBenchmark",
            dependencies: ["Storage", "Postgres"],
            path: "ops/bench/db/Sources"
        ),
        .executableTarget(
            name: "QueueBenchmark",
            dependencies: ["Scheduler", "Storage", "Postgres", .product(name: "Logging", package: "swift-log")],
            path: "ops/bench/queue/Sources"
        ),

        .target(name: "TestSupport", dependencies: ["Postgres"], path: "Tests/TestSupport"),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "Postgres", "TestSupport"]),
        .testTarget(name: "SchedulerTests", dependencies: ["Scheduler", "Storage", "Postgres", "TestSupport"]),
        .testTarget(name: "CryptographyTests", dependencies: ["Cryptography"]),
        .testTarget(name: "GzipTests", dependencies: ["Gzip"]),
        .testTarget(name: "ConnectorsTests", dependencies: [
            "Connectors", "Sandbox", "HTTPServer",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "VaultTests", dependencies: ["Vault", "Cryptography", "Services", "Storage", "Postgres", "TestSupport"]),
        // The connection service against the Xero sandbox (in process) and the test database.
        .testTarget(name: "ConnectionsTests", dependencies: [
            "Services", "Connectors", "Vault", "Storage", "Postgres", "Sandbox", "HTTPServer", "TestSupport",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "SandboxTests", dependencies: ["Sandbox", "Cryptography"]),
        .testTarget(name: "ServicesTests", dependencies: [
            "Services", "RPC", "RPCMessages", "HTTPServer",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .testTarget(name: "HTTPServerTests", dependencies: [
            "HTTPServer",
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .testTarget(name: "RPCTests", dependencies: [
            "RPC", "HTTPServer", "RPCMessages",
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .testTarget(name: "TLSTests", dependencies: [
            "TLS",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
    ]
)
