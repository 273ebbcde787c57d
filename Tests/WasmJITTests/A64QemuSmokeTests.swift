import Foundation
import Testing
import WasmRuntime
import WasmSyntax
import WasmText
@testable import WasmJIT

/// A smoke test of the AArch64 code itself, where qemu-aarch64 and an
/// AArch64 C cross compiler are installed: a small static C harness (below)
/// builds a vmctx, a runtime and one memory from CWasmVM.h, maps the code
/// and calls a function's C entry as the runtime would. Its builtins are
/// small stand-ins (memoryGrow, indirectCallTarget that always reports a
/// mismatch, callHost adding 1000 to the first slot, throwTag,
/// gcAllocate that never frees); the others are null, so the modules here
/// stay away from them. The agent (docs/agent-protocol.md) is where the
/// whole runtime runs AArch64 code.
@Suite("AArch64 code under qemu", .enabled(if: A64Qemu.available, "qemu-aarch64 or aarch64-linux-gnu-gcc is not installed"))
struct A64QemuSmokeTests {
    /// Compiles `text` and runs function `function` with `arguments` in
    /// its first slots: the status and the first `results` slots.
    static func run(_ text: String, _ function: Int, _ arguments: [UInt64], results: Int = 1, fuel: UInt64? = nil) throws -> [UInt64] {
        var configuration = EngineConfiguration()
        configuration.consumesFuel = fuel != nil
        let path = try artifact(try parseModule(text), configuration: configuration)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let output = try A64Qemu.run([path, String(function), String(results)] + arguments.map { String($0) }, fuel: fuel)
        // "status result... depth=N"
        let fields = output.split(separator: " ")
        guard fields.count == results + 2, let status = UInt64(fields[0]), fields.last!.hasPrefix("depth=") else {
            throw Trap(.host("harness said: \(output)"))
        }
        // A return counts its frame off; a trap leaves that to the entry.
        if status == 0 { #expect(fields.last! == "depth=0", "the call depth is balanced") }
        return [status] + fields[1..<(1 + results)].map { UInt64($0)! }
    }

    /// The artifact file the harness reads: imported function count,
    /// then each defined function's entry and type index, then the code.
    static func artifact(_ module: WasmSyntax.Module, configuration: EngineConfiguration = EngineConfiguration()) throws -> String {
        let (masm, entries) = try A64CodeGenerationTests.compileWithEntries(module, configuration: configuration)
        return try artifactFile(module, code: masm.code.bytes, entries: entries)
    }

    /// The harness's file for `code` with `entries`.
    static func artifactFile(_ module: WasmSyntax.Module, code: [UInt8], entries: [Int]) throws -> String {
        var file = Data()
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { file.append(contentsOf: $0) } }
        u32(module.imports.filter { if case .function = $0.descriptor { true } else { false } }.count)
        u32(entries.count)
        for (entry, f) in zip(entries, module.functions) { u32(entry); u32(Int(f.typeIndex)) }
        u32(code.count)
        file.append(contentsOf: code)
        let path = NSTemporaryDirectory() + "wasmcheck-a64-\(UUID().uuidString).bin"
        try file.write(to: URL(fileURLWithPath: path))
        return path
    }

    static func i32(_ v: Int32) -> UInt64 { UInt64(UInt32(bitPattern: v)) }
    static func code(_ c: TrapCode) -> UInt64 { UInt64(c.rawValue) }

