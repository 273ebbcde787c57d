import WasmEngines
import WasmBinary
import WasmGenerator
import WasmSyntax
import WasmValidation

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
    /// Compare only whether engines accept the module: it is a valid
    /// module with bytes flipped, whose code, if it still validates, may
    /// store NaNs that nothing canonicalised.
    public var compileOnly = false
    /// For a single-instruction case: its opcode and operand classes.
    public var boundary: SingleInstructionCoverage.Entry?
    /// Why the generator made no module from the input (a foreign
    /// generator that failed): the case is inconclusive, not run.
    public var unusable: String?

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

    /// The functions (module index space, imports first) that may execute
    /// a relaxed SIMD instruction, whose results the spec leaves to the
    /// engine: those with one in their body, and those that may call
    /// them (directly, or through any indirect call, conservatively).
    /// A divergence in a step that runs none of them is a finding.
    public var functionsReachingRelaxedSimd: Set<UInt32> {
        guard let module else { return [] }
        let imported = UInt32(module.imports.filter { if case .function = $0.descriptor { return true } else { return false } }.count)
        var relaxed: Set<UInt32> = []
        var callees: [UInt32: Set<UInt32>] = [:]
        var indirect: Set<UInt32> = []
        for (i, function) in module.functions.enumerated() {
            let index = imported + UInt32(i)
            guard let instructions = try? decodeInstructions(function.body) else {
                // Unreadable here: assume the worst.
                relaxed.insert(index)
                continue
            }
            for instruction in instructions {
                switch instruction.opcode {
                case .call, .returnCall:
                    if case .index(let f) = instruction.immediate { callees[index, default: []].insert(f) }
                case .callIndirect, .returnCallIndirect, .callRef, .returnCallRef:
                    indirect.insert(index)
                default:
                    if instruction.opcode.feature.contains(.relaxedSimd) { relaxed.insert(index) }
                }
            }
        }
        guard !relaxed.isEmpty else { return [] }
        var changed = true
        while changed {
            changed = false
            for index in imported..<imported + UInt32(module.functions.count) where !relaxed.contains(index) {
                if indirect.contains(index) || !(callees[index] ?? []).isDisjoint(with: relaxed) {
                    relaxed.insert(index)
                    changed = true
                }
            }
        }
        return relaxed
    }
}

/// Turns fuzzer input bytes into cases with the module generators (an
/// adapter over `WasmGenerator`, whose configuration it leaves alone
/// except for the fields the oracle needs).
///
/// The first input byte picks the kind of case, the rest drives the
/// generator: one case in `invalidShare` is an invalid module for the
/// validation differential (half of them break one rule on purpose, half
/// are valid modules with a few bytes flipped, which reach validator rules
/// the mutations do not target). Of the valid ones, the mode decides how
/// many are single-instruction modules with boundary operands
/// (`SingleInstructionGenerator`; one in eight of those is a
/// register-pressure shape, `RegisterPressure`); of the rest half guard their trapping
/// instructions (so calls run long) and half may trap (so trap kinds get
/// compared).
public struct CaseGenerator: Sendable {
    /// Which generator makes the valid cases.
    public enum Mode: String, Sendable, CaseIterable {
        /// Whole modules from the structure-aware generator.
        case structured
        /// One instruction with boundary operands per module.
        case single
        /// One valid case in four from `single`, the rest `structured`.
        case mixed
        /// Whole modules from `wasm-tools smith` (`SmithGenerator`).
        case wasmTools = "wasm-tools"
    }

    public let config: GeneratorConfig
    public let invalidShare: Int
    public let mode: Mode
    private let trapping: ModuleGenerator
    private let guarded: ModuleGenerator
    public let single: SingleInstructionGenerator
    /// The foreign generator of `.wasmTools` mode.
    public let smith: SmithGenerator?

