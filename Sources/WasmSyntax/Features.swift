/// The WebAssembly features (standardised proposals) a module may use.
///
/// Decoding and validation reject an instruction or type whose feature is
/// not enabled, so that a user can check a module against, say, 2.0 only.
public struct Features: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    // WebAssembly 2.0
    public static let mutableGlobals = Features(rawValue: 1 << 0)
    public static let signExtension = Features(rawValue: 1 << 1)
    public static let saturatingFloatToInt = Features(rawValue: 1 << 2)
    public static let multiValue = Features(rawValue: 1 << 3)
    public static let referenceTypes = Features(rawValue: 1 << 4)
    public static let bulkMemory = Features(rawValue: 1 << 5)
    public static let simd = Features(rawValue: 1 << 6)
    // WebAssembly 3.0
    public static let tailCall = Features(rawValue: 1 << 7)
    public static let functionReferences = Features(rawValue: 1 << 8)
    public static let gc = Features(rawValue: 1 << 9)
    public static let exceptions = Features(rawValue: 1 << 10)
    public static let memory64 = Features(rawValue: 1 << 11)
    public static let multiMemory = Features(rawValue: 1 << 12)
    public static let extendedConst = Features(rawValue: 1 << 13)
    public static let relaxedSimd = Features(rawValue: 1 << 14)
    // Legacy and proposals beyond 3.0
    public static let legacyExceptions = Features(rawValue: 1 << 15)
    public static let threads = Features(rawValue: 1 << 16)
    public static let wideArithmetic = Features(rawValue: 1 << 17)
    public static let customPageSizes = Features(rawValue: 1 << 18)

    public static let mvp: Features = [.mutableGlobals]
    public static let wasm2: Features = [.mutableGlobals, .signExtension, .saturatingFloatToInt, .multiValue, .referenceTypes, .bulkMemory, .simd]
    public static let wasm3: Features = wasm2.union([.tailCall, .functionReferences, .gc, .exceptions, .memory64, .multiMemory, .extendedConst, .relaxedSimd])
    public static let all: Features = wasm3.union([.legacyExceptions, .threads, .wideArithmetic, .customPageSizes])

    /// The names used on the command line and in reports.
    public static let names: [(String, Features)] = [
        ("mutable-globals", .mutableGlobals), ("sign-extension", .signExtension),
        ("saturating-float-to-int", .saturatingFloatToInt), ("multi-value", .multiValue),
        ("reference-types", .referenceTypes), ("bulk-memory", .bulkMemory), ("simd", .simd),
        ("tail-call", .tailCall), ("function-references", .functionReferences), ("gc", .gc),
        ("exceptions", .exceptions), ("memory64", .memory64), ("multi-memory", .multiMemory),
        ("extended-const", .extendedConst), ("relaxed-simd", .relaxedSimd),
        ("legacy-exceptions", .legacyExceptions), ("threads", .threads),
        ("wide-arithmetic", .wideArithmetic), ("custom-page-sizes", .customPageSizes),
    ]
}