    @Test func integers() throws {
        let text = """
            (module
              (func (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
              (func (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
              (func (param i32 i32) (result i32) (i32.rem_s (local.get 0) (local.get 1)))
              (func (param i32 i32) (result i32) (i32.rotl (local.get 0) (local.get 1)))
              (func (param i64 i64) (result i64) (i64.shl (local.get 0) (local.get 1)))
              (func (param i32) (result i32) (i32.add (i32.clz (local.get 0)) (i32.mul (i32.popcnt (local.get 0)) (i32.const 100))))
              (func (param i64) (result i64) (i64.ctz (local.get 0)))
              (func (param i32) (result i64) (i64.extend_i32_s (local.get 0)))
              (func (param i64) (result i32) (i32.wrap_i64 (local.get 0)))
              (func (param i32 i32) (result i32) (i32.lt_u (local.get 0) (local.get 1)))
              (func (param i32 i64 i64) (result i64) (select (local.get 1) (local.get 2) (local.get 0)))
              (func (param i64 i64) (result i64) (i64.div_u (local.get 0) (local.get 1)))
              (func (param i32) (result i32) (i32.extend8_s (local.get 0)))
              (func (param i32 i32) (result i32) (i32.rotr (i32.sub (local.get 0) (i32.const 1000000)) (local.get 1)))
            )
            """
        #expect(try Self.run(text, 0, [40, 2]) == [0, 42])
        #expect(try Self.run(text, 0, [Self.i32(-1), 1]) == [0, 0])
        #expect(try Self.run(text, 1, [Self.i32(-7), 2]) == [0, Self.i32(-3)])
        #expect(try Self.run(text, 1, [1, 0])[0] == Self.code(.integerDivideByZero))
        #expect(try Self.run(text, 1, [Self.i32(.min), Self.i32(-1)])[0] == Self.code(.integerOverflow))
        #expect(try Self.run(text, 2, [Self.i32(.min), Self.i32(-1)]) == [0, 0])
        #expect(try Self.run(text, 2, [Self.i32(-7), 2]) == [0, Self.i32(-1)])
        #expect(try Self.run(text, 3, [0x8000_0001, 33]) == [0, 3])
        #expect(try Self.run(text, 4, [1, 65]) == [0, 2])
        #expect(try Self.run(text, 5, [0x00F0_0000]) == [0, 8 + 400])
        #expect(try Self.run(text, 6, [0x8000_0000_0000_0000]) == [0, 63])
        #expect(try Self.run(text, 6, [0]) == [0, 64])
        #expect(try Self.run(text, 7, [Self.i32(-5)]) == [0, UInt64(bitPattern: -5)])
        #expect(try Self.run(text, 8, [0x1_2345_6789]) == [0, 0x2345_6789])
        #expect(try Self.run(text, 9, [1, Self.i32(-1)]) == [0, 1])
        #expect(try Self.run(text, 10, [1, 7, 9]) == [0, 7])
        #expect(try Self.run(text, 10, [0, 7, 9]) == [0, 9])
        #expect(try Self.run(text, 11, [UInt64.max, 2]) == [0, UInt64.max / 2])
        #expect(try Self.run(text, 11, [1, 0])[0] == Self.code(.integerDivideByZero))
        #expect(try Self.run(text, 12, [0x80]) == [0, Self.i32(-128)])
        #expect(try Self.run(text, 13, [1_000_001, 1]) == [0, 0x8000_0000])
    }

    @Test func memory() throws {
        let text = """
            (module (memory 1)
              (func (param i32 i64) (i64.store offset=8 (local.get 0) (local.get 1)))
              (func (param i32) (result i64) (i64.load offset=8 (local.get 0)))
              (func (param i32) (result i32) (i32.load8_s (local.get 0)))
              (func (param i32) (result i32) (memory.grow (local.get 0)))
              (func (result i32) (memory.size))
              (func (param i32) (result i32) (i32.load offset=0xFFFFFFFF (local.get 0)))
            )
            """
        // One run per process: each starts with a fresh memory.
        #expect(try Self.run(text, 0, [100, 0x1122_3344_5566_7788], results: 0) == [0])
        #expect(try Self.run(text, 0, [65528, 1], results: 0)[0] == Self.code(.outOfBoundsMemoryAccess))
        #expect(try Self.run(text, 0, [65520, 1], results: 0) == [0])
        #expect(try Self.run(text, 0, [0xFFFF_FFFF, 1], results: 0)[0] == Self.code(.outOfBoundsMemoryAccess))
        #expect(try Self.run(text, 1, [0]) == [0, 0])
        #expect(try Self.run(text, 2, [0]) == [0, 0])
        #expect(try Self.run(text, 3, [2]) == [0, 1])
        #expect(try Self.run(text, 3, [100]) == [0, UInt64(UInt32.max)])
        #expect(try Self.run(text, 4, []) == [0, 1])
        #expect(try Self.run(text, 5, [1])[0] == Self.code(.outOfBoundsMemoryAccess))
    }

