import Testing
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

    @Test func valuesSurviveTheWire() {
        let values: [EngineValue] = [.i32(0xFFFF_FFFF), .i64(.max), .f32(0x7FA0_0001), .f64(0xFFF0_0000_0000_0001),
                                     .v128(.init(lo: 1, hi: 2)), .ref(.null(.exn)), .ref(.i31(-5)), .ref(.structure), .ref(.function)]
        for v in values { #expect(WireProtocol.value(WireProtocol.json(v)) == v) }
        #expect(WireProtocol.value(["type": "i32", "value": "4294967296"]) == nil)
        #expect(WireProtocol.value(["type": "ref", "value": "null"]) == nil)
    }
}
