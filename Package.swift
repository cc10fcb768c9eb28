// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "cost-tracker",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "CostCore", targets: ["CostCore"]),
        .library(name: "AgentSDK", targets: ["AgentSDK"]),
        .executable(name: "cost-persist", targets: ["PersistWorker"]),
        .executable(name: "cost-budget", targets: ["BudgetWorker"]),
        .executable(name: "cost-breaker", targets: ["BreakerWorker"]),
        .executable(name: "cost-anomaly", targets: ["AnomalyWorker"]),
        .executable(name: "costctl", targets: ["costctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.0"),
    ],
    targets: [
        // Pure core: no C, no I/O, no clock or environment reads.
        .target(name: "CostCore"),

        // C libraries from Debian's packages.
        .systemLibrary(name: "CRabbitMQ", pkgConfig: "librabbitmq", providers: [.apt(["librabbitmq-dev"])]),
        .systemLibrary(name: "CHiredis", pkgConfig: "hiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // The allocator every worker and costctl link in place of glibc's malloc.
        .systemLibrary(name: "CJemalloc", pkgConfig: "jemalloc", providers: [.apt(["libjemalloc-dev"])]),

        // Thin Swift wrappers: own the C handle, never expose C types.
        .target(name: "AMQPClient", dependencies: ["CRabbitMQ"]),
        .target(name: "RedisClient", dependencies: ["CHiredis"]),
        .target(name: "PostgresClient", dependencies: ["CLibPQ"]),

        // The record: schema migrations and the SQL the workers and costctl run.
        .target(name: "CostStore", dependencies: ["CostCore", "PostgresClient"]),

        // What every worker shares: config, consume loop, dead-lettering, metrics, health.
        .target(name: "WorkerRuntime", dependencies: [
            "CostCore", "AMQPClient", "RedisClient", "PostgresClient", "CostStore", "CJemalloc",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // The persist worker's logic, a library so costctl's benchmark runs the same code.
        .target(name: "PersistKit", dependencies: ["WorkerRuntime", "CostStore", "CostCore"]),

        // The budget worker's logic: exact counters in Redis, tier alerts, webhooks, rebuild.
        .target(name: "BudgetKit", dependencies: [
            "WorkerRuntime", "CostStore", "CostCore", "RedisClient",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),

        // The breaker worker's logic: state in Redis (compare-and-set), signals, signed commands.
        .target(name: "BreakerKit", dependencies: [
            "WorkerRuntime", "CostStore", "CostCore", "RedisClient", "AMQPClient",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),

        // The anomaly worker's logic: risk scores with agent state shared in Redis (compare-and-set).
        .target(name: "AnomalyKit", dependencies: ["WorkerRuntime", "CostStore", "CostCore", "RedisClient"]),

        // What agents link: publisher with confirms and a local buffer.
        .target(name: "AgentSDK", dependencies: ["CostCore", "AMQPClient", "RedisClient"]),

        .executableTarget(name: "PersistWorker", dependencies: ["PersistKit", "WorkerRuntime"], path: "Workers/persist"),
        .executableTarget(name: "BudgetWorker", dependencies: ["BudgetKit", "WorkerRuntime"], path: "Workers/budget"),
        .executableTarget(name: "BreakerWorker", dependencies: ["BreakerKit", "WorkerRuntime"], path: "Workers/breaker"),
        .executableTarget(name: "AnomalyWorker", dependencies: ["AnomalyKit", "WorkerRuntime"], path: "Workers/anomaly"),
        .executableTarget(name: "costctl", dependencies: [
            "CostCore", "CostStore", "WorkerRuntime", "PersistKit", "BudgetKit", "BreakerKit", "AnomalyKit", "RedisClient", "AgentSDK", "AMQPClient", "PostgresClient",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "CostCoreTests", dependencies: ["CostCore"]),
        .testTarget(name: "ClientTests", dependencies: ["AMQPClient", "RedisClient", "PostgresClient", "AgentSDK", "CostCore"]),
        .testTarget(name: "IntegrationTests", dependencies: [
            "CostCore", "CostStore", "WorkerRuntime", "PersistKit", "BudgetKit", "BreakerKit", "AnomalyKit", "AgentSDK",
            "AMQPClient", "RedisClient", "PostgresClient",
            .product(name: "Logging", package: "swift-log"),
        ]),
    ]
)