    /// - Parameter config: features, sizes; fuel, NaN canonicalisation,
    ///   exports and imports are set here for differential runs.
    /// - Parameter smith: required by `.wasmTools` mode (`SmithGenerator.locate`).
    public init(config base: GeneratorConfig, invalidShare: Int = 4, mode: Mode = .mixed,
                smith: SmithGenerator? = nil) throws(GeneratorError) {
        var config = base
        if config.fuel == nil { config.fuel = 1_000 }
        config.canonicalizeNaNs = true
        config.exportAllFunctions = true
        config.allowImports = false
        config.template = nil
        self.config = config
        self.invalidShare = Swift.max(0, invalidShare)
        self.mode = mode
        var noTraps = config
        noTraps.noTraps = true
        var traps = config
        traps.noTraps = false
        trapping = try ModuleGenerator(config: traps)
        guarded = try ModuleGenerator(config: noTraps)
        single = SingleInstructionGenerator(features: config.features)
        self.smith = smith
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
            if selector & 0x40 != 0 { return flipped(body, seed: seed) }
            let invalid = trapping.generateInvalid(body)
            return FuzzCase(bytes: encodeModule(invalid.module), module: invalid.module, expectation: .invalid,
                            invalidRule: invalid.rule.rawValue, seed: seed)
        }
        if mode == .wasmTools, let smith {
            switch smith.generate(body) {
            case .success(let bytes):
                // smith canonicalises the NaNs arithmetic makes (as our
                // generator does), so NaN classes must match exactly.
                return FuzzCase(bytes: bytes, expectation: .valid, strictNaNs: true, seed: seed)
            case .failure(let why):
                var c = FuzzCase(bytes: [], expectation: .unknown, seed: seed)
                c.unusable = why.description
                return c
            }
        }
        let singleCase = mode == .single || (mode == .mixed && (selector >> 5) & 3 == 0)
        if singleCase && body.count > 2 && body[2] & 7 == 7 {
            // One in eight: a register-pressure shape instead of one
            // instruction (its constants hold no NaNs with payloads).
            let module = RegisterPressure.module(Array(body.dropFirst(3)))
            return FuzzCase(bytes: encodeModule(module), module: module, expectation: .valid, strictNaNs: true, seed: seed)
        }
        if singleCase && !single.opcodes.isEmpty {
            let made = single.generate(body)
            // Strict unless an operand is a NaN with a payload: an
            // operation on one may give any quiet NaN.
            var c = FuzzCase(bytes: encodeModule(made.module), module: made.module, expectation: .valid,
                             strictNaNs: !made.nonCanonicalNaNOperand, seed: seed)
            c.boundary = SingleInstructionCoverage.Entry(opcode: made.opcode, classes: made.classes)
            return c
        }
        let generator = selector & 0x10 != 0 ? guarded : trapping
        let generated = generator.generate(body)
        // Strict about NaN classes: every NaN arithmetic produces is made
        // canonical before anything can read it (generated code never reads
        // the scratch locals that hold raw results), and the rest of the
        // float operations copy bits exactly, so engines must agree on the
        // class of every NaN and on every byte of memory.
        return FuzzCase(bytes: encodeModule(generated.module), module: generated.module, expectation: .valid,
                        strictNaNs: true, seed: seed)
    }

    /// A valid module with one to three bytes changed (at positions and to
    /// values from the input): engines must agree on accepting it. A flip
    /// that makes the module use a feature outside the run's (a `try` of
    /// legacy exceptions, say) is drawn again: engines may lack it.
    private func flipped(_ body: [UInt8], seed: [UInt8]) -> FuzzCase {
        let original = encodeModule(trapping.generate(body).module)
        var random = SplitMix64(seed: ContentHash.of(seed))
        var bytes = original
        for _ in 0..<8 {
            bytes = original
            for _ in 0...random.below(3) where bytes.count > 8 {
                // Past the 8-byte preamble, which only makes every engine say "magic".
                let at = 8 + random.below(bytes.count - 8)
                bytes[at] = random.below(2) == 0 ? bytes[at] ^ UInt8(1 << random.below(8)) : UInt8(truncatingIfNeeded: random.next())
            }
            if Self.accepts(bytes, features: .all) == Self.accepts(bytes, features: config.features) { break }
            bytes = original
        }
        var c = FuzzCase(bytes: bytes, expectation: .unknown, seed: seed)
        c.compileOnly = true
        return c
    }

    /// Whether our decoder and validator accept `bytes` with `features`.
    static func accepts(_ bytes: [UInt8], features: Features) -> Bool {
        guard let module = try? decodeModule(bytes, features: features) else { return false }
        do { try validateModule(module, features: features) } catch { return false }
        return true
    }
}

/// Which (opcode, operand class) pairs single-instruction cases reached.
public struct SingleInstructionCoverage: Sendable {
    public struct Entry: Sendable, Hashable {
        public var opcode: Opcode
        public var classes: [BoundaryClass]
    }

    /// Every pair there is, per opcode.
    public let space: [Opcode: Set<BoundaryClass>]
    public private(set) var covered: [Opcode: Set<BoundaryClass>] = [:]

    public init(_ generator: SingleInstructionGenerator) { space = generator.coverageSpace }

    public mutating func record(_ entry: Entry) {
        covered[entry.opcode, default: []].formUnion(entry.classes)
    }

    public var opcodes: (covered: Int, total: Int) { (covered.count, space.count) }
    public var pairs: (covered: Int, total: Int) {
        (covered.reduce(0) { $0 + $1.value.intersection(space[$1.key] ?? []).count }, space.values.reduce(0) { $0 + $1.count })
    }

    /// Per class: how many opcodes it applies to were reached with it.
    public var byClass: [(BoundaryClass, covered: Int, total: Int)] {
        BoundaryClass.allCases.compactMap { c in
            let total = space.values.filter { $0.contains(c) }.count
            guard total > 0 else { return nil }
            return (c, covered.filter { $0.value.contains(c) && space[$0.key]?.contains(c) == true }.count, total)
        }
    }

    /// A report: opcodes, pairs, and each class's share.
    public var summary: String {
        let o = opcodes, p = pairs
        var lines = ["single-instruction coverage: \(o.covered)/\(o.total) opcodes, \(p.covered)/\(p.total) opcode × class pairs"]
        lines.append(byClass.map { "\($0.0.rawValue) \($0.covered)/\($0.total)" }.joined(separator: ", "))
        return lines.joined(separator: "\n  ")
    }
}