    @Test func callsAndControl() throws {
        let text = """
            (module
              (type $ii (func (param i64) (result i64)))
              (table 4 funcref)
              (elem (i32.const 0) func 0 1)
              (func $fact (type $ii)
                (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 1))
                  (else (i64.mul (local.get 0) (call $fact (i64.sub (local.get 0) (i64.const 1)))))))
              (func $count (param i64) (result i64)
                (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 7))
                  (else (return_call $count (i64.sub (local.get 0) (i64.const 1))))))
              (func (param i64 i32) (result i64) (call_indirect (type $ii) (local.get 0) (local.get 1)))
              (func (result i32) (call 3))
              (func (param i32) (result i32)
                (block (block (block (br_table 0 1 2 (local.get 0))) (return (i32.const 10))) (return (i32.const 11)))
                (i32.const 12))
              (func (param i32) (result i32) (local i32)
                (loop $l (local.set 1 (i32.add (local.get 1) (local.get 0)))
                  (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
                (local.get 1))
              (func (param i64) (result i64) (global.set 0 (local.get 0)) (i64.add (global.get 0) (i64.const 1)))
              (global (mut i64) (i64.const 0))
            )
            """
        #expect(try Self.run(text, 0, [10]) == [0, 3_628_800])
        #expect(try Self.run(text, 1, [100_000]) == [0, 7], "tail calls in constant stack")
        #expect(try Self.run(text, 2, [5, 0]) == [0, 120])
        #expect(try Self.run(text, 2, [5, 3])[0] == Self.code(.indirectCallTypeMismatch))
        #expect(try Self.run(text, 3, [])[0] == Self.code(.callStackExhausted))
        #expect(try Self.run(text, 4, [0]) == [0, 10])
        #expect(try Self.run(text, 4, [2]) == [0, 12])
        #expect(try Self.run(text, 4, [99]) == [0, 12])
        #expect(try Self.run(text, 5, [100]) == [0, 5050])
        #expect(try Self.run(text, 5, [100], fuel: 50)[0] == Self.code(.outOfFuel))
        #expect(try Self.run(text, 6, [41]) == [0, 42])
    }

    @Test func floats() throws {
        let text = """
            (module
              (func (param f64 f64) (result f64) (f64.add (local.get 0) (local.get 1)))
              (func (param f32 f32) (result f32) (f32.min (local.get 0) (local.get 1)))
              (func (param f64) (result f64) (f64.nearest (local.get 0)))
              (func (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))
              (func (param f32) (result i64) (i64.trunc_sat_f32_u (local.get 0)))
              (func (param i64) (result f32) (f32.convert_i64_u (local.get 0)))
              (func (param f64 f64) (result i32) (f64.le (local.get 0) (local.get 1)))
              (func (param f32 f32) (result f32) (f32.copysign (local.get 0) (local.get 1)))
              (func (param f64) (result i64) (i64.trunc_f64_u (local.get 0)))
            )
            """
        func d(_ v: Double) -> UInt64 { v.bitPattern }
        func f(_ v: Float) -> UInt64 { UInt64(v.bitPattern) }
        #expect(try Self.run(text, 0, [d(1.5), d(2.25)]) == [0, d(3.75)])
        #expect(try Self.run(text, 1, [f(0), f(-0.0)]) == [0, f(-0.0)])
        #expect(try Self.run(text, 1, [f(1), f(.nan)])[1] & 0x7FC0_0000 == 0x7FC0_0000)
        #expect(try Self.run(text, 2, [d(2.5)]) == [0, d(2)])
        #expect(try Self.run(text, 2, [d(-0.5)]) == [0, d(-0.0)])
        #expect(try Self.run(text, 3, [d(-2_147_483_648.9)]) == [0, 0x8000_0000])
        #expect(try Self.run(text, 3, [d(-2_147_483_649)])[0] == Self.code(.integerOverflow))
        #expect(try Self.run(text, 3, [d(2_147_483_648)])[0] == Self.code(.integerOverflow))
        #expect(try Self.run(text, 3, [d(.nan)])[0] == Self.code(.invalidConversionToInteger))
        #expect(try Self.run(text, 4, [f(-5)]) == [0, 0])
        #expect(try Self.run(text, 4, [f(1e30)]) == [0, UInt64.max])
        #expect(try Self.run(text, 5, [UInt64.max]) == [0, f(18_446_744_073_709_551_616)])
        #expect(try Self.run(text, 6, [d(1), d(.nan)]) == [0, 0])
        #expect(try Self.run(text, 6, [d(1), d(1)]) == [0, 1])
        #expect(try Self.run(text, 7, [f(3), f(-1)]) == [0, f(-3)])
        #expect(try Self.run(text, 8, [d(-0.99)]) == [0, 0])
        #expect(try Self.run(text, 8, [d(-1)])[0] == Self.code(.integerOverflow))
        #expect(try Self.run(text, 8, [d(1.8446744073709552e19)])[0] == Self.code(.integerOverflow))
        #expect(try Self.run(text, 8, [d(9.2233720368547758e18)]) == [0, 1 << 63])
    }

