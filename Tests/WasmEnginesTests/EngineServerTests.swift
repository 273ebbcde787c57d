import Testing
import WasmSyntax
@testable import WasmEngines

/// The server side of the wire protocol, request by request.
@Suite("Engine protocol server")
struct EngineServerTests {
    func exchange(_ server: EngineServer, _ request: JSON) throws -> JSON {
        let (line, _) = server.respond(to: request.compact)
        #expect(!line.contains("\n"))
        return try JSON(parsing: line)
    }

    @Test func negotiatesTheVersionFirst() throws {
        let server = EngineServer(engine: InProcessEngine.interpreter(name: "interp"))
        let early = try exchange(server, ["id": 1, "op": "reset"])
        #expect(early["error"]?["code"]?.string == "bad-request")
        let refused = try exchange(server, ["id": 2, "op": "hello", "versions": [99]])
        #expect(refused["error"]?["code"]?.string == "unsupported-version")
        let hello = try exchange(server, ["id": 3, "op": "hello", "versions": [1, 99]])
        #expect(hello["id"]?.int == 3)
        #expect(hello["version"]?.int == 1)
        #expect(WireProtocol.features(hello["features"]) == .all)
    }

    @Test func runsAModuleOverTheWire() throws {
        let server = EngineServer(engine: InProcessEngine.interpreter(name: "interp"))
        _ = try exchange(server, ["id": 1, "op": "hello", "versions": [1]])
        let bytes = try wasm("""
            (module (memory (export "m") 1) (global (export "g") (mut f64) (f64.const -0))
              (func (export "f") (param i32 v128) (result i32 v128) (i32.store (i32.const 0) (local.get 0)) (local.get 0) (local.get 1))
              (func (export "t") (result i32) (unreachable)))
            """)
        let compiled = try exchange(server, ["id": 2, "op": "compile", "bytes": WireProtocol.base64(bytes)])
        #expect(WireProtocol.compileOutcome(compiled) == .compiled(ModuleHandle(0)))
        let instance = try exchange(server, ["id": 3, "op": "instantiate", "module": 0, "imports": "registered"])
        #expect(WireProtocol.instantiateOutcome(instance) == .instantiated(InstanceHandle(0)))
        let v = WireProtocol.json(.v128(.init(lo: 0x0102_0304_0506_0708, hi: 0xFFFF_FFFF_FFFF_FFFF)))
        let call = try exchange(server, ["id": 4, "op": "invoke", "instance": 0, "export": "f",
                                         "args": [["type": "i32", "value": "4294967295"], v]])
        #expect(WireProtocol.invokeOutcome(call) == .returned([.i32(0xFFFF_FFFF), .v128(.init(lo: 0x0102_0304_0506_0708, hi: 0xFFFF_FFFF_FFFF_FFFF))]))
        let trap = try exchange(server, ["id": 5, "op": "invoke", "instance": 0, "export": "t", "args": []])
        #expect(WireProtocol.invokeOutcome(trap) == .trapped(.unreachable))
        let snapshot = try exchange(server, ["id": 6, "op": "snapshot", "instance": 0])
        let parsed = WireProtocol.snapshot(snapshot)
        #expect(parsed?.exports.map(\.name) == ["m", "g", "f", "t"])
        #expect(parsed?.exports[1].state == .global(.f64(0x8000_0000_0000_0000)))
        let memory = try exchange(server, ["id": 7, "op": "read-memory", "instance": 0, "export": "m", "offset": 0, "length": 5])
        #expect(WireProtocol.bytes(memory["bytes"]) == [0xFF, 0xFF, 0xFF, 0xFF, 0])
        let reset = try exchange(server, ["id": 8, "op": "reset"])
        #expect(reset == ["id": 8])
        let stale = try exchange(server, ["id": 9, "op": "snapshot", "instance": 0])
        #expect(stale["error"]?["code"]?.string == "bad-request")
    }

