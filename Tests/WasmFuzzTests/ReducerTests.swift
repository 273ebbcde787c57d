import Testing
import WasmBinary
import WasmSyntax
import WasmEngines
@testable import WasmFuzz

@Suite("The reducer")
struct ReducerTests {
    @Test func removesWhatThePredicateDoesNotNeed() throws {
        let bytes = try wasm("""
            (module
              (type (func (param i64) (result i64)))
              (memory 1) (data (i32.const 0) "hello")
              (global $unused f64 (f64.const 1.5))
              (global $g (mut i32) (i32.const 0))
              (func $helper (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
              (func (export "keep") (result i32)
                (drop (i64.const 7)) (drop (f32.const 2))
                (call $helper (i32.const 41)) (global.set $g (i32.const 9)) (i32.const 0x5A5A) (drop))
              (func (export "other") (result f64) (f64.const 3)))
            """)
        // Interesting: some function still contains `i32.const 0x5A5A`.
        let marker = Instruction(.i32Const, .i32(0x5A5A))
        let predicate: Reducer.Predicate = { candidate in
            guard let m = try? decodeModule(candidate) else { return false }
            return m.functions.contains { (try? decodeInstructions($0.body))?.contains(marker) == true }
        }
        let result = Reducer(validateWith: .all).reduce(bytes, while: predicate)
        #expect(predicate(result.bytes))
        #expect(result.bytes.count < bytes.count / 2)
        let module = try decodeModule(result.bytes)
        #expect(module.functions.count == 1)
        #expect(module.globals.isEmpty)
        #expect(module.datas.isEmpty)
        #expect(module.exports.isEmpty)
    }

    @Test func removingAnItemRenumbersTheRest() throws {
        let module = try decodeModule(try wasm("""
            (module
              (global $a i32 (i32.const 1)) (global $b i32 (i32.const 2))
              (func $f (result i32) (global.get $b))
              (func $h)
              (func $g (export "g") (result i32) (call $f))
              (start $s) (func $s))
            """))
        // $a is unused: $b becomes global 0.
        let withoutA = try #require(module.removing(.global, 0))
        #expect(withoutA.globals.count == 1)
        #expect(try decodeInstructions(withoutA.functions[0].body).first == Instruction(.globalGet, .index(0)))
        // $b is used: it cannot go.
        #expect(module.removing(.global, 1) == nil)
        // Called, exported or started functions cannot go; removing $h
        // shifts the export and the start function down.
        #expect(module.removing(.function, 0) == nil)
        #expect(module.removing(.function, 2) == nil)
        #expect(module.removing(.function, 3) == nil)
        let withoutH = try #require(module.removing(.function, 1))
        #expect(withoutH.functions.count == 3)
        #expect(withoutH.exports == [Export(name: "g", descriptor: .function(1))])
        #expect(withoutH.start == 2)
        #expect(try decodeInstructions(withoutH.functions[1].body).first == Instruction(.call, .index(0)))
    }

    @Test func fallsBackToBytesForModulesThatDoNotDecode() {
        var bytes: [UInt8] = [0, 0x61, 0x73, 0x6D, 1, 0, 0, 0]
        bytes += [0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0xFF, 0xFF, 0xFF]
        let result = Reducer().reduce(bytes) { candidate in candidate.contains(0x60) && candidate.count >= 9 }
        #expect(result.bytes.count == 9)
        #expect(result.bytes.contains(0x60))
    }
}