    @Test func moreMemoryAndVectorsInSlots() throws {
        let text = """
            (module (memory 1) (memory $m64 i64 1)
              (func (param i64 i64) (i64.store $m64 offset=0x10 (local.get 0) (local.get 1)))
              (func (param i64) (result i64) (i64.load $m64 offset=0xFFFFFFFFFFFFFFF0 (local.get 0)))
              (func (param i32) (result i64)
                (v128.store (i32.const 64) (i8x16.shuffle 15 14 13 12 11 10 9 8 7 6 5 4 3 2 1 0
                  (v128.const i64x2 0x0706050403020100 0x0F0E0D0C0B0A0908) (v128.const i64x2 0 0)))
                (i64.load (local.get 0)))
              (func (result i64)
                (v128.store (i32.const 32) (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23
                  (v128.const i64x2 0x0706050403020100 0) (v128.const i64x2 0x1716151413121110 0)))
                (i64.load (i32.const 32)))
              (func (param i64) (result i32) (i32.load16_u 1 offset=2 (local.get 0)))
            )
            """
        #expect(try Self.run(text, 0, [8, 0xAB], results: 0) == [0])
        #expect(try Self.run(text, 1, [0])[0] == Self.code(.outOfBoundsMemoryAccess), "offset + address carries")
        #expect(try Self.run(text, 0, [65520, 1], results: 0)[0] == Self.code(.outOfBoundsMemoryAccess))
        #expect(try Self.run(text, 2, [64]) == [0, 0x08090A0B0C0D0E0F])
        #expect(try Self.run(text, 2, [72]) == [0, 0x0001020304050607])
        #expect(try Self.run(text, 3, []) == [0, 0x1303_1202_1101_1000])
        #expect(try Self.run(text, 4, [65533])[0] == Self.code(.outOfBoundsMemoryAccess))
        #expect(try Self.run(text, 4, [65532]) == [0, 0])
    }

    @Test func wideArithmeticAndReferences() throws {
        let text = """
            (module
              (type $un (func (param i64) (result i64)))
              (table 2 funcref) (elem declare func $twice)
              (func (param i64 i64 i64 i64) (result i64 i64) (i64.add128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
              (func (param i64 i64 i64 i64) (result i64 i64) (i64.sub128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
              (func (param i64 i64) (result i64 i64) (i64.mul_wide_s (local.get 0) (local.get 1)))
              (func (param i64 i64) (result i64 i64) (i64.mul_wide_u (local.get 0) (local.get 1)))
              (func $twice (type $un) (i64.shl (local.get 0) (i64.const 1)))
              (func (param i64) (result i64) (call_ref $un (local.get 0) (ref.func $twice)))
              (func (param i64) (result i64) (call_ref $un (local.get 0) (ref.null $un)))
              (func (param i32) (result i32 i32) (i31.get_s (ref.i31 (local.get 0))) (i31.get_u (ref.i31 (local.get 0))))
              (func (param i64) (result i64) (return_call_ref $un (local.get 0) (ref.func $twice)))
            )
            """
        #expect(try Self.run(text, 0, [UInt64.max, 1, 1, 2], results: 2) == [0, 0, 4])
        #expect(try Self.run(text, 1, [0, 1, 1, 0], results: 2) == [0, UInt64.max, 0])
        #expect(try Self.run(text, 2, [UInt64(bitPattern: -2), 3], results: 2) == [0, UInt64(bitPattern: -6), UInt64.max])
        #expect(try Self.run(text, 3, [UInt64.max, 2], results: 2) == [0, UInt64.max - 1, 1])
        #expect(try Self.run(text, 5, [21]) == [0, 42])
        #expect(try Self.run(text, 6, [21])[0] == Self.code(.nullFunctionReference))
        #expect(try Self.run(text, 7, [0x7FFF_FFFF], results: 2) == [0, Self.i32(-1), 0x7FFF_FFFF])
        #expect(try Self.run(text, 7, [0x4000_0000], results: 2) == [0, Self.i32(-0x4000_0000), 0x4000_0000])
        #expect(try Self.run(text, 8, [4]) == [0, 8])
    }

