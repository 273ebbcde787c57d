import Foundation
import WasmBinary
import WasmJIT
import WasmRuntime
import WasmSyntax

/// Our JIT's code run by `wasmcheck-agent` in another process
/// (docs/agent-protocol.md): natively (`jit-agent`, so that a crash of
/// generated code never takes down the fuzzer) or built for AArch64 and run
/// under qemu-user (`jit-aarch64`, the second architecture the fuzzer
/// cross-checks).
///
/// This side does everything but run code: it decodes, validates and
/// compiles each module for the agent's architecture, links imports,
/// evaluates constant expressions and drives instantiation step by step
/// (the spec's order, with the agent's builtins applying the active
/// segments), and converts values. The agent only allocates, runs and
/// reports, so WebAssembly's rules are written once, here.
public final class AgentEngine: WasmEngine {
    public let name: String
    public let target: JITTarget
    /// The agent's command line (`qemu-aarch64 path/to/agent` for AArch64).
    public let command: [String]
    /// Seconds one request may take (code under qemu runs 10-50x slower).
    public var timeout: Double
    /// Seconds the agent may take to start and answer `hello` (qemu's start-up).
    public var startupTimeout: Double = 30
    public private(set) var fuelPerCall: UInt64?
    /// How `fuelPerCall` is given: afresh to every call from the host (the
    /// fuzzer's and the spec runner's rule), or once per store, so that every
    /// call shares one budget (`wasmcheck run -W fuel=N`, as `Store.fuel`
    /// in process: the start function, `_initialize` and `_start` together).
    public var fuelBudget: FuelBudget = .perCall
    /// The limits of the engine's configuration (memory and table sizes,
    /// call depth, value stack, GC heap); features and fuel are this
    /// engine's own (`configure`).
    public let limits: EngineConfiguration
    /// How many times the agent was started after the first.
    public private(set) var restarts = 0

    var engine: WasmRuntime.Engine
    var connection: AgentConnection?
    private var started = 0
    /// Store state (forgotten by `configure` and `reset`).
    var state = StoreState()
    /// Host functions the client defined, by host index; they outlive
    /// `reset` but not `configure`, as the protocol says.
    var definedHostFunctions: [(function: HostFunctionImport, handler: any HostCallHandler, index: Int)] = []

    /// A bug planted in the backend, for the fuzzer's self-test (test-only
    /// engine names such as `jit-aarch64!a64-rotl-slip`).
    public let plantedFault: PlantedBackendFault?

    public enum FuelBudget: Sendable {
        case perCall, perStore
    }

    public init(name: String, target: JITTarget, command: [String], features: Features = .all,
                fuelPerCall: UInt64? = 10_000_000, timeout: Double = 30, plantedFault: PlantedBackendFault? = nil,
                limits: EngineConfiguration = EngineConfiguration()) {
        self.name = name
        self.target = target
        self.command = command
        self.fuelPerCall = fuelPerCall
        self.timeout = timeout
        self.plantedFault = plantedFault
        self.limits = limits
        engine = Self.makeEngine(target: target, features: features, consumesFuel: fuelPerCall != nil,
                                 plantedFault: plantedFault, limits: limits)
    }

    deinit { connection?.stop() }

    static func makeEngine(target: JITTarget, features: Features, consumesFuel: Bool,
                           plantedFault: PlantedBackendFault?, limits: EngineConfiguration) -> WasmRuntime.Engine {
        var configuration = limits
        configuration.features = features
        configuration.consumesFuel = consumesFuel
        return WasmRuntime.Engine(configuration: configuration,
                                  tier: JITArtifactCompiler(target: target, plantedFault: plantedFault))
    }

    // MARK: The process

    /// The connection, started (and configured) on first use and after a crash.
    func agent() throws(EngineFailure) -> AgentConnection {
        if let connection { return connection }
        let started = try AgentConnection(command: command, name: name)
        if self.started > 0 { restarts += 1 }
        self.started += 1
        connection = started
        var hello = FrameWriter(.hello)
        hello.u32(1)
        guard case .ok(var r) = try exchange(started, hello, timeout: startupTimeout) else {
            throw fail(.protocolViolation, "bad answer to hello")
        }
        do {
            let version = try r.u32(), arch = try r.u8(), pointerSize = try r.u8()
            let expected: UInt8 = target == .x86_64 ? 1 : 2
            guard version == 1, arch == expected, pointerSize == 8 else {
                throw fail(.unavailable, "\(command.joined(separator: " ")) is agent version \(version) for architecture \(arch), not \(target)")
            }
        } catch is FrameReader.Short {
            throw fail(.protocolViolation, "short answer to hello")
        } catch let failure as EngineFailure {
            throw failure
        } catch {
            throw fail(.protocolViolation, "\(error)")
        }
        _ = try exchange(started, configureRequest, timeout: timeout)
        return started
    }

