import Testing
import WasmRuntime
@testable import WasmEngines

@Suite("The interpreter behind the engine protocol")
struct InProcessEngineTests {
    static let module = """
        (module
          (memory (export "mem") 1)
          (global (export "counter") (mut i32) (i32.const 5))
          (global (export "nan") f32 (f32.const nan:0x200000))
          (table (export "tab") 3 funcref)
          (elem (i32.const 1) func $add)
          (func $add (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
          (func (export "div") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
          (func (export "store") (param i32) (i32.store8 (i32.const 65535) (local.get 0))
            (global.set 0 (i32.add (global.get 0) (i32.const 1))))
          (func $loop (export "spin") (loop (br 0)))
          (func (export "null") (result externref) (ref.null extern)))
        """

    func instantiated() throws -> (InProcessEngine, InstanceHandle) {
        let engine = InProcessEngine.interpreter(fuelPerCall: 100_000)
        guard case .compiled(let m) = engine.compile(try wasm(Self.module)) else {
            throw EngineFailure(.badRequest, "did not compile")
        }
        guard case .instantiated(let i) = try engine.instantiate(m, imports: .registered) else {
            throw EngineFailure(.badRequest, "did not instantiate")
        }
        return (engine, i)
    }

    @Test func callsReturnValuesAndTrapKinds() throws {
        let (engine, i) = try instantiated()
        #expect(try engine.invoke(i, export: "add", arguments: [.i32(2), .i32(0xFFFF_FFFF)]) == .returned([.i32(1)]))
        #expect(try engine.invoke(i, export: "div", arguments: [.i32(0)]) == .trapped(.integerDivideByZero))
        #expect(try engine.invoke(i, export: "spin", arguments: []) == .exhausted(.outOfFuel))
        #expect(try engine.invoke(i, export: "null", arguments: []) == .returned([.ref(.null(.extern))]))
    }

    @Test func wrongRequestsAreFailuresNotOutcomes() throws {
        let (engine, i) = try instantiated()
        #expect(throws: EngineFailure.self) { try engine.invoke(i, export: "nope", arguments: []) }
        #expect(throws: EngineFailure.self) { try engine.invoke(i, export: "add", arguments: [.i32(1)]) }
        #expect(throws: EngineFailure.self) { try engine.invoke(i, export: "add", arguments: [.i64(1), .i32(1)]) }
        #expect(throws: EngineFailure.self) { try engine.snapshot(InstanceHandle(9)) }
    }

    @Test func snapshotsShowExportedState() throws {
        let (engine, i) = try instantiated()
        let before = try engine.snapshot(i)
        #expect(before.exports.map(\.name) == ["mem", "counter", "nan", "tab", "add", "div", "store", "spin", "null"])
        #expect(before.exports[1].state == .global(.i32(5)))
        #expect(before.exports[2].state == .global(.f32(0x7FA0_0000)))
        #expect(before.exports[3].state == .table(size: 3, entries: "nfn"))
        guard case .memory(let size, let hash) = before.exports[0].state else {
            Issue.record("no memory")
            return
        }
        #expect(size == 65536)
        #expect(hash == ContentHash.of([UInt8](repeating: 0, count: 65536)))

        _ = try engine.invoke(i, export: "store", arguments: [.i32(0xAB)])
        let after = try engine.snapshot(i)
        #expect(after.exports[1].state == .global(.i32(6)))
        #expect(after.hash != before.hash)
        #expect(try engine.readMemory(i, export: "mem", offset: 65534, count: 2) == [0, 0xAB])
        #expect(throws: EngineFailure.self) { try engine.readMemory(i, export: "mem", offset: 65535, count: 2) }
    }

    @Test func rejectionsSayWhy() throws {
        let engine = InProcessEngine.interpreter(name: "interp")
        guard case .rejected(let r) = engine.compile([0, 0x61, 0x73, 0x6D, 1, 0, 0, 0, 1]) else {
            Issue.record("accepted a truncated module")
            return
        }
        #expect(r.kind == .malformed)
        let invalid = try wasm("(module (func (result i32) (i64.const 1)))")
        guard case .rejected(let r2) = engine.compile(invalid) else {
            Issue.record("accepted an invalid module")
            return
        }
        #expect(r2.kind == .invalid)
    }

    @Test func registeredInstancesAndSpectestSatisfyImports() throws {
        let engine = InProcessEngine.interpreter(name: "interp")
        guard case .compiled(let a) = engine.compile(try wasm("(module (global (export \"g\") i32 (i32.const 42)))")),
              case .instantiated(let ia) = try engine.instantiate(a, imports: .registered) else {
            Issue.record("setup failed")
            return
        }
        try engine.register(ia, as: "A")
        let importer = try wasm("""
            (module (import "A" "g" (global i32)) (import "spectest" "print_i32" (func (param i32)))
              (func (export "get") (result i32) (global.get 0)))
            """)
        guard case .compiled(let b) = engine.compile(importer) else {
            Issue.record("did not compile")
            return
        }
        #expect(try engine.instantiate(b, imports: .registered) == .unlinkable("unknown import: spectest.print_i32"))
        guard case .instantiated(let ib) = try engine.instantiate(b, imports: .spectest) else {
            Issue.record("did not link")
            return
        }
        #expect(try engine.invoke(ib, export: "get", arguments: []) == .returned([.i32(42)]))
        engine.reset()
        #expect(throws: EngineFailure.self) { try engine.snapshot(ib) }
    }
}