    @Test func moreFloatsAndBigFrames() throws {
        let text = """
            (module
              (func (param f32) (result f32) (f32.abs (local.get 0)))
              (func (param f64) (result f64) (f64.neg (local.get 0)))
              (func (param f64) (result f64) (f64.sqrt (local.get 0)))
              (func (param f32) (result f32) (f32.ceil (local.get 0)))
              (func (param f64) (result f32) (f32.demote_f64 (local.get 0)))
              (func (param f32) (result f64) (f64.promote_f32 (local.get 0)))
              (func (param i32) (result f64) (f64.convert_i32_u (local.get 0)))
              (func (param i32) (result f32) (f32.convert_i32_s (local.get 0)))
              (func (param f64 f64) (result f64) (f64.max (local.get 0) (local.get 1)))
              (func (param i64) (result i64) (local \(String(repeating: "i64 ", count: 5000)))
                (local.set 4999 (i64.add (local.get 0) (local.get 4998)))
                (local.set 2 (local.get 4999))
                (i64.add (local.get 2) (local.get 3000)))
              (func (param f32) (result i32) (i32.trunc_f32_u (local.get 0)))
            )
            """
        func d(_ v: Double) -> UInt64 { v.bitPattern }
        func f(_ v: Float) -> UInt64 { UInt64(v.bitPattern) }
        #expect(try Self.run(text, 0, [f(-2.5)]) == [0, f(2.5)])
        #expect(try Self.run(text, 0, [0xFFC0_0001]) == [0, 0x7FC0_0001], "abs keeps a NaN's payload")
        #expect(try Self.run(text, 1, [d(3)]) == [0, d(-3)])
        #expect(try Self.run(text, 2, [d(2)]) == [0, d(2.0.squareRoot())])
        #expect(try Self.run(text, 3, [f(-0.5)]) == [0, f(-0.0)])
        #expect(try Self.run(text, 4, [d(1e300)]) == [0, f(.infinity)])
        #expect(try Self.run(text, 4, [0x7FF4_0000_0000_0001]) == [0, 0x7FE0_0000], "demote quiets and keeps the top payload")
        #expect(try Self.run(text, 5, [f(1.5)]) == [0, d(1.5)])
        #expect(try Self.run(text, 6, [0xFFFF_FFFF]) == [0, d(4_294_967_295)])
        #expect(try Self.run(text, 7, [Self.i32(-3)]) == [0, f(-3)])
        #expect(try Self.run(text, 8, [d(-0.0), d(0)]) == [0, d(0)])
        #expect(try Self.run(text, 9, [5]) == [0, 5])
        #expect(try Self.run(text, 10, [f(4_294_967_040)]) == [0, 4_294_967_040])
        #expect(try Self.run(text, 10, [f(4_294_967_296)])[0] == Self.code(.integerOverflow))
        #expect(try Self.run(text, 10, [f(-1)])[0] == Self.code(.integerOverflow))
    }

