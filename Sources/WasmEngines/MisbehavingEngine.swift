#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WasmSyntax

/// An engine that crashes or hangs on some calls, for proving that the
/// fuzzer survives a broken out-of-process engine (`wasmcheck serve
/// --inject-fault crash|hang`, a hidden option). Which calls is a pure
/// function of the export's name and the arguments, so a case that
/// triggers it keeps triggering it (and can be reduced).
public final class MisbehavingEngine: WasmEngine {
    public enum Behaviour: String, CaseIterable, Sendable {
        /// The process aborts.
        case crash
        /// The process stops answering.
        case hang
    }

    public let behaviour: Behaviour
    private let inner: any WasmEngine

    public init(wrapping inner: any WasmEngine, behaviour: Behaviour) {
        self.inner = inner
        self.behaviour = behaviour
    }

    public var name: String { inner.name }

    /// Whether a call misbehaves: about one in sixteen.
    public static func triggers(export: String, arguments: [EngineValue]) -> Bool {
        var h = ContentHash()
        h.update(Array(export.utf8))
        for a in arguments { h.update(Array(a.description.utf8)) }
        return h.value % 16 == 0
    }

    public func features() throws(EngineFailure) -> Features { try inner.features() }
    public func configure(features: Features, fuelPerCall: UInt64?) throws(EngineFailure) -> Features {
        try inner.configure(features: features, fuelPerCall: fuelPerCall)
    }
    public func defineHostFunctions(_ functions: [HostFunctionImport], handler: any HostCallHandler) throws(EngineFailure) {
        try inner.defineHostFunctions(functions, handler: handler)
    }
    public func compile(_ bytes: [UInt8]) throws(EngineFailure) -> CompileOutcome { try inner.compile(bytes) }
    public func global(_ instance: InstanceHandle, export: String) throws(EngineFailure) -> EngineValue {
        try inner.global(instance, export: export)
    }
    public func instantiate(_ module: ModuleHandle, imports: ImportPolicy) throws(EngineFailure) -> InstantiateOutcome {
        try inner.instantiate(module, imports: imports)
    }
    public func register(_ instance: InstanceHandle, as name: String) throws(EngineFailure) { try inner.register(instance, as: name) }

    public func invoke(_ instance: InstanceHandle, export: String, arguments: [EngineValue]) throws(EngineFailure) -> InvokeOutcome {
        if Self.triggers(export: export, arguments: arguments) {
            switch behaviour {
            case .crash: abort()
            case .hang: while true { sleep(1_000) }
            }
        }
        return try inner.invoke(instance, export: export, arguments: arguments)
    }

    public func snapshot(_ instance: InstanceHandle) throws(EngineFailure) -> InstanceSnapshot { try inner.snapshot(instance) }
    public func readMemory(_ instance: InstanceHandle, export: String, offset: Int, count: Int) throws(EngineFailure) -> [UInt8] {
        try inner.readMemory(instance, export: export, offset: offset, count: count)
    }
    public func reset() throws(EngineFailure) { try inner.reset() }
}