    @Test func answersBadRequestsWithErrors() throws {
        let server = EngineServer(engine: InProcessEngine.interpreter(name: "interp"))
        _ = try exchange(server, ["id": 1, "op": "hello", "versions": [1]])
        #expect(try exchange(server, ["id": 2, "op": "fly"])["error"]?["code"]?.string == "unknown-op")
        #expect(try exchange(server, ["id": 3, "op": "compile", "bytes": "%%%"])["error"]?["code"]?.string == "bad-request")
        #expect(try exchange(server, ["id": 4, "op": "invoke", "instance": 0, "export": "f", "args": [["type": "i32"]]])["error"] != nil)
        let (line, _) = server.respond(to: "{not json")
        #expect(try JSON(parsing: line)["error"]?["code"]?.string == "bad-request")
        let (_, quit) = server.respond(to: #"{"id":5,"op":"quit"}"#)
        #expect(quit)
    }

    /// A host function the client defined is called back over the pipe in
    /// the middle of `invoke`: the server writes `host-call`, reads the
    /// client's answer, and only then answers the request.
    @Test func callsTheClientsHostFunctionsBackOverThePipe() throws {
        var pending: [String] = []
        var written: [JSON] = []
        let server = EngineServer(engine: InProcessEngine.interpreter(name: "interp"),
                                  input: { pending.isEmpty ? nil : pending.removeFirst() },
                                  output: { written.append((try? JSON(parsing: $0)) ?? .null); return true })
        _ = try exchange(server, ["id": 1, "op": "hello", "versions": [2]])
        let i32 = FuncType(params: [.i32, .i32], results: [.i32])
        let add = WireProtocol.json(HostFunctionImport(module: "env", name: "add", type: i32))
        let fail = WireProtocol.json(HostFunctionImport(module: "env", name: "fail", type: FuncType(params: [], results: [])))
        #expect(try exchange(server, ["id": 2, "op": "define-host", "functions": [add]]) == ["id": 2])
        #expect(try exchange(server, ["id": 3, "op": "define-host", "functions": [fail]]) == ["id": 3])
        let bytes = try wasm("""
            (module (import "env" "add" (func $add (param i32 i32) (result i32))) (import "env" "fail" (func $fail))
              (func (export "f") (param i32) (result i32) (call $add (local.get 0) (i32.const 1)))
              (func (export "g") (call $fail)))
            """)
        _ = try exchange(server, ["id": 4, "op": "compile", "bytes": WireProtocol.base64(bytes)])
        _ = try exchange(server, ["id": 5, "op": "instantiate", "module": 0, "imports": "registered"])

        pending = [JSON.object([("id", 6), ("host-result", [WireProtocol.json(.i32(42))])]).compact]
        let call = try exchange(server, ["id": 6, "op": "invoke", "instance": 0, "export": "f", "args": [WireProtocol.json(.i32(41))]])
        #expect(WireProtocol.invokeOutcome(call) == .returned([.i32(42)]))
        #expect(written == [["id": 6, "host-call": ["index": 0, "args": [WireProtocol.json(.i32(41)), WireProtocol.json(.i32(1))]]]])

        // The second definition's function is number 1 in the one list.
        pending = [#"{"id":7,"host-trap":"the host says no"}"#]
        let trapped = try exchange(server, ["id": 7, "op": "invoke", "instance": 0, "export": "g", "args": []])
        #expect(written.last?["host-call"]?["index"]?.int == 1)
        #expect(WireProtocol.invokeOutcome(trapped) == .trapped(.host("the host says no")))

        // A client that goes away in the middle of a host call ends the
        // call with a trap, not a hang.
        pending = []
        let gone = try exchange(server, ["id": 8, "op": "invoke", "instance": 0, "export": "g", "args": []])
        guard case .trapped(.host(let message), _)? = WireProtocol.invokeOutcome(gone) else {
            Issue.record("not a host trap: \(gone.compact)")
            return
        }
        #expect(message.contains("gone"))
    }

    @Test func refusesHostFunctionsWithReferenceTypes() throws {
        let server = EngineServer(engine: InProcessEngine.interpreter(name: "interp"))
        _ = try exchange(server, ["id": 1, "op": "hello", "versions": [2]])
        let f = WireProtocol.json(HostFunctionImport(module: "env", name: "r", type: FuncType(params: [.externref], results: [])))
        #expect(try exchange(server, ["id": 2, "op": "define-host", "functions": [f]])["error"]?["code"]?.string == "bad-request")
    }

    @Test func valuesSurviveTheWire() {
        let values: [EngineValue] = [.i32(0xFFFF_FFFF), .i64(.max), .f32(0x7FA0_0001), .f64(0xFFF0_0000_0000_0001),
                                     .v128(.init(lo: 1, hi: 2)), .ref(.null(.exn)), .ref(.i31(-5)), .ref(.structure), .ref(.function)]
        for v in values { #expect(WireProtocol.value(WireProtocol.json(v)) == v) }
        #expect(WireProtocol.value(["type": "i32", "value": "4294967296"]) == nil)
        #expect(WireProtocol.value(["type": "ref", "value": "null"]) == nil)
    }
}
