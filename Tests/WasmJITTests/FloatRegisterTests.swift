import Foundation
import Testing
@testable import WasmJIT

/// f32 and f64 values in float registers (the frontend's second register
/// class): each module runs on this host's JIT and, where qemu-aarch64 is
/// installed, as AArch64 code under qemu (`LocalCacheTests.check`), against
/// results computed here. Arguments and results travel as integer bits
/// (reinterpreted), so NaN payloads and signs are compared exactly. The
/// modules aim at what a second class gets wrong: more live floats than
/// float registers (spills of the oldest), float locals cached across loop
/// back-edges and labels, calls between a float's definition and its use,
/// moves between the classes (reinterpret, fields), f32 slots kept
/// zero-extended, and selects and comparisons of floats. (Export fN is
/// function N, as the harness wants: helpers come last.)
@Suite("JIT: floats in float registers")
struct FloatRegisterTests {
    typealias Case = LocalCacheTests.Case

    static func f64(_ bits: UInt64) -> Double { Double(bitPattern: bits) }
    static func bits(_ d: Double) -> UInt64 { d.bitPattern }

    /// Twenty f64 values live at once (more than either backend's float
    /// registers), then combined in an order that reads the oldest last.
    @Test func moreLiveFloatsThanRegisters() throws {
        let count = 20
        let pushes = (1...count).map { "(f64.mul (local.get 0) (f64.const \($0).5))" }.joined(separator: " ")
        let adds = String(repeating: "(f64.add) ", count: count - 1)
        let text = """
            (module (func (export "f0") (param i64) (result i64) (local f64)
              (local.set 1 (f64.reinterpret_i64 (local.get 0)))
              (i64.reinterpret_f64 \(pushes.replacingOccurrences(of: "local.get 0", with: "local.get 1")) \(adds))))
            """
        func model(_ x: Double) -> UInt64 {
            let values = (1...count).map { x * (Double($0) + 0.5) }
            var s = values[count - 1]
            for i in stride(from: count - 2, through: 0, by: -1) { s = values[i] + s }
            return Self.bits(s)
        }
        try LocalCacheTests.check(text, [1.0, -3.25, 1e300, 0.1].map { Case(arguments: [Self.bits($0)], result: model($0)) })
    }

    /// Loop-carried f64 and f32 locals (cached in float registers at the
    /// loop's header), an integer counter beside them, and a float
    /// comparison that leaves the loop early.
    @Test func floatLocalsAcrossALoop() throws {
        let text = """
            (module (func (export "f0") (param i32) (result i64) (local f64 f64 f32 i32)
              (local.set 1 (f64.const 0)) (local.set 2 (f64.const 1.5)) (local.set 3 (f32.const 0.25))
              (block (loop
                (br_if 1 (i32.ge_s (local.get 4) (local.get 0)))
                (br_if 1 (f64.gt (local.get 1) (f64.const 1e12)))
                (local.set 1 (f64.add (local.get 1) (f64.mul (local.get 2) (f64.convert_i32_s (local.get 4)))))
                (local.set 2 (f64.add (local.get 2) (f64.promote_f32 (local.get 3))))
                (local.set 3 (f32.mul (local.get 3) (f32.const 1.5)))
                (local.set 4 (i32.add (local.get 4) (i32.const 1)))
                (br 0)))
              (i64.add (i64.reinterpret_f64 (local.get 1))
                       (i64.extend_i32_u (i32.reinterpret_f32 (local.get 3))))))
            """
        func model(_ n: Int) -> UInt64 {
            var a = 0.0, b = 1.5, c: Float = 0.25, i = 0
            while i < n && !(a > 1e12) {
                a = a + b * Double(Int32(i))
                b = b + Double(c)
                c = c * 1.5
                i += 1
            }
            return a.bitPattern &+ UInt64(c.bitPattern)
        }
        try LocalCacheTests.check(text, [0, 1, 5, 40, 200].map { Case(arguments: [UInt64($0)], result: model($0)) })
    }

    /// A float computed before a call and used after it (the call clobbers
    /// every float register: it must be in its home), in a loop.
    @Test func floatsAcrossCalls() throws {
        let text = """
            (module
              (func (export "f0") (param i64) (result i64) (local f64 f64)
                (local.set 1 (f64.reinterpret_i64 (local.get 0)))
                (local.set 2 (f64.sqrt (local.get 1)))
                (i64.reinterpret_f64
                  (f64.sub (f64.add (local.get 2) (call $g (local.get 1))) (f64.div (local.get 2) (call $g (local.get 2))))))
              (func $g (param f64) (result f64) (f64.mul (local.get 0) (f64.const 3))))
            """
        func model(_ x: Double) -> UInt64 {
            let s = x.squareRoot()
            return Self.bits((s + x * 3) - s / (s * 3))
        }
        try LocalCacheTests.check(text, [4.0, 2.0, 1e-300, 12345.678].map { Case(arguments: [Self.bits($0)], result: model($0)) })
    }

