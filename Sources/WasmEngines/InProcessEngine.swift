import WasmInterpreter
import WasmRuntime
import WasmSyntax

/// One of our tiers behind the engine protocol, in this process: the
/// interpreter today, the JIT when it lands. The spec runner, the fuzzer
/// and `wasmcheck serve` all reach a tier through this class, so a new
/// tier gets every tool by being named in `EngineCatalog`.
public final class InProcessEngine: WasmEngine {
    public let name: String
    /// The planted bug of a test-only faulty variant, if any.
    public let fault: InjectedFault?
    /// Fuel for every call from the host (the engine's own backstop; the
    /// generator's fuel global keeps fuzzing modules finite first); nil
    /// for none.
    public private(set) var fuelPerCall: UInt64?

    private let makeTier: @Sendable () -> any ExecutionTier
    private var engine: Engine
    private var store: Store
    /// nil for a module that only a faulty validator accepted.
    private var modules: [WasmRuntime.Module?] = []
    private var instances: [Instance] = []
    /// Registered instances only (`ImportPolicy.registered`).
    private var registeredLinker = Linker()
    /// The `spectest` module of this store, then the registered instances
    /// (`ImportPolicy.spectest`). One `spectest` per store, as in the
    /// reference interpreter: modules that import its memory share it.
    private var spectestLinker: Linker

    /// - Parameters:
    ///   - makeTier: makes the tier (again after `configure`, which needs a
    ///     fresh engine).
    public init(name: String, features: Features = .all, fuelPerCall: UInt64? = 10_000_000,
                fault: InjectedFault? = nil, makeTier: @escaping @Sendable () -> any ExecutionTier) {
        self.name = name
        self.fault = fault
        self.fuelPerCall = fuelPerCall
        self.makeTier = makeTier
        engine = Self.makeEngine(features: features, consumesFuel: fuelPerCall != nil, fault: fault, makeTier: makeTier)
        store = Store(engine: engine)
        spectestLinker = Self.spectestLinker(store)
    }

    private static func makeEngine(features: Features, consumesFuel: Bool, fault: InjectedFault?,
                                   makeTier: () -> any ExecutionTier) -> Engine {
        var configuration = EngineConfiguration()
        configuration.features = features
        configuration.consumesFuel = consumesFuel
        var tier = makeTier()
        if let fault, fault.isTierFault, let faulty = FaultyTier(wrapping: tier, fault: fault) { tier = faulty }
        return Engine(configuration: configuration, tier: tier)
    }

    private static func spectestLinker(_ store: Store) -> Linker {
        var linker = Linker()
        Spectest.define(in: &linker, store: store)
        return linker
    }

    public func features() -> Features { engine.configuration.features }

    public func configure(features: Features, fuelPerCall: UInt64?) -> Features {
        self.fuelPerCall = fuelPerCall
        engine = Self.makeEngine(features: features, consumesFuel: fuelPerCall != nil, fault: fault, makeTier: makeTier)
        reset()
        return features
    }

    public func defineHostFunctions(_ functions: [HostFunctionImport], handler: any HostCallHandler) throws(EngineFailure) {
        for (index, import_) in functions.enumerated() {
            guard (import_.type.params + import_.type.results).allSatisfy({ !$0.isReference }) else {
                throw EngineFailure(.badRequest, "host function \(import_.module).\(import_.name): only numeric types cross engines")
            }
            let function = Function(store: store, type: import_.type) { [unowned self] arguments in
                switch handler.call(index, import_, arguments: arguments.map(self.engineValue)) {
                case .trapped(let message): throw Trap(.host(message))
                case .returned(let results):
                    let values = zip(results, import_.type.results).compactMap { Self.value($0, as: $1) }
                    guard values.count == import_.type.results.count, results.count == values.count else {
                        throw Trap(.host("host function \(import_.module).\(import_.name) returned \(results), not \(import_.type.results)"))
                    }
                    return values
                }
            }
            registeredLinker.define(module: import_.module, name: import_.name, .function(function))
            spectestLinker.define(module: import_.module, name: import_.name, .function(function))
        }
    }

