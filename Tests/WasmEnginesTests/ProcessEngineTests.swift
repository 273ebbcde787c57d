import Foundation
import Testing
import WasmSyntax
@testable import WasmEngines

/// A child engine that dies, hangs or talks nonsense is a failure of that
/// engine (crash, timeout, protocol), and the next request starts a new
/// child.
@Suite("Engines in child processes")
struct ProcessEngineTests {
    /// A toy engine in Python: answers hello, then misbehaves as told.
    static let toy = """
        import sys, json, os, time
        mode = sys.argv[1]
        for line in sys.stdin:
            r = json.loads(line)
            if r["op"] == "hello":
                print(json.dumps({"id": r["id"], "version": 1, "engine": "toy", "features": ["simd", "unknown-feature"]}), flush=True)
                continue
            if mode == "crash":
                os.kill(os.getpid(), 9)
            if mode == "hang":
                time.sleep(60)
            if mode == "garbage":
                print("not json", flush=True)
                continue
            if mode == "wrong-id":
                print(json.dumps({"id": -1}), flush=True)
                continue
            print(json.dumps({"id": r["id"], "module": 0}), flush=True)
        """

    func toy(_ mode: String, timeout: Double = 5) -> ProcessEngine {
        ProcessEngine(name: "toy", command: ["python3", "-c", Self.toy, mode], timeout: timeout)
    }

    @Test func negotiatesAndAnswers() throws {
        let engine = toy("ok")
        #expect(try engine.features() == .simd)
        #expect(engine.version == 1)
        #expect(engine.engineDescription == "toy")
        #expect(try engine.compile([1, 2, 3]) == .compiled(ModuleHandle(0)))
        engine.stop()
    }

    @Test func aDeadChildIsACrashAndRestarts() throws {
        let engine = toy("crash")
        do {
            _ = try engine.compile([0])
            Issue.record("no failure")
        } catch {
            #expect(error.kind == .crash)
            #expect(error.message.contains("signal 9"))
        }
        #expect(throws: EngineFailure.self) { try engine.compile([0]) }
        #expect(engine.restarts == 1)
    }

    @Test func aSilentChildTimesOut() throws {
        let engine = toy("hang", timeout: 0.5)
        let start = Date()
        do {
            _ = try engine.compile([0])
            Issue.record("no failure")
        } catch {
            #expect(error.kind == .timeout)
        }
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test(arguments: ["garbage", "wrong-id"])
    func nonsenseIsAProtocolViolation(_ mode: String) throws {
        let engine = toy(mode)
        do {
            _ = try engine.compile([0])
            Issue.record("no failure")
        } catch {
            #expect(error.kind == .protocolViolation)
        }
    }

    /// A toy engine that calls host function 1 with `i32 7` when invoked,
    /// and returns what the client answered, plus one.
    static let caller = """
        import sys, json
        defined = 0
        for line in sys.stdin:
            r = json.loads(line)
            if r["op"] == "hello":
                print(json.dumps({"id": r["id"], "version": 2, "engine": "caller", "features": []}), flush=True)
            elif r["op"] == "define-host":
                defined += len(r["functions"])
                print(json.dumps({"id": r["id"]}), flush=True)
            elif r["op"] == "invoke":
                print(json.dumps({"id": r["id"], "host-call": {"index": defined - 1, "args": [{"type": "i32", "value": "7"}]}}), flush=True)
                answer = json.loads(sys.stdin.readline())
                n = int(answer["host-result"][0]["value"])
                print(json.dumps({"id": r["id"], "results": [{"type": "i32", "value": str(n + 1)}]}), flush=True)
        """

    final class Doubler: HostCallHandler {
        var calls: [(Int, String, [EngineValue])] = []
        func call(_ index: Int, _ function: HostFunctionImport, arguments: [EngineValue]) -> HostCallOutcome {
            calls.append((index, function.name, arguments))
            guard case .i32(let n)? = arguments.first else { return .trapped("no i32") }
            return .returned([.i32(n * 2)])
        }
    }

    /// A host call that comes back in the middle of a request reaches the
    /// handler of the definition it belongs to, with that definition's
    /// index, and the request's own answer follows.
    @Test func answersHostCallsWithinARequest() throws {
        let engine = ProcessEngine(name: "caller", command: ["python3", "-c", Self.caller])
        defer { engine.stop() }
        let first = Doubler(), second = Doubler()
        let type = FuncType(params: [.i32], results: [.i32])
        try engine.defineHostFunctions([HostFunctionImport(module: "env", name: "a", type: type)], handler: first)
        try engine.defineHostFunctions([HostFunctionImport(module: "env", name: "b", type: type),
                                        HostFunctionImport(module: "env", name: "c", type: type)], handler: second)
        #expect(try engine.invoke(InstanceHandle(0), export: "f", arguments: []) == .returned([.i32(15)]))
        #expect(first.calls.isEmpty)
        #expect(second.calls.count == 1)
        #expect(second.calls.first?.0 == 1)
        #expect(second.calls.first?.1 == "c")
    }

    /// An engine of protocol version 1 cannot take host functions; that is
    /// `unsupported`, so the caller keeps the engine's own.
    @Test func hostFunctionsOnAVersion1EngineAreUnsupported() throws {
        let engine = toy("ok")
        defer { engine.stop() }
        do {
            try engine.defineHostFunctions([HostFunctionImport(module: "env", name: "a", type: FuncType(params: [], results: []))],
                                           handler: Doubler())
            Issue.record("no failure")
        } catch {
            #expect(error.kind == .unsupported)
        }
    }

    @Test func aMissingProgramIsUnavailable() {
        let engine = ProcessEngine(name: "none", command: ["/nonexistent/engine"])
        do {
            _ = try engine.features()
            Issue.record("no failure")
        } catch {
            #expect(error.kind == .unavailable || error.kind == .crash)
        }
    }
}
