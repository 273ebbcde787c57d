import Testing
import WasmBinary
import WasmJIT
import WasmRuntime
import WasmText

/// Code after a branch, return or tail call is validated but not compiled;
/// the compiler follows its block structure to find where code is live
/// again. Every kind of block must count, or an `end` or `else` inside dead
/// code is taken for one of live code.
@Suite("JIT: unreachable code")
struct UnreachableCodeTests {
    static func run(_ text: String) throws -> [Value] {
        let engine = Engine(tier: JIT())
        let module = try WasmRuntime.Module(engine: engine, bytes: encodeModule(try parseModule(text)))
        let instance = try Linker().instantiate(module, in: Store(engine: engine))
        guard let f = instance.function("f") else { throw Trap(.host("no export f")) }
        return try f.call([])
    }

    @Test(arguments: [
        "(try_table (result i32) (i32.const 2))",
        "(block (result i32) (i32.const 2))",
        "(loop (result i32) (i32.const 2))",
        "(try (result i32) (do (i32.const 2)) (delegate 0))",
        "(try (result i32) (do (i32.const 2)) (catch_all (i32.const 5)))",
    ])
    func everyBlockKindNestsInDeadCode(_ block: String) throws {
        // Found by fuzzing (corpora/regressions/jit-dead-try-table.wasm):
        // the try_table's end closed the if, and its else was compiled as
        // live code of the function.
        let results = try Self.run("""
            (module
              (func (export "f") (result i32)
                (return (i32.const 1))
                (if (result i32) (i32.const 1) (then \(block)) (else (i32.const 3)))
                (drop) (drop) (drop)
                (i32.const 4)))
            """)
        #expect(results == [.i32(1)])
    }
}