    public func compile(_ bytes: [UInt8]) -> CompileOutcome {
        let input = fault?.rewrite(bytes) ?? bytes
        do {
            let module = try WasmRuntime.Module(engine: engine, bytes: input)
            modules.append(module)
        } catch {
            if let fault, fault.accepts(error) {
                modules.append(nil)
            } else {
                return .rejected(Rejection(error))
            }
        }
        return .compiled(ModuleHandle(modules.count - 1))
    }

    public func instantiate(_ handle: ModuleHandle, imports: ImportPolicy) throws(EngineFailure) -> InstantiateOutcome {
        guard modules.indices.contains(handle.id) else { throw EngineFailure(.badRequest, "unknown \(handle)") }
        guard let module = modules[handle.id] else { return .unlinkable("module accepted by a faulty validator") }
        if let fuelPerCall { store.fuel = fuelPerCall }
        do {
            let linker = imports == .spectest ? spectestLinker : registeredLinker
            let instance = try linker.instantiate(module, in: store)
            instances.append(instance)
            return .instantiated(InstanceHandle(instances.count - 1))
        } catch {
            switch error {
            case .unlinkable(let e): return .unlinkable(e.description)
            case .trap(let t): return t.kind.isExhaustion ? .exhausted(t.kind) : .trapped(t.kind, detail: t.detail)
            }
        }
    }

    public func register(_ handle: InstanceHandle, as name: String) throws(EngineFailure) {
        let instance = try self.instance(handle)
        registeredLinker.define(module: name, instance: instance)
        spectestLinker.define(module: name, instance: instance)
    }

    public func invoke(_ handle: InstanceHandle, export: String, arguments: [EngineValue]) throws(EngineFailure) -> InvokeOutcome {
        let instance = try self.instance(handle)
        guard let function = instance.function(export) else { throw EngineFailure(.badRequest, "no exported function \"\(export)\"") }
        let params = function.type.params
        guard params.count == arguments.count else {
            throw EngineFailure(.badRequest, "\(export) takes \(params.count) arguments, got \(arguments.count)")
        }
        var values: [Value] = []
        values.reserveCapacity(params.count)
        for (argument, type) in zip(arguments, params) {
            guard let value = Self.value(argument, as: type) else {
                throw EngineFailure(.badRequest, "argument \(argument) does not fit \(type)")
            }
            values.append(value)
        }
        if let fuelPerCall { store.fuel = fuelPerCall }
        do {
            return .returned(try function.call(values).map(engineValue))
        } catch {
            return error.kind.isExhaustion ? .exhausted(error.kind) : .trapped(error.kind, detail: error.detail)
        }
    }

    public func global(_ handle: InstanceHandle, export: String) throws(EngineFailure) -> EngineValue {
        guard let global = try instance(handle).global(export) else {
            throw EngineFailure(.badRequest, "no exported global \"\(export)\"")
        }
        return engineValue(global.value)
    }

    public func snapshot(_ handle: InstanceHandle) throws(EngineFailure) -> InstanceSnapshot {
        let instance = try self.instance(handle)
        var exports: [ExportState] = []
        exports.reserveCapacity(instance.module.exports.count)
        for (name, value) in instance.exports {
            switch value {
            case .function: exports.append(ExportState(name: name, state: .function))
            case .tag: exports.append(ExportState(name: name, state: .tag))
            case .global(let g): exports.append(ExportState(name: name, state: .global(engineValue(g.value))))
            case .memory(let m):
                let hash = m.withUnsafeMutableBytes { ContentHash.of(UnsafeRawBufferPointer($0)) }
                exports.append(ExportState(name: name, state: .memory(size: m.byteCount, hash: hash)))
            case .table(let t):
                var entries = ""
                for i in 0..<Swift.min(t.size, TableSummary.maxEntries) {
                    entries.append((t.get(i).map(referenceKind) ?? .other).letter)
                }
                exports.append(ExportState(name: name, state: .table(size: t.size, entries: entries)))
            }
        }
        return InstanceSnapshot(exports: exports)
    }

