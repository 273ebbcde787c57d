import WasmBinary
import WasmSyntax
import WasmValidation

/// A generated module and what a harness needs to know to use it.
public struct GeneratedModule: Sendable {
    public var module: Module
    /// The features the module was generated for (in swarm mode a subset of
    /// the configured ones): it validates with these.
    public var features: Features
    /// The instruction classes its code was drawn from.
    public var classes: InstructionClasses
    /// The index of the fuel global, when termination is instrumented.
    public var fuelGlobal: UInt32?
    /// How many bytes of the input the generator read.
    public var bytesUsed: Int
    /// For each defined function, the indices of the scratch locals its
    /// instrumentation parks raw values in (which generated code must
    /// never read: `ScratchLocalCheck`).
    public var scratchLocals: [Set<UInt32>] = []

    /// The module in the binary format.
    public var bytes: [UInt8] { encodeModule(module) }
}

/// Why a generator could not be set up.
public struct GeneratorError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The structure-aware module generator: turns any byte string into a
/// valid module under a `GeneratorConfig`. Equal bytes give equal modules.
///
/// Modules are valid by construction: types, definitions and constant
/// expressions are made to fit, and function bodies are generated against
/// an operand and control stack that follows the validation rules (see
/// `CodeGenerator`). Running out of bytes only makes the module smaller.
public struct ModuleGenerator: Sendable {
    public let config: GeneratorConfig
    /// The template module: its types and imports are available, and its
    /// exports must be provided with the same types.
    public let template: Module?

    public init(config: GeneratorConfig, template: Module? = nil) throws(GeneratorError) {
        self.config = config
        self.template = template
        if let template {
            // Its types, imports and export types are copied: they must be
            // valid under the configured features.
            do {
                try validateModule(template, features: config.features)
            } catch {
                throw GeneratorError("template: \(error)")
            }
        }
    }

    /// Generates the module of `bytes`.
    public func generate(_ bytes: [UInt8]) -> GeneratedModule {
        var builder = ModuleBuilder(config: config, template: template, source: ByteSource(bytes))
        return builder.build()
    }
}

/// Generates one module (from `ModuleGenerator.generate`).
struct ModuleBuilder {
    var u: ByteSource
    let template: Module?
    /// The configuration with swarm mode's choices applied.
    let config: GeneratorConfig
    let env: ModuleEnvironment
    var module = Module()
    var exportNames = Set<String>()
    var scratchLocals: [Set<UInt32>] = []

    init(config original: GeneratorConfig, template: Module?, source: ByteSource) {
        var u = source
        var config = original
        var features = Self.closure(of: original.features.intersection(.wasm3.union([.wideArithmetic])))
        var classes = InstructionClasses.all
        if original.swarm {
            if template == nil {
                var chosen: Features = .mutableGlobals
                for (_, f) in Features.names where features.contains(f) && f != .mutableGlobals {
                    if u.chance(3, 5) { chosen.formUnion(f) }
                }
                features = Self.reduce(chosen, within: features)
            }
            classes = InstructionClasses(bits: 0)
            for c in InstructionClass.allCases where u.chance(3, 4) || c == .control || c == .variable {
                classes.insert(c)
            }
            func shrink(_ value: inout Int) { value = u.int(in: min(1, value)...value) }
            shrink(&config.maxTypes)
            shrink(&config.maxFunctions)
            shrink(&config.maxInstructions)
            shrink(&config.maxLocals)
            shrink(&config.maxGlobals)
            shrink(&config.maxNesting)
        }
        self.u = u
        self.template = template
        self.config = config
        self.env = ModuleEnvironment(config: config, features: features, classes: classes)
    }

    /// The features that enabled ones depend on.
    static func closure(of features: Features) -> Features {
        var f = features
        if f.contains(.gc) { f.formUnion([.functionReferences, .referenceTypes]) }
        if f.contains(.functionReferences) || f.contains(.exceptions) { f.formUnion(.referenceTypes) }
        if f.contains(.relaxedSimd) { f.formUnion(.simd) }
        return f
    }

    /// Drops the features whose prerequisites were not chosen (rather than
    /// adding them back, so that small subsets stay small).
    static func reduce(_ chosen: Features, within allowed: Features) -> Features {
        var f = chosen.intersection(allowed)
        // exnref values need ref.null and friends.
        if !f.contains(.referenceTypes) { f.subtract([.functionReferences, .gc, .exceptions]) }
        if !f.contains(.functionReferences) { f.remove(.gc) }
        if !f.contains(.simd) { f.remove(.relaxedSimd) }
        return f
    }

    mutating func build() -> GeneratedModule {
        generateTypes()
        generateImports()
        generateFunctions()
        generateTables()
        generateMemories()
        generateTags()
        generateGlobals()
        generateExports()
        generateStart()
        generateElements()
        generateData()
        generateCode()
        return GeneratedModule(module: module, features: env.features, classes: env.classes,
                               fuelGlobal: env.fuelGlobal, bytesUsed: u.position, scratchLocals: scratchLocals)
    }
}
