import WasmJIT
import WasmRuntime
import WasmSyntax

/// An entity in the agent, with the closed type this side checks imports
/// against (concrete heap types are IDs of `StoreState.types`).
enum AgentExtern {
    /// A function header's address (also the function's reference bits).
    case function(UInt64, FuncType)
    case table(UInt64, TableType)
    case memory(UInt64, MemoryType)
    /// A global's cell.
    case global(UInt64, GlobalType)
    /// A tag's identity and type ID.
    case tag(UInt64, typeID: Int)

    var handle: UInt64 {
        switch self {
        case .function(let h, _), .table(let h, _), .memory(let h, _), .global(let h, _), .tag(let h, _): return h
        }
    }
}

/// A module and field name, by their UTF-8 bytes: names that Swift's
/// `String` equality would merge (canonically equivalent Unicode, as the
/// suite's names.wast exports) are different names in WebAssembly.
struct ImportKey: Hashable {
    var module: [UInt8]
    var name: [UInt8]

    init(module: String, name: String) {
        self.init(module: Array(module.utf8), name: Array(name.utf8))
    }

    init(module: [UInt8], name: [UInt8]) {
        self.module = module
        self.name = name
    }
}

/// A compiled module, and its code once loaded into the agent.
final class AgentModule {
    let module: WasmRuntime.Module
    /// The address of its code in the agent, after the first instantiation.
    var codeBase: UInt64?

    init(module: WasmRuntime.Module) { self.module = module }

    var artifact: CodeArtifact { (module.code as! ArtifactCode).artifact }
}

/// An instance in the agent: its exports by name, in the module's order.
final class AgentInstance {
    /// By the names' UTF-8 bytes (see `ImportKey`).
    var exports: [[UInt8]: AgentExtern] = [:]
    var exportOrder: [String] = []

    subscript(export name: String) -> AgentExtern? { exports[Array(name.utf8)] }
}

/// A host function the agent's code may call: its index is its place in
/// `StoreState.hostFunctions`.
struct AgentHostFunction {
    var type: FuncType
    /// The client's handler and definition; nil for the spectest module's
    /// own print functions (which do nothing).
    var handler: (any HostCallHandler, (function: HostFunctionImport, index: Int))?
}

/// Everything `AgentEngine` knows of the agent's store; a new store (after
/// `configure`, `reset` or a restart of the agent) starts from scratch.
struct StoreState {
    var modules: [AgentModule] = []
    var instances: [AgentInstance] = []
    var registered: [ImportKey: AgentExtern] = [:]
    /// The spectest module of this store, made on first use.
    var spectest: [ImportKey: AgentExtern]?
    /// The client's host functions, made in the agent on first use.
    var clientFunctions: [ImportKey: AgentExtern]?
    var hostFunctions: [AgentHostFunction] = []
    /// Whether a constant expression's object did not fit in the agent's heap.
    var constantHeapFull = false
    /// Whether a call of this store was given the fuel (`FuelBudget.perStore`).
    var fuelGiven = false
    /// The message of the host trap of the running call.
    var pendingHostTrap: String?
    /// Canonical type IDs of this store (the agent's type IDs).
    var types = TypeRegistry()
    /// How many of `types` the agent knows (`declare-type`).
    var declaredTypes = 0
    /// The type ID of every function header made so far (import matching).
    var functionTypeIDs: [UInt64: Int] = [:]
}