    public func readMemory(_ handle: InstanceHandle, export: String, offset: Int, count: Int) throws(EngineFailure) -> [UInt8] {
        guard let memory = try instance(handle).memory(export) else { throw EngineFailure(.badRequest, "no exported memory \"\(export)\"") }
        guard let bytes = memory.read(at: offset, count: count) else {
            throw EngineFailure(.badRequest, "bytes \(offset)..<\(offset + count) are outside memory \"\(export)\"")
        }
        return bytes
    }

    public func reset() {
        store = Store(engine: engine)
        modules = []
        instances = []
        registeredLinker = Linker()
        spectestLinker = Self.spectestLinker(store)
    }

    private func instance(_ handle: InstanceHandle) throws(EngineFailure) -> Instance {
        guard instances.indices.contains(handle.id) else { throw EngineFailure(.badRequest, "unknown \(handle)") }
        return instances[handle.id]
    }

    // MARK: Values

    /// The hierarchy of a heap type of the store (concrete types are store
    /// type IDs here).
    private func hierarchy(_ h: HeapType) -> RefHierarchy {
        if case .concrete(let id) = h { return store.types.funcType(Int(id)) != nil ? .func : .any }
        return RefHierarchy(h, types: [])
    }

    /// An argument as the runtime takes it; nil when it does not fit `type`.
    public static func value(_ v: EngineValue, as type: ValueType) -> Value? {
        switch (v, type) {
        case (.i32(let x), .i32): return .i32(x)
        case (.i64(let x), .i64): return .i64(x)
        case (.f32(let x), .f32): return .f32(x)
        case (.f64(let x), .f64): return .f64(x)
        case (.v128(let x), .v128): return .v128(x)
        case (.ref(.null), .ref(let r)) where r.nullable: return .ref(.null(r.heapType))
        // A host value fits any reference type that holds externs, and
        // anyref (the host internalizes it, as the reference interpreter's
        // `ref.host` does).
        case (.ref(.host(let n)), .ref): return .ref(.extern(UInt64(n)))
        default: return nil
        }
    }

    func engineValue(_ v: Value) -> EngineValue {
        if case .ref(let r) = v { return .ref(referenceKind(r)) }
        return EngineValue(plain: v)!
    }

    func referenceKind(_ r: Reference) -> ReferenceKind {
        switch r {
        case .null(let h): return .null(hierarchy(h))
        case .function: return .function
        case .extern(let n): return n <= UInt64(UInt32.max) ? .host(UInt32(n)) : .other
        case .externalized: return .extern
        case .i31(let v): return .i31(v)
        case .object(let o): return o.isArray ? .array : .structure
        case .exception: return .exception
        }
    }
}

extension InProcessEngine {
    /// Our interpreter as an engine.
    public static func interpreter(name: String = "interpreter", features: Features = .all,
                                   fuelPerCall: UInt64? = 10_000_000, fault: InjectedFault? = nil) -> InProcessEngine {
        InProcessEngine(name: name, features: features, fuelPerCall: fuelPerCall, fault: fault) { Interpreter() }
    }
}

extension EngineValue {
    /// A number or vector as it crosses engines (its bits); nil for a
    /// reference, which only the engine that made it can describe
    /// (`InProcessEngine.referenceKind`).
    public init?(plain value: Value) {
        switch value {
        case .i32(let x): self = .i32(x)
        case .i64(let x): self = .i64(x)
        case .f32(let x): self = .f32(x)
        case .f64(let x): self = .f64(x)
        case .v128(let x): self = .v128(x)
        case .ref: return nil
        }
    }
}
