// swift-tools-version:6.0
import PackageDescription

// Release builds of the store and the engine skip the dynamic exclusivity checks (they cost
// about 15% of load time); debug builds, and so the tests, keep them.
let hotPaths: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    // Linux only (Debian): the C libraries come from Debian's packages and the store calls
    // glibc (mallopt, free, mmap flags) directly; CaseStore refuses to build elsewhere.
    name: "caseql",
    products: [
        .executable(name: "caseql", targets: ["caseql"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibEdit",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
        ),
        .systemLibrary(
            name: "CXlsxWriter",
            pkgConfig: "xlsxwriter",
            providers: [.apt(["libxlsxwriter-dev"])]
        ),
        .systemLibrary(name: "CExpat", pkgConfig: "expat", providers: [.apt(["libexpat1-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "CSupport"),
        .target(name: "CaseStore", dependencies: ["CExpat", "CZlib", "CSupport"], swiftSettings: hotPaths),
        // ICU's collation keys (Collation.swift) come from the ICU that Foundation carries.
        .target(name: "CaseQuery", dependencies: ["CaseStore"], swiftSettings: hotPaths,
                linkerSettings: [.linkedLibrary("_FoundationICU")]),
        .target(name: "CaseOffice", dependencies: ["CaseStore", "CaseQuery"]),
        .target(name: "CaseShell", dependencies: ["CaseStore", "CaseQuery", "CaseOffice", "CLibEdit", "CXlsxWriter"]),
        .executableTarget(
            name: "caseql",
            dependencies: [
                "CaseShell", "CaseOffice", "CaseStore", "CaseQuery", "CSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "CaseStoreTests", dependencies: ["CaseStore"]),
        .testTarget(name: "CaseQueryTests", dependencies: ["CaseQuery", "CaseStore"],
                    resources: [.copy("Golden")]),
        .testTarget(name: "CaseOfficeTests", dependencies: ["CaseOffice", "CaseStore", "CaseQuery"]),
        .testTarget(name: "CaseShellTests", dependencies: ["CaseShell", "CaseOffice", "CaseStore", "CaseQuery"],
                    resources: [.copy("Golden")]),
    ],
    swiftLanguageModes: [.v6]
)
