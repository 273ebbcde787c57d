import WasmSyntax

/// One engine, as the spec runner, the differential oracle and the reducer
/// see it (docs/engine-protocol.md): compile bytes, instantiate with an
/// import policy, invoke exports, read the exported state. In-process tiers
/// and engines behind the wire protocol implement it alike, so every tool
/// runs on every engine.
///
/// Modules and instances are named by handles the engine hands out, so that
/// the same operations travel unchanged over the wire protocol
/// (docs/engine-protocol.md) to an engine in another process. Outcomes that
/// WebAssembly defines (a rejected module, a trap) are return values;
/// `EngineFailure` is for an engine that misbehaves (crashes, hangs, breaks
/// the protocol), which the fuzzer reports and survives.
public protocol WasmEngine: AnyObject {
    /// The name reports use ("interp", "wasmtime", ...).
    var name: String { get }

    /// The features the engine enables: modules using others are not
    /// compared on it.
    func features() throws(EngineFailure) -> Features

    /// Starts from a fresh store (as `reset`) with `features` enabled and,
    /// when `fuelPerCall` is set, that much fuel for every call from the
    /// host (nil: no fuel limit); answers the features the engine actually
    /// enabled. The spec runner configures an engine for each script.
    func configure(features: Features, fuelPerCall: UInt64?) throws(EngineFailure) -> Features

    /// Defines host functions that later instantiations import (with either
    /// import policy; a definition replaces the engine's own one of the
    /// same name, e.g. `spectest.print_i32`), until the next `configure` or
    /// `reset`. Their calls run `handler` in this process.
    func defineHostFunctions(_ functions: [HostFunctionImport], handler: any HostCallHandler) throws(EngineFailure)

    /// Decodes, validates and compiles a binary module.
    func compile(_ bytes: [UInt8]) throws(EngineFailure) -> CompileOutcome

    /// Instantiates a compiled module; its imports are resolved under `imports`.
    func instantiate(_ module: ModuleHandle, imports: ImportPolicy) throws(EngineFailure) -> InstantiateOutcome

    /// Makes the exports of `instance` importable under the module name `name`
    /// (the spec script's `register`).
    func register(_ instance: InstanceHandle, as name: String) throws(EngineFailure)

    /// Calls the exported function `export` of `instance`. A null reference
    /// argument takes the parameter's type.
    func invoke(_ instance: InstanceHandle, export: String, arguments: [EngineValue]) throws(EngineFailure) -> InvokeOutcome

    /// The value of the exported global `export` of `instance` (the spec
    /// script's `get`).
    func global(_ instance: InstanceHandle, export: String) throws(EngineFailure) -> EngineValue

    /// The observable state of `instance`: every export, with the values of
    /// globals, the sizes and hashes of memories and the entries of tables.
    func snapshot(_ instance: InstanceHandle) throws(EngineFailure) -> InstanceSnapshot

    /// `count` bytes of the exported memory `export` from `offset` (to find
    /// the first byte where two engines' memories differ).
    func readMemory(_ instance: InstanceHandle, export: String, offset: Int, count: Int) throws(EngineFailure) -> [UInt8]

    /// Forgets every module and instance and starts from a fresh store.
    func reset() throws(EngineFailure)
}

extension WasmEngine {
    /// A hash of everything `snapshot` shows, for a cheap "did anything
    /// change" check and for reports.
    public func stateHash(_ instance: InstanceHandle) throws(EngineFailure) -> UInt64 {
        try snapshot(instance).hash
    }
}

/// A compiled module of one engine.
public struct ModuleHandle: Hashable, Sendable, CustomStringConvertible {
    public var id: Int
    public init(_ id: Int) { self.id = id }
    public var description: String { "module#\(id)" }
}

/// An instance of one engine.
public struct InstanceHandle: Hashable, Sendable, CustomStringConvertible {
    public var id: Int
    public init(_ id: Int) { self.id = id }
    public var description: String { "instance#\(id)" }
}

/// How an engine satisfies a module's imports.
public enum ImportPolicy: String, Sendable, CaseIterable {
    /// Only registered instances; any other import is unlinkable.
    case registered
    /// The spec test suite's `spectest` module, then registered instances.
    case spectest
}

/// An engine that did not do its job: not a WebAssembly outcome but a
/// finding in itself (a crash or hang of an engine under test) or a usage
/// error (an unknown handle).
public struct EngineFailure: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable {
        /// The engine's process died.
        case crash
        /// The engine did not answer in time (and was killed).
        case timeout
        /// The engine answered something that breaks the protocol.
        case protocolViolation = "protocol"
        /// The request was wrong (unknown handle or export, bad arguments).
        case badRequest = "bad-request"
        /// The engine could not be started.
        case unavailable
        /// The engine does not do what was asked (an operation it does not
        /// know, such as `define-host` in an adapter that brings its own
        /// `spectest`). The engine is fine; the caller can do without.
        case unsupported
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}

/// A function that the client of an engine provides to the modules the
/// engine runs: the spec suite's `spectest.print*`, later WASI for an engine
/// in another process. Calls to it come back to the client, over the pipe
/// for an engine in another process (docs/engine-protocol.md,
/// `define-host`), so the host's side effects happen in the client.
public struct HostFunctionImport: Hashable, Sendable {
    public var module: String
    public var name: String
    /// Numeric types only: references cannot cross engines.
    public var type: FuncType

    public init(module: String, name: String, type: FuncType) {
        self.module = module
        self.name = name
        self.type = type
    }
}

/// What a host function did.
public enum HostCallOutcome: Hashable, Sendable {
    case returned([EngineValue])
    /// The host function trapped, with this message.
    case trapped(String)
}

/// The client's side of host functions: runs one call. `index` is the
/// function's position in the list given to `defineHostFunctions`.
public protocol HostCallHandler: AnyObject {
    func call(_ index: Int, _ function: HostFunctionImport, arguments: [EngineValue]) -> HostCallOutcome
}
