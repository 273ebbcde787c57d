import WasmSyntax
import WasmValidation

/// Settings shared by every store and module of an engine.
public struct EngineConfiguration: Sendable {
    /// The features modules may use; decoding and validation reject others.
    public var features: Features = .all
    /// Whether code consumes fuel: one unit per function entry and per loop
    /// back-edge (docs/architecture.md, decision 6). A store starts with `Store.fuel`
    /// units; running out traps with `TrapKind.outOfFuel`.
    public var consumesFuel: Bool = false
    /// The maximum number of active WebAssembly frames; one more call traps
    /// with "call stack exhausted".
    public var maxCallDepth: Int = 20_000
    /// The size of the value stack in 64-bit slots (locals and operands of
    /// all active frames); overflowing it traps with "call stack exhausted".
    public var valueStackSlots: Int = 1 << 22
    /// The largest a memory may become, in bytes, whatever its type allows.
    public var maxMemoryBytes: UInt64 = 1 << 32
    /// The largest a table may become, in elements.
    public var maxTableElements: UInt64 = 10_000_000
    /// The most memory GC objects (structs, arrays) and exceptions of a
    /// store may take at once (with one hidden header word each). The
    /// store's collector frees unreachable ones when allocation reaches
    /// this limit (and every so often before); an allocation that still
    /// does not fit traps with `resourceExhausted`.
    public var maxHeapBytes: UInt64 = 1 << 30

    public init() {}
}

/// A tier that runs WebAssembly code: the interpreter (`WasmInterpreter`)
/// or the JIT. The runtime does not depend on any tier; an engine is made
/// with one, e.g. `Engine(tier: Interpreter())`.
///
/// Tiers are implemented inside this package (they run on the runtime's
/// internal layout); the requirements live in `TierImplementation`.
public protocol ExecutionTier: AnyObject, Sendable {
    /// A short name for reports ("interpreter", "jit").
    var name: String { get }
}

/// The requirements of a tier, on the runtime's internal layout.
package protocol TierImplementation: ExecutionTier {
    /// Validates and translates every function body of a decoded module
    /// whose module-level validation has passed. Errors in a body are
    /// malformed (bad encoding) or invalid.
    func compile(_ module: WasmSyntax.Module, context: CompilationContext) throws(CompileError) -> any CompiledCode

    /// Runs a WebAssembly function. The arguments are in `slots` (encoded as
    /// `Store` encodes values); the results replace them. `slots` holds at
    /// least max(parameter slots, result slots).
    func invoke(_ function: UnsafeMutablePointer<FunctionHeader>, slots: UnsafeMutablePointer<UInt64>, store: Store) throws(Trap)
}

/// What a tier gets to compile a module.
package struct CompilationContext {
    package var configuration: EngineConfiguration
    /// The module's validation context (types, index spaces).
    package var validation: ValidationContext

    package init(configuration: EngineConfiguration, validation: ValidationContext) {
        self.configuration = configuration
        self.validation = validation
    }
}

/// A tier's code for one module.
package protocol CompiledCode: AnyObject {
    /// The code of defined function `index` (0 = the first function the
    /// module defines), for `FunctionHeader.code`.
    func entry(ofDefinedFunction index: Int) -> UnsafeRawPointer
}

/// The engine: configuration and tier, shared by stores and modules.
public final class Engine: Sendable {
    public let configuration: EngineConfiguration
    public let tier: any ExecutionTier
    package let implementation: any TierImplementation

    /// - Precondition: `tier` is one of this package's tiers.
    public init(configuration: EngineConfiguration = EngineConfiguration(), tier: any ExecutionTier) {
        guard let implementation = tier as? any TierImplementation else {
            preconditionFailure("\(tier.name) is not an execution tier of this package")
        }
        self.configuration = configuration
        self.tier = tier
        self.implementation = implementation
    }
}
