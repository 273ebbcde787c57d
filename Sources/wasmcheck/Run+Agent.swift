import Foundation
import WasmEngines
import WasmRuntime
import WasmSyntax
import WasmWASI

/// `wasmcheck run --engine jit-agent|jit-aarch64`: the JIT's code runs in
/// the agent process (natively, or built for AArch64 under qemu-aarch64),
/// driven by `AgentEngine`; WASI runs here, as the host functions the
/// agent calls back (docs/agent-protocol.md, "Host calls"). During each
/// host call WASI reads and writes the guest's memory with requests the
/// agent answers while it waits (`memory-read`, `memory-write`), through
/// a shadow of the pages the call touches (`WASI.bind(remote:)`). Fuel,
/// `--max-memory` and `--max-stack` are the agent's own limits, as the
/// in-process tiers': the same traps at the same points.
extension Run {
    static let agentTiers = ["jit-agent", "jit-aarch64"]

    func runOnAgent(_ bytes: [UInt8]) -> Never {
        // The agent (and its stderr log) is gone before the process exits.
        let status = runOnAgentStatus(bytes)
        Foundation.exit(status)
    }

    /// How a run on the agent ends early: this exit status (already reported).
    private struct End: Error {
        var status: Int32
    }

    private func failure(_ message: String) -> End {
        printError("Error: \(message)")
        return End(status: 1)
    }

    private func runOnAgentStatus(_ bytes: [UInt8]) -> Int32 {
        let fuel: UInt64?
        let spec: EngineSpec
        do {
            fuel = try self.fuel()
            spec = try EngineSpec.parse(engine, environment: .current())
        } catch {
            return failure("\(error)").status
        }
        guard case .agent(let target, let command, _) = spec.kind else { return failure("\(engine) is not an agent tier").status }
        var limits = EngineConfiguration()
        if let maxMemory { limits.maxMemoryBytes = maxMemory }
        if let maxStack { limits.maxCallDepth = Swift.max(maxStack, 1) }
        // A program runs as long as it runs: no deadline per request.
        let agent = AgentEngine(name: engine, target: target, command: command, features: features.features,
                                fuelPerCall: fuel, timeout: 365 * 86_400, limits: limits)
        agent.fuelBudget = .perStore
        defer { agent.stop() }
        do {
            try run(on: agent, bytes, fuel: fuel)
            return 0
        } catch let end as End {
            return end.status
        } catch {
            // The agent crashed, hung or broke the protocol: not the program's doing.
            return failure("failed to run main module `\(file)` on \(engine): \(error)").status
        }
    }

    private func run(on agent: AgentEngine, _ bytes: [UInt8], fuel: UInt64?) throws {
        let module: ModuleHandle
        switch agent.compile(bytes) {
        case .compiled(let handle): module = handle
        case .rejected(let rejection): throw failure("failed to compile `\(file)`: \(rejection.message)")
        }

        let wasi = makeWASI()
        let functions = wasi.hostFunctions
        try agent.defineHostFunctions(functions.map { HostFunctionImport(module: WASI.moduleName, name: $0.name, type: $0.type) },
                                      handler: WASIHostCalls(functions))
        let instance: InstanceHandle
        switch try agent.instantiate(module, imports: .registered) {
        case .instantiated(let handle): instance = handle
        case .unlinkable(let message): throw failure("failed to instantiate `\(file)`: \(message)")
        case .trapped(let kind, let detail):
            if let code = wasi.exitCode { throw End(status: status(exit: code)) }
            throw failure("failed to instantiate `\(file)`: \(Trap(kind, detail: detail))")
        case .exhausted(let kind): throw failure("failed to instantiate `\(file)`: \(Trap(kind))")
        }
        if let memory = try? agent.memory(instance, export: "memory") {
            wasi.bind(remote: AgentWASIMemory(memory))
        }

        /// Calls an export: its results; a trap or `proc_exit` ends the run.
        func call(_ name: String, _ arguments: [EngineValue]) throws -> [EngineValue] {
            let outcome = try agent.invoke(instance, export: name, arguments: arguments)
            if let code = wasi.exitCode { throw End(status: status(exit: code)) }
            switch outcome {
            case .returned(let results): return results
            case .trapped(let kind, let detail):
                throw End(status: status(trap: Trap(kind, detail: detail), fuel: fuel, maxStack: agent.limits.maxCallDepth))
            case .exhausted(let kind):
                throw End(status: status(trap: Trap(kind), fuel: fuel, maxStack: agent.limits.maxCallDepth))
            }
        }

        if try agent.functionType(instance, export: "_initialize") != nil {
            _ = try call("_initialize", [])
        }
        guard let invoke else {
            guard try agent.functionType(instance, export: "_start") != nil else {
                throw failure("`\(file)` exports no _start function; use --invoke to call another export")
            }
            _ = try call("_start", [])
            return
        }
        let values: [EngineValue]
        do {
            values = try invokeArguments(invoke, params: agent.functionType(instance, export: invoke)?.params) {
                try agent.functionExports(instance)
            }
        } catch let error as InvokeError {
            throw failure(error.message)
        }
        for result in try call(invoke, values) {
            print(Self.text(result))
        }
    }
}

/// The guest's memory in the agent, as WASI reads and writes it.
final class AgentWASIMemory: WASIRemoteMemory {
    let memory: AgentMemory

    init(_ memory: AgentMemory) { self.memory = memory }

    func byteCount() throws -> UInt64 { try memory.byteCount() }

    func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws {
        let bytes = try memory.read(at: offset, count: buffer.count)
        buffer.copyBytes(from: bytes)
    }

    func write(at offset: UInt64, _ bytes: UnsafeRawBufferPointer) throws {
        try memory.write(at: offset, bytes)
    }
}

/// The agent's host calls, answered by the WASI functions (in the order
/// they were given to `defineHostFunctions`).
final class WASIHostCalls: HostCallHandler {
    let functions: [WASIHostFunction]

    init(_ functions: [WASIHostFunction]) { self.functions = functions }

    func call(_ index: Int, _ function: HostFunctionImport, arguments: [EngineValue]) -> HostCallOutcome {
        guard functions.indices.contains(index), arguments.count == function.type.params.count else {
            return .trapped("wasi: no host function \(index) taking \(arguments.count) arguments")
        }
        var values: [Value] = []
        for (argument, type) in zip(arguments, function.type.params) {
            guard let value = InProcessEngine.value(argument, as: type) else { return .trapped("wasi: \(function.name) got \(argument)") }
            values.append(value)
        }
        do {
            let results = try functions[index].call(values)
            var encoded: [EngineValue] = []
            for result in results {
                guard let value = EngineValue(plain: result) else { return .trapped("wasi: \(function.name) returned \(result)") }
                encoded.append(value)
            }
            return .returned(encoded)
        } catch let trap as Trap {
            return .trapped(trap.message)
        } catch {
            return .trapped("\(error)")
        }
    }
}
