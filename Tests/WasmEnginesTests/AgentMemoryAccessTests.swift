import Foundation
import Testing
import WasmJIT
import WasmRuntime
import WasmSyntax
@testable import WasmEngines

/// A host function may read and write the guest's memory in the agent
/// during its call (nested `memory-read` / `memory-write` requests, as
/// WASI does for `wasmcheck run --engine jit-agent`), and a bad request
/// for memory gets an error answer, never a crash of the agent.
@Suite("Memory access in the agent, also during host calls")
struct AgentMemoryAccessTests {
    static let targets = AgentEngineTests.targets

    static let guest = """
        (module
          (import "host" "upcase" (func $upcase (param i32 i32) (result i32)))
          (memory (export "memory") 1 3)
          (data (i32.const 100) "hello agent")
          (func (export "run") (result i32 i32)
            (call $upcase (i32.const 100) (i32.const 11))
            (i32.load8_u (i32.const 104)))  ;; "o", upper-cased by the host
          (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))
        """

    /// Upper-cases `[pointer, pointer + length)` in the guest's memory
    /// during the call, and answers the memory's size in pages.
    final class Upcase: HostCallHandler {
        var memory: AgentMemory?
        var failures: [String] = []

        func call(_ index: Int, _ function: HostFunctionImport, arguments: [EngineValue]) -> HostCallOutcome {
            guard let memory, case .i32(let pointer) = arguments[0], case .i32(let length) = arguments[1] else {
                return .trapped("no memory")
            }
            do {
                var bytes = try memory.read(at: UInt64(pointer), count: Int(length))
                for i in bytes.indices where bytes[i] >= 0x61 && bytes[i] <= 0x7A { bytes[i] -= 0x20 }
                try bytes.withUnsafeBytes { try memory.write(at: UInt64(pointer), $0) }
                return .returned([.i32(UInt32(try memory.byteCount() / 65536))])
            } catch {
                failures.append("\(error)")
                return .trapped("\(error)")
            }
        }
    }

    func instantiate(_ target: JITTarget) throws -> (AgentEngine, InstanceHandle, Upcase)? {
        let command = try #require(agentCommand(target), "the agent for \(target) is not built")
        let agent = AgentEngine(name: "agent", target: target, command: command, timeout: target == .x86_64 ? 30 : 120)
        let upcase = Upcase()
        try agent.defineHostFunctions([HostFunctionImport(module: "host", name: "upcase", type: FuncType(params: [.i32, .i32], results: [.i32]))],
                                      handler: upcase)
        guard case .compiled(let m) = agent.compile(try wasm(Self.guest)),
              case .instantiated(let i) = try agent.instantiate(m, imports: .registered) else {
            Issue.record("did not instantiate")
            return nil
        }
        upcase.memory = try agent.memory(i, export: "memory")
        return (agent, i, upcase)
    }

    @Test(arguments: targets) func hostFunctionsReadAndWriteTheGuestsMemoryDuringTheirCall(_ target: JITTarget) throws {
        guard let (agent, instance, upcase) = try instantiate(target) else { return }
        // The guest sees the write as soon as the host function returns.
        #expect(try agent.invoke(instance, export: "run", arguments: []) == .returned([.i32(1), .i32(0x4F)]))
        #expect(upcase.failures.isEmpty)
        #expect(try agent.readMemory(instance, export: "memory", offset: 100, count: 11) == Array("HELLO AGENT".utf8))
        // The size is the current one.
        #expect(try agent.invoke(instance, export: "grow", arguments: [.i32(1)]) == .returned([.i32(1)]))
        #expect(try agent.invoke(instance, export: "run", arguments: []) == .returned([.i32(2), .i32(0x4F)]))
    }

    @Test(arguments: targets) func aBadMemoryWriteGetsAnErrorAnswerAndTheAgentCarriesOn(_ target: JITTarget) throws {
        guard let (agent, instance, upcase) = try instantiate(target) else { return }
        let memory = try #require(upcase.memory)
        let size = try memory.byteCount()
        #expect(size == 65536)
        func expectBadRequest(_ what: String, _ body: () throws -> Void) {
            do {
                try body()
                Issue.record("\(what) was accepted")
            } catch {
                #expect((error as? EngineFailure)?.kind == .badRequest, "\(what): \(error)")
            }
        }
        let four: [UInt8] = [1, 2, 3, 4]
        for offset in [size - 3, size, size + 1, UInt64.max - 1, UInt64.max] {
            expectBadRequest("a write at \(offset)") {
                try four.withUnsafeBytes { b in try memory.write(at: offset, b) }
            }
        }
        expectBadRequest("a read past the end") { _ = try memory.read(at: size - 2, count: 4) }
        // Not a memory: a handle the agent never made.
        let stranger = AgentMemory(engine: agent, handle: 0xDEAD_BEEF)
        expectBadRequest("a write to a stranger") {
            try four.withUnsafeBytes { b in try stranger.write(at: 0, b) }
        }
        // Short and long bodies: the count says more or fewer bytes than follow.
        for extra in [-1, 1] {
            var request = FrameWriter(.memoryWrite)
            request.u64(memory.handle)
            request.u64(0)
            request.u64(4)
            request.raw(Array(repeating: 7, count: 4 + extra))
            expectBadRequest("a body with \(extra) bytes too many") { _ = try agent.send(request) }
        }
        // Nothing was written, and the agent still runs code.
        #expect(try agent.readMemory(instance, export: "memory", offset: Int(size) - 4, count: 4) == [0, 0, 0, 0])
        #expect(try agent.readMemory(instance, export: "memory", offset: 0, count: 4) == [0, 0, 0, 0])
        try four.withUnsafeBytes { try memory.write(at: size - 4, $0) }
        #expect(try agent.readMemory(instance, export: "memory", offset: Int(size) - 4, count: 4) == four)
        #expect(try agent.invoke(instance, export: "run", arguments: []) == .returned([.i32(1), .i32(0x4F)]))
        #expect(agent.restarts == 0)
    }

    /// `FuelBudget.perStore`: the calls of one store share the fuel, as
    /// `Store.fuel` in process (`wasmcheck run -W fuel=N`).
    @Test(arguments: targets) func fuelPerStoreIsSharedByEveryCall(_ target: JITTarget) throws {
        let command = try #require(agentCommand(target), "the agent for \(target) is not built")
        let bytes = try wasm("""
            (module (func (export "count") (param i32) (local i32)
              (loop (local.set 1 (i32.add (local.get 1) (i32.const 1))) (br_if 0 (i32.lt_u (local.get 1) (local.get 0))))))
            """)
        var outcomes: [[InvokeOutcome]] = []
        for budget in [AgentEngine.FuelBudget.perCall, .perStore] {
            let agent = AgentEngine(name: "agent", target: target, command: command, fuelPerCall: 1000, timeout: target == .x86_64 ? 30 : 120)
            agent.fuelBudget = budget
            guard case .compiled(let m) = agent.compile(bytes), case .instantiated(let i) = try agent.instantiate(m, imports: .registered) else {
                Issue.record("did not instantiate")
                return
            }
            outcomes.append(try (0..<3).map { _ in try agent.invoke(i, export: "count", arguments: [.i32(400)]) })
        }
        #expect(outcomes[0] == Array(repeating: .returned([]), count: 3))
        #expect(outcomes[1] == [.returned([]), .returned([]), .exhausted(.outOfFuel)])
    }
}
