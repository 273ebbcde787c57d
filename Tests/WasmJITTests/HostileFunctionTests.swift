import Foundation
import Testing
import WasmBinary
import WasmJIT
import WasmRuntime
import WasmText

/// Functions built to stress a single-pass compiler: each compiles in
/// bounded time and runs correctly (or is refused with an error), and none
/// brings the host down (docs/architecture.md, decision 8). The time
/// bounds are generous ceilings against quadratic behaviour, not
/// benchmarks (compile speed is measured in Benchmarks/).
@Suite("JIT: hostile functions")
struct HostileFunctionTests {
    /// Compiles `text` on the JIT, calls "f" and returns its results and
    /// the compile time.
    static func run(_ text: String, _ arguments: [Value] = []) throws -> (results: [Value], seconds: Double) {
        let bytes = encodeModule(try parseModule(text))
        let engine = Engine(tier: JIT())
        let start = Date()
        let module = try WasmRuntime.Module(engine: engine, bytes: bytes)
        let seconds = Date().timeIntervalSince(start)
        let instance = try Linker().instantiate(module, in: Store(engine: engine))
        guard let f = instance.function("f") else { throw Trap(.host("no export f")) }
        return (try f.call(arguments), seconds)
    }

    @Test func fiftyThousandLocals() throws {
        let (results, seconds) = try Self.run("""
            (module (func (export "f") (param i32) (result i32)
              (local \(String(repeating: "i64 ", count: 49_999)))
              (local.set 49999 (i64.const 7))
              (i32.add (local.get 0) (i32.wrap_i64 (local.get 49999)))))
            """, [.i32(5)])
        #expect(results == [.i32(12)])
        #expect(seconds < 5)
    }

    @Test func tenThousandNestedBlocks() throws {
        let depth = 10_000
        let (results, seconds) = try Self.run("""
            (module (func (export "f") (result i32)
              \(String(repeating: "(block (result i32) ", count: depth))
              (i32.const 3) (br \(depth / 2))
              \(String(repeating: ")", count: depth))))
            """)
        #expect(results == [.i32(3)])
        #expect(seconds < 5)
    }

    @Test func aHundredThousandEntryBrTable() throws {
        let entries = (0..<100_000).map { $0 % 2 == 0 ? "0" : "1" }.joined(separator: " ")
        let text = """
            (module (func (export "f") (param i32) (result i32)
              (block (block (br_table \(entries) 1 (local.get 0))) (return (i32.const 10)))
              (i32.const 20)))
            """
        let (even, seconds) = try Self.run(text, [.i32(4)])
        #expect(even == [.i32(10)])
        #expect(try Self.run(text, [.i32(99_999)]).results == [.i32(20)])
        #expect(try Self.run(text, [.i32(UInt32.max)]).results == [.i32(20)])
        #expect(seconds < 5)
    }

    @Test func aMegabyteFunctionBody() throws {
        // 200,000 x (i32.add (i32.const 3)) is about 1 MB of code.
        let (results, seconds) = try Self.run("""
            (module (func (export "f") (result i32)
              (i32.const 0) \(String(repeating: "(i32.add (i32.const 3)) ", count: 200_000))))
            """)
        #expect(results == [.i32(600_000)])
        #expect(seconds < 10)
    }

    /// Many small functions, compiled in pieces: each piece makes labels
    /// only for the functions it places or calls (with a label per
    /// function in every piece, a million functions took 17 s in release).
    @Test func threeHundredThousandFunctions() throws {
        let count = 300_000
        func leb(_ value: Int) -> [UInt8] {
            var v = value, out: [UInt8] = []
            repeat {
                let byte = UInt8(v & 0x7F)
                v >>= 7
                out.append(v == 0 ? byte : byte | 0x80)
            } while v != 0
            return out
        }
        func section(_ id: UInt8, _ content: [UInt8]) -> [UInt8] { [id] + leb(content.count) + content }
        // Every function calls the next one (the last returns 7), so calls
        // cross every piece.
        var code = leb(count)
        for i in 0..<count {
            let body: [UInt8] = i + 1 < count ? [0x00] + [0x10] + leb(i + 1) + [0x0B] : [0x00, 0x41, 0x07, 0x0B]
            code += leb(body.count) + body
        }
        let bytes: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]
            + section(1, [0x01, 0x60, 0x00, 0x01, 0x7F])
            + section(3, leb(count) + [UInt8](repeating: 0, count: count))
            + section(7, [0x01, 0x01, UInt8(ascii: "f"), 0x00, 0x00])
            + section(10, code)
        let engine = Engine(tier: JIT())
        let start = Date()
        let module = try WasmRuntime.Module(engine: engine, bytes: bytes)
        let seconds = Date().timeIntervalSince(start)
        let instance = try Linker().instantiate(module, in: Store(engine: engine))
        // 300,000 nested calls exceed the call-depth limit: a trap, not a crash.
        #expect(throws: Trap.self) { try instance.function("f")!.call([]) }
        print("threeHundredThousandFunctions: compiled in \(seconds) s")
        #expect(seconds < 15, "compiled in \(seconds) s")
    }

    @Test func tenThousandLiveValues() throws {
        // 10,000 values on the operand stack across a call and a block,
        // then summed.
        let count = 10_000
        let (results, seconds) = try Self.run("""
            (module
              (func $id (param i32) (result i32) (local.get 0))
              (func (export "f") (param i32) (result i32)
                \(String(repeating: "(local.get 0) ", count: count))
                (call $id (i32.const 1))
                (block (param i32) (result i32))
                \(String(repeating: "(i32.add) ", count: count))))
            """, [.i32(2)])
        #expect(results == [.i32(UInt32(count * 2 + 1))])
        #expect(seconds < 5)
    }
}