    /// `configure` with this engine's limits: a fresh store in the agent.
    private var configureRequest: FrameWriter {
        var configure = FrameWriter(.configure)
        configure.int(engine.configuration.maxCallDepth)
        configure.int(engine.configuration.valueStackSlots)
        configure.u64(engine.configuration.maxHeapBytes)
        return configure
    }

    private func fail(_ kind: EngineFailure.Kind, _ message: String) -> EngineFailure {
        stop()
        return EngineFailure(kind, "\(name): \(message)")
    }

    private func exchange(_ connection: AgentConnection, _ request: FrameWriter, timeout: Double) throws(EngineFailure) -> AgentAnswer {
        do {
            return try connection.request(request, timeout: timeout) { [unowned self] index, arguments in
                self.hostCall(index, arguments)
            }
        } catch {
            // A dead or confused agent is restarted by the next request;
            // its handles are gone with it.
            if error.kind != .badRequest {
                stop()
                state = StoreState()
            }
            throw error
        }
    }

    /// One request to the agent.
    func send(_ request: FrameWriter) throws(EngineFailure) -> AgentAnswer {
        try exchange(try agent(), request, timeout: timeout)
    }

    /// One request whose only good answer is ok.
    func sendExpectingOK(_ request: FrameWriter) throws(EngineFailure) -> FrameReader {
        switch try send(request) {
        case .ok(let reader): return reader
        case .trap(let code, _): throw EngineFailure(.protocolViolation, "\(name): unexpected trap \(code)")
        case .exhausted: throw EngineFailure(.protocolViolation, "\(name): unexpected exhaustion")
        }
    }

    /// Stops the agent (the next request starts a new one).
    public func stop() {
        connection?.stop()
        connection = nil
    }

    // MARK: WasmEngine

    public func features() -> Features { engine.configuration.features }

    public func configure(features: Features, fuelPerCall: UInt64?) throws(EngineFailure) -> Features {
        self.fuelPerCall = fuelPerCall
        engine = Self.makeEngine(target: target, features: features, consumesFuel: fuelPerCall != nil,
                                 plantedFault: plantedFault, limits: limits)
        definedHostFunctions = []
        try reset()
        return features
    }

    public func defineHostFunctions(_ functions: [HostFunctionImport], handler: any HostCallHandler) throws(EngineFailure) {
        for (index, function) in functions.enumerated() {
            guard (function.type.params + function.type.results).allSatisfy({ !$0.isReference }) else {
                throw EngineFailure(.badRequest, "host function \(function.module).\(function.name): only numeric types cross engines")
            }
            definedHostFunctions.append((function, handler, index))
        }
        state.clientFunctions = nil
    }

    public func reset() throws(EngineFailure) {
        state = StoreState()
        guard let connection else { return }
        _ = try exchange(connection, configureRequest, timeout: timeout)
    }

    public func compile(_ bytes: [UInt8]) -> CompileOutcome {
        let module: WasmRuntime.Module
        do {
            module = try WasmRuntime.Module(engine: engine, bytes: bytes)
        } catch {
            return .rejected(Rejection(error))
        }
        state.modules.append(AgentModule(module: module))
        return .compiled(ModuleHandle(state.modules.count - 1))
    }

    public func register(_ handle: InstanceHandle, as name: String) throws(EngineFailure) {
        let instance = try self.instance(handle)
        for (export, value) in instance.exports {
            state.registered[ImportKey(module: Array(name.utf8), name: export)] = value
        }
    }

    public func invoke(_ handle: InstanceHandle, export: String, arguments: [EngineValue]) throws(EngineFailure) -> InvokeOutcome {
        let instance = try self.instance(handle)
        guard case .function(let header, let type)? = instance[export: export] else {
            throw EngineFailure(.badRequest, "no exported function \"\(export)\"")
        }
        guard type.params.count == arguments.count else {
            throw EngineFailure(.badRequest, "\(export) takes \(type.params.count) arguments, got \(arguments.count)")
        }
        var slots: [UInt64] = []
        for (argument, parameter) in zip(arguments, type.params) {
            guard let encoded = Self.slots(argument, as: parameter) else {
                throw EngineFailure(.badRequest, "argument \(argument) does not fit \(parameter)")
            }
            slots += encoded
        }
        switch try call(header, slots) {
        case .returned(let results):
            return .returned(try values(results, types: type.results))
        case .trapped(let kind, let detail):
            return kind.isExhaustion ? .exhausted(kind) : .trapped(kind, detail: detail)
        }
    }