    @Test func hostCallsExceptionsAndObjects() throws {
        let text = """
            (module
              (import "env" "plus1000" (func $host (param i64) (result i64)))
              (tag $t (param i64 i64))
              (tag $u (param i64))
              (type $pair (struct (field (mut i64)) (field i8)))
              (type $bytes (array (mut i16)))
              (func (param i64) (result i64) (call $host (i64.add (local.get 0) (i64.const 1))))
              (func (param i64) (result i64) (return_call $host (local.get 0)))
              (func $thrower (param i64) (throw $t (local.get 0) (i64.const 5)))
              (func (param i64) (result i64 i64)
                (block $h (result i64 i64)
                  (try_table (catch $t $h) (call $thrower (local.get 0)))
                  (return (i64.const 0) (i64.const 0))))
              (func (param i64) (result i64)
                (block $h (result i64)
                  (try_table (catch $u $h) (call $thrower (local.get 0)))
                  (i64.const 1)))
              (func (param i64) (result i64) (local $p (ref null $pair))
                (local.set $p (struct.new $pair (local.get 0) (i32.const 0x1ff)))
                (struct.set $pair 0 (local.get $p) (i64.add (struct.get $pair 0 (local.get $p)) (i64.const 1)))
                (i64.add (struct.get $pair 0 (local.get $p)) (i64.extend_i32_s (struct.get_s $pair 1 (local.get $p)))))
              (func (param i32 i32) (result i32) (local $a (ref null $bytes))
                (local.set $a (array.new $bytes (i32.const 0xFFFF) (i32.const 3)))
                (array.set $bytes (local.get $a) (i32.const 1) (i32.const 7))
                (i32.add (array.get_u $bytes (local.get $a) (local.get 0)) (array.len (local.get $a))))
              (func (result i32) (struct.get_u $pair 1 (ref.null $pair)))
            )
            """
        #expect(try Self.run(text, 0, [1]) == [0, 1002])
        #expect(try Self.run(text, 1, [1]) == [0, 1001])
        #expect(try Self.run(text, 3, [9], results: 2) == [0, 9, 5])
        #expect(try Self.run(text, 4, [9])[0] == Self.code(.exceptionThrown), "no handler for $t: the status leaves the entry")
        #expect(try Self.run(text, 5, [41]) == [0, 41])
        #expect(try Self.run(text, 6, [0, 0]) == [0, 0xFFFF + 3])
        #expect(try Self.run(text, 6, [1, 0]) == [0, 10])
        #expect(try Self.run(text, 6, [3, 0])[0] == Self.code(.outOfBoundsArrayAccess))
        #expect(try Self.run(text, 7, [])[0] == Self.code(.nullStructureReference))
    }

    /// A function of more than 1 MiB of straight-line code (no branch but
    /// the trap checks) whose last division traps: its trap exits are
    /// islands behind branches over them.
    @Test func farTrapExits() throws {
        let divisions = String(repeating: "(drop (i32.div_u (local.get 0) (local.get 1))) ", count: 80_000)
        let text = "(module (func (param i32 i32 i32) (result i32) \(divisions) (i32.div_u (local.get 0) (local.get 2))))"
        let path = try Self.artifact(try parseModule(text))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let divideByZero = Self.code(.integerDivideByZero)
        let lines = try A64Qemu.runBatch(path, [(0, 1, [10, 2, 5]), (0, 1, [10, 2, 0]), (0, 1, [10, 0, 5])])
        #expect(lines.first == "0 2 depth=0")
        #expect(lines.dropFirst().map { $0.split(separator: " ").first.map(String.init) } == ["\(divideByZero)", "\(divideByZero)"])
    }
}

