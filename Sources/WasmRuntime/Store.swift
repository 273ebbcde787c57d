import WasmSyntax

/// Owns all runtime objects: instances and the functions, tables, memories,
/// globals and tags they define or the host creates. Objects live as long as
/// their store. A store is not thread-safe: use it from one thread at a time.
public final class Store {
    public let engine: Engine

    package var instances: [InstanceEntity] = []
    /// Entities created by the host (instances own the ones they define).
    package var hostFunctions: [FunctionEntity] = []
    package var hostTables: [TableEntity] = []
    package var hostMemories: [MemoryEntity] = []
    package var hostGlobals: [GlobalEntity] = []
    package var hostTags: [TagEntity] = []

    /// Canonical type IDs of every type registered in this store.
    package var types = TypeRegistry()

    /// Host values (`Reference.extern`) seen so far; a reference slot holds
    /// the index of its payload (see `ReferenceBits`).
    package var hostValues: [UInt64] = []
    package var hostValueIndices: [UInt64: Int] = [:]

    /// Fuel left, when the engine consumes fuel. Tiers write it back when
    /// they return to the host.
    public var fuel: UInt64 = 0

    /// Per-store state of the tier (its stacks), created on first use.
    package var tierState: AnyObject?

    /// How many invocations are active (host -> wasm -> host -> wasm ...).
    package var invocationDepth = 0
    /// Re-entrant invocations nest on the native stack, so they are capped.
    package static let maxInvocationDepth = 200

    public init(engine: Engine) {
        self.engine = engine
    }
}