    public func global(_ handle: InstanceHandle, export: String) throws(EngineFailure) -> EngineValue {
        guard case .global(let cell, let type)? = try instance(handle)[export: export] else {
            throw EngineFailure(.badRequest, "no exported global \"\(export)\"")
        }
        return try value(try readGlobal(cell), type: type.valueType)
    }

    public func snapshot(_ handle: InstanceHandle) throws(EngineFailure) -> InstanceSnapshot {
        let instance = try self.instance(handle)
        var exports: [ExportState] = []
        for name in instance.exportOrder {
            switch instance[export: name]! {
            case .function: exports.append(ExportState(name: name, state: .function))
            case .tag: exports.append(ExportState(name: name, state: .tag))
            case .global(let cell, let type):
                exports.append(ExportState(name: name, state: .global(try value(try readGlobal(cell), type: type.valueType))))
            case .memory(let memory, _):
                var info = FrameWriter(.memoryInfo)
                info.u64(memory)
                var r = try sendExpectingOK(info)
                var hash = FrameWriter(.memoryHash)
                hash.u64(memory)
                var h = try sendExpectingOK(hash)
                exports.append(ExportState(name: name, state: .memory(size: Int(try read { try r.u64() }),
                                                                      hash: try read { try h.u64() })))
            case .table(let table, let type):
                let (size, entries) = try readTable(table, start: 0, count: UInt64(TableSummary.maxEntries))
                var letters = ""
                for entry in entries { letters.append(try referenceKind(entry, heapType: type.elementType.heapType).letter) }
                exports.append(ExportState(name: name, state: .table(size: Int(size), entries: letters)))
            }
        }
        return InstanceSnapshot(exports: exports)
    }

    public func readMemory(_ handle: InstanceHandle, export: String, offset: Int, count: Int) throws(EngineFailure) -> [UInt8] {
        guard case .memory(let memory, _)? = try instance(handle)[export: export] else {
            throw EngineFailure(.badRequest, "no exported memory \"\(export)\"")
        }
        var request = FrameWriter(.memoryRead)
        request.u64(memory)
        request.int(offset)
        request.int(count)
        var r = try sendExpectingOK(request)
        return try read {
            let n = Int(try r.u64())
            return try r.raw(n)
        }
    }

    /// The exported memory `export` of `instance`, to read and write
    /// directly, also from a host function during its call (the agent
    /// answers requests while it waits for the host's return).
    public func memory(_ handle: InstanceHandle, export: String) throws(EngineFailure) -> AgentMemory {
        guard case .memory(let memory, _)? = try instance(handle)[export: export] else {
            throw EngineFailure(.badRequest, "no exported memory \"\(export)\"")
        }
        return AgentMemory(engine: self, handle: memory)
    }

    /// The type of the exported function `export` of `instance`, if it has one.
    public func functionType(_ handle: InstanceHandle, export: String) throws(EngineFailure) -> FuncType? {
        guard case .function(_, let type)? = try instance(handle)[export: export] else { return nil }
        return type
    }

    /// The names of the exported functions of `instance`, in the module's order.
    public func functionExports(_ handle: InstanceHandle) throws(EngineFailure) -> [String] {
        let instance = try self.instance(handle)
        return instance.exportOrder.filter { if case .function? = instance[export: $0] { return true } else { return false } }
    }

    func instance(_ handle: InstanceHandle) throws(EngineFailure) -> AgentInstance {
        guard state.instances.indices.contains(handle.id) else { throw EngineFailure(.badRequest, "unknown \(handle)") }
        return state.instances[handle.id]
    }

    /// Reads an answer's body; a short one is a protocol violation.
    func read<T>(_ body: () throws -> T) throws(EngineFailure) -> T {
        do {
            return try body()
        } catch {
            stop()
            state = StoreState()
            throw EngineFailure(.protocolViolation, "\(name) sent a short answer")
        }
    }

    // MARK: Calls

    enum CallOutcome {
        case returned([UInt64])
        case trapped(TrapKind, detail: String?)
    }

    /// Calls the function whose header is `header` with argument slots.
    func call(_ header: UInt64, _ arguments: [UInt64]) throws(EngineFailure) -> CallOutcome {
        var request = FrameWriter(.invoke)
        request.u64(header)
        // Per store: the first call gives the fuel; later ones run on what
        // is left (the agent keeps it between invocations).
        let givesFuel = fuelPerCall != nil && (fuelBudget == .perCall || !state.fuelGiven)
        request.u8(givesFuel ? 1 : 0)
        request.u64(givesFuel ? fuelPerCall ?? 0 : 0)
        request.slots(arguments)
        if givesFuel { state.fuelGiven = true }
        state.pendingHostTrap = nil
        switch try send(request) {
        case .ok(var r): return .returned(try read { try r.slots() })
        case .exhausted: return .trapped(.resourceExhausted, detail: nil)
        case .trap(let code, let detail):
            if code == VMTrapCode.host.rawValue {
                return .trapped(.host(state.pendingHostTrap ?? "host function trapped"), detail: nil)
            }
            guard let trapCode = VMTrapCode(rawValue: code), let kind = TrapKind(trapCode) else {
                return .trapped(.host("\(name): unknown trap code \(code)"), detail: nil)
            }
            return .trapped(kind, detail: detail.map { "\($0)" })
        }
    }