/// qemu-aarch64 and the harness, compiled once.
enum A64Qemu {
    static let qemu = ["/usr/bin/qemu-aarch64", "/usr/bin/qemu-aarch64-static"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let compiler = ["/usr/bin/aarch64-linux-gnu-gcc"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static var available: Bool { qemu != nil && compiler != nil }

    /// The harness binary (built on first use).
    static let harness: String? = {
        guard let compiler else { return nil }
        // One build per version of the source (FNV-1a of it), kept between runs.
        let hash = harnessSource.utf8.reduce(UInt64(0xCBF2_9CE4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
        let directory = NSTemporaryDirectory() + "wasmcheck-a64-harness-" + String(hash, radix: 16)
        let source = directory + "/harness.c", binary = directory + "/harness"
        if FileManager.default.isExecutableFile(atPath: binary) { return binary }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try? harnessSource.write(toFile: source, atomically: true, encoding: .utf8)
        let include = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/CWasmVM/include").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: compiler)
        // Built beside and renamed, so a concurrent run never sees half a binary.
        let partial = binary + ".\(UUID().uuidString)"
        process.arguments = ["-O1", "-static", "-I", include, source, "-o", partial]
        guard (try? process.run()) != nil else { return nil }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        if rename(partial, binary) != 0 { try? FileManager.default.removeItem(atPath: partial) }
        return FileManager.default.isExecutableFile(atPath: binary) ? binary : nil
    }()

    /// Runs `calls` (function, result count, arguments) in one harness
    /// process: a line of output each.
    static func runBatch(_ artifact: String, _ calls: [(Int, Int, [UInt64])]) throws -> [String] {
        guard let qemu, let harness else { throw Trap(.host("no AArch64 harness")) }
        let input = artifact + ".calls"
        try calls.map { "\($0.0) \($0.1) \($0.2.count) " + $0.2.map { String($0) }.joined(separator: " ") }.joined(separator: "\n")
            .appending("\n").write(toFile: input, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: input) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: qemu)
        process.arguments = [harness, artifact, "-"]
        process.standardInput = FileHandle(forReadingAtPath: input)
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    static func run(_ arguments: [String], fuel: UInt64?) throws -> String {
        guard let qemu, let harness else { throw Trap(.host("no AArch64 harness")) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: qemu)
        process.arguments = [harness] + arguments
        if let fuel { process.environment = ["FUEL": String(fuel)] }
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        // The call depth must be back where it started.
        guard process.terminationStatus == 0 else { return "crashed(\(process.terminationStatus)) \(text)" }
        return text
    }

    static let harnessSource = #"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>
#include "CWasmVM.h"

static WVMMemory mem;
static int64_t grow(WVMInstance *vm, uint32_t m, uint64_t delta) {
    (void)vm; (void)m;
    uint64_t old = mem.pageCount;
    if (old + delta > 16) return -1;
    mem.pageCount += delta;
    mem.byteCount = (intptr_t)(mem.pageCount * 65536);
    return (int64_t)old;
}
static int32_t indirect(WVMInstance *vm, uint32_t table, uint64_t index, uint32_t type, WVMFunctionHeader **result) {
    (void)vm; (void)table; (void)index; (void)type; (void)result;
    return WVMTrapIndirectCallTypeMismatch;
}
/* A host function: adds 1000 to its first argument. */
static int32_t callHost(WVMInstance *vm, WVMFunctionHeader *callee, uint64_t *frame) {
    (void)vm; (void)callee;
    frame[0] += 1000;
    return 0;
}
/* Exceptions: the tag's identity, the count, two payload slots. */
static int32_t throwTag(WVMInstance *vm, uint32_t tag, const uint64_t *payload, uint64_t *frame) {
    (void)frame;
    uint64_t *e = calloc(8, 8);
    e[0] = (uint64_t)(uintptr_t)vm->tags[tag]; e[1] = 2; e[2] = payload[0]; e[3] = payload[1];
    vm->runtime->exception = (uint64_t)(uintptr_t)e;
    return WVMTrapExceptionThrown;
}
/* GC objects: type ID, length, then (up to 16 + 2 * length) zeroed slots; never freed. */
static int32_t gcAllocate(WVMInstance *vm, uint32_t type, uint64_t length, uint64_t *frame, uint64_t *result) {
    (void)frame;
    uint64_t *o = calloc(2 + 16 + 2 * length, 8);
    o[0] = (uint64_t)vm->typeIDs[type]; o[1] = length;
    *result = (uint64_t)(uintptr_t)o;
    return 0;
}
typedef int32_t (*Entry)(void *, uint64_t *);

int main(int argc, char **argv) {
    FILE *f = fopen(argv[1], "rb");
    uint32_t imports, n; fread(&imports, 4, 1, f); fread(&n, 4, 1, f);
    uint32_t *entries = calloc(n, 4), *types = calloc(n, 4);
    for (uint32_t i = 0; i < n; i++) { fread(&entries[i], 4, 1, f); fread(&types[i], 4, 1, f); }
    uint32_t length; fread(&length, 4, 1, f);
    uint8_t *code = mmap(0, length + 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    fread(code, 1, length, f);
    fclose(f);
    __builtin___clear_cache((char *)code, (char *)code + length);

    static WVMBuiltins builtins;
    builtins.memoryGrow = grow;
    builtins.indirectCallTarget = indirect;
    builtins.callHost = callHost;
    builtins.throwTag = throwTag;
    builtins.gcAllocate = gcAllocate;
    static WVMRuntime rt;
    uint64_t *stack = calloc(1 << 16, 8);
    rt.callDepthLimit = 500;
    rt.valueStackEnd = stack + (1 << 16);
    rt.frameTrail = calloc(2 * (WVM_FRAME_TRAIL_MASK + 1), 8);
    char here;
    rt.nativeStackLimit = &here - (1 << 20);
    rt.builtins = &builtins;
    rt.fuel = 1000000;
    if (getenv("FUEL")) rt.fuel = strtoull(getenv("FUEL"), 0, 0);
    mem.base = mmap(0, 16 * 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mem.pageCount = 1; mem.byteCount = 65536; mem.maximumPages = 16;
    static WVMInstance inst;
    WVMFunctionHeader *headers = calloc(imports + n, sizeof(WVMFunctionHeader));
    WVMFunctionHeader **functions = calloc(imports + n, sizeof(void *));
    for (uint32_t i = 0; i < imports; i++) functions[i] = &headers[n + i];
    intptr_t typeIDs[64];
    for (int i = 0; i < 64; i++) typeIDs[i] = 1000 + i;
    for (uint32_t i = 0; i < n; i++) {
        headers[i].typeID = 1000 + types[i];
        headers[i].instance = &inst;
        headers[i].code = code + entries[i];
        functions[imports + i] = &headers[i];
    }
    uint64_t *tableElements = calloc(n, 8);
    for (uint32_t i = 0; i < n; i++) tableElements[i] = (uint64_t)(uintptr_t)&headers[i];
    static WVMTable table;
    table.elements = tableElements; table.count = n;
    WVMTable *tables[1] = {&table};
    WVMMemory *memories[2] = {&mem, &mem};
    uint64_t cells[16][2] = {{0}};
    uint64_t *globals[16];
    for (int i = 0; i < 16; i++) globals[i] = cells[i];
    inst.functions = functions; inst.tables = tables; inst.memories = memories; inst.globals = globals;
    inst.typeIDs = typeIDs; inst.memory0 = &mem; inst.runtime = &rt;
    static int tagIdentities[8];
    const void *tags[8];
    for (int i = 0; i < 8; i++) tags[i] = &tagIdentities[i];
    inst.tags = tags;

    if (strcmp(argv[2], "-") == 0) {
        /* Batch: lines of "index results count arguments..." on stdin, a
         * line "status results... depth=N" each on stdout. */
        unsigned index; int results, count;
        while (scanf("%u %d %d", &index, &results, &count) == 3) {
            memset(stack, 0, 64 * 8);
            for (int i = 0; i < count; i++) { unsigned long long v; scanf("%llu", &v); stack[i] = v; }
            rt.callDepth = 0;
            int32_t status = ((Entry)(void *)(code + entries[index]))(&inst, stack);
            printf("%d", status);
            for (int i = 0; i < results; i++) printf(" %llu", (unsigned long long)stack[i]);
            printf(" depth=%ld\n", (long)rt.callDepth);
        }
        return 0;
    }
    uint32_t index = (uint32_t)strtoul(argv[2], 0, 0);
    int results = atoi(argv[3]);
    for (int i = 4; i < argc; i++) stack[i - 4] = strtoull(argv[i], 0, 0);
    int32_t status = ((Entry)(void *)(code + entries[index]))(&inst, stack);
    printf("%d", status);
    for (int i = 0; i < results; i++) printf(" %llu", (unsigned long long)stack[i]);
    printf(" depth=%ld\n", (long)rt.callDepth);
    return 0;
}
"""#
}
