import WasmEngines
import WasmBinary
import WasmGenerator
import WasmSyntax

/// One input of the differential oracle: a module's bytes, what we know
/// about it, and the seed its call arguments are derived from.
public struct FuzzCase: Sendable {
    /// What the module is meant to be.
    public enum Expectation: String, Sendable {
        /// Generated valid: engines must accept it, then agree on its runs.
        case valid
        /// Generated with one rule-breaking mutation: engines must reject it.
        case invalid
        /// A stored or user-given module: engines must agree on it.
        case unknown
    }

    public var bytes: [UInt8]
    /// The decoded module (nil when our decoder rejects it): its export
    /// types drive the calls.
    public var module: Module?
    public var expectation: Expectation
    /// The rule an invalid module breaks (`InvalidModuleRule`).
    public var invalidRule: String?
    /// Arguments of export `name` come from a generator seeded by this and
    /// the name, so that they survive reduction (which keeps names).
    public var argumentSeed: UInt64
    /// Whether the generator made every arithmetic NaN canonical, so that
    /// NaN classes must match exactly (`ValueComparison`).
    public var strictNaNs: Bool
    /// The fuzzer's input that produced the case (empty for stored modules).
    public var seed: [UInt8]

    public init(bytes: [UInt8], module: Module? = nil, expectation: Expectation = .unknown, invalidRule: String? = nil,
                argumentSeed: UInt64? = nil, strictNaNs: Bool = false, seed: [UInt8] = []) {
        self.bytes = bytes
        self.module = module ?? (try? decodeModule(bytes))
        self.expectation = expectation
        self.invalidRule = invalidRule
        self.argumentSeed = argumentSeed ?? ContentHash.of(seed.isEmpty ? bytes : seed)
        self.strictNaNs = strictNaNs
        self.seed = seed
    }

    /// Whether the module uses relaxed SIMD, whose results may differ
    /// between engines (so a divergence is inconclusive).
    public var usesRelaxedSimd: Bool {
        guard let module else { return false }
        for function in module.functions {
            guard let instructions = try? decodeInstructions(function.body) else { continue }
            if instructions.contains(where: { $0.opcode.feature.contains(.relaxedSimd) }) { return true }
        }
        return false
    }
}

/// Turns fuzzer input bytes into cases with the module generator (an
/// adapter over `WasmGenerator`, whose configuration it leaves alone
/// except for the fields the oracle needs).
///
/// The first input byte picks the kind of case, the rest drives the
/// generator: one case in `invalidShare` is an invalid module (for the
/// validation differential), and of the valid ones half guard their
/// trapping instructions (so calls run long) and half may trap (so trap
/// kinds get compared).
public struct CaseGenerator: Sendable {
    public let config: GeneratorConfig
    public let invalidShare: Int
    private let trapping: ModuleGenerator
    private let guarded: ModuleGenerator

    /// - Parameter config: features, sizes; fuel, NaN canonicalisation,
    ///   exports and imports are set here for differential runs.
    public init(config base: GeneratorConfig, invalidShare: Int = 4) throws(GeneratorError) {
        var config = base
        if config.fuel == nil { config.fuel = 1_000 }
        config.canonicalizeNaNs = true
        config.exportAllFunctions = true
        config.allowImports = false
        config.template = nil
        self.config = config
        self.invalidShare = Swift.max(0, invalidShare)
        var noTraps = config
        noTraps.noTraps = true
        var traps = config
        traps.noTraps = false
        trapping = try ModuleGenerator(config: traps)
        guarded = try ModuleGenerator(config: noTraps)
    }

    /// The configuration used for fuzzing by default: swarm mode over the
    /// features every engine supports (WebAssembly 3.0 at most).
    public static func defaultConfig(features: Features) -> GeneratorConfig {
        var config = GeneratorConfig()
        config.features = features
        config.swarm = true
        return config
    }

    public func makeCase(_ seed: [UInt8]) -> FuzzCase {
        let selector = seed.first ?? 0
        let body = Array(seed.dropFirst())
        if invalidShare > 0 && Int(selector) % invalidShare == invalidShare - 1 {
            let invalid = trapping.generateInvalid(body)
            return FuzzCase(bytes: encodeModule(invalid.module), module: invalid.module, expectation: .invalid,
                            invalidRule: invalid.rule.rawValue, seed: seed)
        }
        let generator = selector & 0x10 != 0 ? guarded : trapping
        let generated = generator.generate(body)
        // Not strict about NaN classes: the generator canonicalises what
        // arithmetic produces, but arguments may be non-canonical NaNs and
        // generated code can read a value from before canonicalisation.
        return FuzzCase(bytes: encodeModule(generated.module), module: generated.module, expectation: .valid, seed: seed)
    }
}