    /// A call from the agent's code to a host function.
    func hostCall(_ index: UInt32, _ arguments: [UInt64]) -> AgentConnection.HostReply {
        guard state.hostFunctions.indices.contains(Int(index)) else { return .trapped }
        let host = state.hostFunctions[Int(index)]
        var values: [EngineValue] = []
        var slot = 0
        for type in host.type.params {
            let n = type.slotCount
            guard slot + n <= arguments.count else { return .trapped }
            // Host functions take numbers only (`defineHostFunctions`).
            guard let v = try? value(Array(arguments[slot..<(slot + n)]), type: type) else { return .trapped }
            values.append(v)
            slot += n
        }
        guard let (handler, definition) = host.handler else {
            // The spectest module's own functions print nothing here.
            return .returned([])
        }
        switch handler.call(definition.index, definition.function, arguments: values) {
        case .trapped(let message):
            state.pendingHostTrap = message
            return .trapped
        case .returned(let results):
            var slots: [UInt64] = []
            guard results.count == host.type.results.count else {
                state.pendingHostTrap = "host function returned \(results), not \(host.type.results)"
                return .trapped
            }
            for (result, type) in zip(results, host.type.results) {
                guard let encoded = Self.slots(result, as: type) else {
                    state.pendingHostTrap = "host function returned \(result), not \(type)"
                    return .trapped
                }
                slots += encoded
            }
            return .returned(slots)
        }
    }

    // MARK: State reads

    func readGlobal(_ cell: UInt64) throws(EngineFailure) -> [UInt64] {
        var request = FrameWriter(.globalRead)
        request.u64(cell)
        var r = try sendExpectingOK(request)
        return try read { [try r.u64(), try r.u64()] }
    }

    func readTable(_ table: UInt64, start: UInt64, count: UInt64) throws(EngineFailure) -> (size: UInt64, entries: [UInt64]) {
        var request = FrameWriter(.tableRead)
        request.u64(table)
        request.u64(start)
        request.u64(count)
        var r = try sendExpectingOK(request)
        return try read {
            let size = try r.u64()
            let n = Int(try r.u64())
            var entries: [UInt64] = []
            for _ in 0..<Swift.min(n, Int(count)) { entries.append(try r.u64()) }
            return (size, entries)
        }
    }

    /// The current size of a memory in pages.
    func memoryPages(_ memory: UInt64) throws(EngineFailure) -> UInt64 {
        var request = FrameWriter(.memoryInfo)
        request.u64(memory)
        var r = try sendExpectingOK(request)
        return try read {
            _ = try r.u64()
            return try r.u64()
        }
    }
}

/// A memory in the agent (`AgentEngine.memory(_:export:)`): its size, and
/// bounds-checked reads and writes (`memory-info`, `memory-read`,
/// `memory-write`; a range out of bounds is a bad request).
public struct AgentMemory {
    public let engine: AgentEngine
    /// The memory's handle in the agent.
    public let handle: UInt64

    /// The size in bytes now.
    public func byteCount() throws(EngineFailure) -> UInt64 {
        var request = FrameWriter(.memoryInfo)
        request.u64(handle)
        var r = try engine.sendExpectingOK(request)
        return try engine.read { try r.u64() }
    }

    /// `count` bytes at `offset`.
    public func read(at offset: UInt64, count: Int) throws(EngineFailure) -> [UInt8] {
        var request = FrameWriter(.memoryRead)
        request.u64(handle)
        request.u64(offset)
        request.int(count)
        var r = try engine.sendExpectingOK(request)
        let bytes = try engine.read {
            let n = Int(try r.u64())
            return try r.raw(n)
        }
        guard bytes.count == count else { throw EngineFailure(.protocolViolation, "\(engine.name): memory-read answered \(bytes.count) bytes, not \(count)") }
        return bytes
    }

    /// Writes `bytes` at `offset`.
    public func write(at offset: UInt64, _ bytes: UnsafeRawBufferPointer) throws(EngineFailure) {
        var request = FrameWriter(.memoryWrite)
        request.u64(handle)
        request.u64(offset)
        request.int(bytes.count)
        request.raw(bytes)
        _ = try engine.sendExpectingOK(request)
    }
}