    /// Bit operations keep NaN payloads in float registers: neg, abs and
    /// copysign of quiet and signalling NaNs with payloads, and reinterpret
    /// between the classes both ways.
    @Test func nanPayloadsThroughFloatRegisters() throws {
        let text = """
            (module
              (func (export "f0") (param i64 i64) (result i64)
                (i64.reinterpret_f64 (f64.copysign (f64.neg (f64.abs (f64.reinterpret_i64 (local.get 0))))
                                                   (f64.reinterpret_i64 (local.get 1)))))
              (func (export "f1") (param i32 i32) (result i32)
                (i32.reinterpret_f32 (f32.copysign (f32.neg (f32.reinterpret_i32 (local.get 0)))
                                                   (f32.reinterpret_i32 (local.get 1))))))
            """
        let sign64: UInt64 = 1 << 63
        func model64(_ a: UInt64, _ b: UInt64) -> UInt64 { (a & ~sign64) | (b & sign64) }
        let nans64: [UInt64] = [0x7FF8_0000_0000_0001, 0x7FF0_0000_0000_0123, 0xFFF4_5678_9ABC_DEF0, 0x3FF0_0000_0000_0000]
        var cases: [Case] = []
        for a in nans64 {
            for b in [UInt64(0), sign64, 0xFFF8_0000_0000_0000] {
                cases.append(Case(function: 0, arguments: [a, b], result: model64(a, b)))
            }
        }
        let nans32: [UInt32] = [0x7FC0_0001, 0x7F80_0123, 0xFFA0_0000, 0x3F80_0000]
        for a in nans32 {
            for b in [UInt32(0), 0x8000_0000] {
                // neg flips the sign; copysign then takes b's.
                cases.append(Case(function: 1, arguments: [UInt64(a), UInt64(b)], result: UInt64((a & 0x7FFF_FFFF) | (b & 0x8000_0000))))
            }
        }
        try LocalCacheTests.check(text, cases)
    }

    /// select of floats (both classes' operands live), float comparisons
    /// of every kind on NaN, a float global, f32 loads and stores (4 bytes
    /// written, no more), and an f32 returned by a call.
    @Test func selectsComparisonsGlobalsAndMemory() throws {
        let text = """
            (module
              (memory 1)
              (global $g (mut f32) (f32.const 0))
              (func (export "f0") (param i64 i64 i32) (result i64)
                (i64.reinterpret_f64 (select (f64.reinterpret_i64 (local.get 0)) (f64.reinterpret_i64 (local.get 1)) (local.get 2))))
              (func (export "f1") (param i64 i64) (result i32) (local f64 f64)
                (local.set 2 (f64.reinterpret_i64 (local.get 0))) (local.set 3 (f64.reinterpret_i64 (local.get 1)))
                (i32.or (i32.or (i32.or (f64.eq (local.get 2) (local.get 3)) (i32.shl (f64.ne (local.get 2) (local.get 3)) (i32.const 1)))
                                (i32.or (i32.shl (f64.lt (local.get 2) (local.get 3)) (i32.const 2)) (i32.shl (f64.gt (local.get 2) (local.get 3)) (i32.const 3))))
                        (i32.or (i32.shl (f64.le (local.get 2) (local.get 3)) (i32.const 4)) (i32.shl (f64.ge (local.get 2) (local.get 3)) (i32.const 5)))))
              (func (export "f2") (param i32) (result i64)
                (global.set $g (f32.add (f32.reinterpret_i32 (local.get 0)) (f32.const 1)))
                (f32.store offset=4 (i32.const 8) (global.get $g))
                (i64.store (i32.const 16) (i64.const -1))
                (f32.store (i32.const 16) (f32.load offset=12 (i32.const 0)))
                (i64.load (i32.const 16)))
              (func (export "f3") (result i64)
                (i64.store (i32.const 0) (i64.reinterpret_f64 (f64.promote_f32 (call $h))))
                (i64.load (i32.const 0)))
              (func $h (result f32) (f32.reinterpret_i32 (i32.const 0x40490fdb))))
            """
        func flags(_ a: Double, _ b: Double) -> UInt64 {
            var r = 0
            if a == b { r |= 1 }
            if a != b { r |= 2 }
            if a < b { r |= 4 }
            if a > b { r |= 8 }
            if a <= b { r |= 16 }
            if a >= b { r |= 32 }
            return UInt64(r)
        }
        var cases: [Case] = [
            Case(function: 0, arguments: [Self.bits(1.5), Self.bits(-2), 1], result: Self.bits(1.5)),
            Case(function: 0, arguments: [Self.bits(1.5), Self.bits(-2), 0], result: Self.bits(-2)),
            Case(function: 0, arguments: [0x7FF8_0000_0000_0042, Self.bits(-2), 7], result: 0x7FF8_0000_0000_0042),
        ]
        let values: [Double] = [0, -0.0, 1, -1, .infinity, .nan]
        for a in values {
            for b in values { cases.append(Case(function: 1, arguments: [Self.bits(a), Self.bits(b)], result: flags(a, b))) }
        }
        for x: Float in [1, 2.5, -1] {
            // The low half is the f32's bits; the store of an i64 -1 before
            // shows that an f32 store writes 4 bytes only.
            let sum = (x + 1).bitPattern
            cases.append(Case(function: 2, arguments: [UInt64(x.bitPattern)], result: 0xFFFF_FFFF_0000_0000 | UInt64(sum)))
        }
        cases.append(Case(function: 3, arguments: [], result: Double(Float(bitPattern: 0x40490fdb)).bitPattern))
        try LocalCacheTests.check(text, cases)
    }
}
