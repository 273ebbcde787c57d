import Foundation
import Testing
import WasmBinary
import WasmRuntime
import WasmSyntax
import WasmText
@testable import WasmJIT

/// The numeric operators on their edge values, run by the AArch64 code
/// under qemu and by the x86-64 JIT (which passes the official suite) in
/// this process: the same results and the same traps. NaN results match
/// any NaN (their sign and payload are not the same on the two machines,
/// as the spec allows).
@Suite("AArch64 against x86-64 on edge values", .enabled(if: A64Qemu.available && JITTarget.host == .x86_64,
                                                         "needs qemu-aarch64, aarch64-linux-gnu-gcc and an x86-64 host"))
struct A64QemuDifferentialTests {
    enum Kind: String { case i32, i64, f32, f64 }

    static let i32s: [UInt64] = [0, 1, 2, 7, 31, 32, 33, 0x7FFF_FFFF, 0x8000_0000, 0x8000_0001, 0x1234_5678, 0xFFFF_FFF9, 0xFFFF_FFFF]
    static let i64s: [UInt64] = [0, 1, 2, 7, 63, 64, 65, 0xFFFF_FFFF, 0x1_0000_0000, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000,
                                 0x8000_0000_0000_0001, 0x1234_5678_9ABC_DEF0, UInt64(bitPattern: -7), .max]
    static let doubles: [Double] = [0, -0.0, 1, -1, 0.5, -0.5, 1.5, 2.5, -2.5, 0.49999999999999994, .nan, -.nan, .infinity, -.infinity,
                                    2_147_483_647, 2_147_483_648, -2_147_483_648, -2_147_483_649, -2_147_483_648.9, 4_294_967_295,
                                    4_294_967_296, 9.223372036854775807e18, -9.223372036854775808e18, 1.8446744073709552e19,
                                    1e300, -1e-300, .leastNonzeroMagnitude, 4_294_967_040, 3.4028234663852886e38, 16_777_217]
    static func values(_ kind: Kind) -> [UInt64] {
        switch kind {
        case .i32: return i32s
        case .i64: return i64s
        case .f32: return doubles.map { UInt64(Float($0).bitPattern) } + [0x7FA0_0001, 0xFFC0_1234]
        case .f64: return doubles.map { $0.bitPattern } + [0x7FF4_0000_0000_0001, 0xFFF8_0000_0000_1234]
        }
    }

    /// (instruction, parameter kinds, result kind).
    static var operators: [(String, [Kind], Kind)] {
        var ops: [(String, [Kind], Kind)] = []
        for t in [Kind.i32, .i64] {
            for op in ["add", "sub", "mul", "div_s", "div_u", "rem_s", "rem_u", "and", "or", "xor", "shl", "shr_s", "shr_u", "rotl", "rotr"] {
                ops.append(("\(t).\(op)", [t, t], t))
            }
            for op in ["eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"] { ops.append(("\(t).\(op)", [t, t], .i32)) }
            for op in ["clz", "ctz", "popcnt", "extend8_s", "extend16_s"] { ops.append(("\(t).\(op)", [t], t)) }
            ops.append(("\(t).eqz", [t], .i32))
        }
        ops += [("i64.extend32_s", [.i64], .i64), ("i32.wrap_i64", [.i64], .i32), ("i64.extend_i32_s", [.i32], .i64),
                ("i64.extend_i32_u", [.i32], .i64)]
        for t in [Kind.f32, .f64] {
            for op in ["add", "sub", "mul", "div", "min", "max", "copysign"] { ops.append(("\(t).\(op)", [t, t], t)) }
            for op in ["eq", "ne", "lt", "gt", "le", "ge"] { ops.append(("\(t).\(op)", [t, t], .i32)) }
            for op in ["abs", "neg", "sqrt", "ceil", "floor", "trunc", "nearest"] { ops.append(("\(t).\(op)", [t], t)) }
            for i in [Kind.i32, .i64] {
                for sat in ["", "_sat"] {
                    ops.append(("\(i).trunc\(sat)_\(t)_s", [t], i))
                    ops.append(("\(i).trunc\(sat)_\(t)_u", [t], i))
                }
                ops.append(("\(t).convert_\(i)_s", [i], t))
                ops.append(("\(t).convert_\(i)_u", [i], t))
            }
        }
        ops += [("f32.demote_f64", [.f64], .f32), ("f64.promote_f32", [.f32], .f64), ("i32.reinterpret_f32", [.f32], .i32),
                ("f64.reinterpret_i64", [.i64], .f64)]
        return ops
    }

    static func value(_ kind: Kind, _ bits: UInt64) -> Value {
        switch kind {
        case .i32: return .i32(UInt32(truncatingIfNeeded: bits))
        case .i64: return .i64(bits)
        case .f32: return .f32(UInt32(truncatingIfNeeded: bits))
        case .f64: return .f64(bits)
        }
    }

    static func bits(_ value: Value) -> UInt64 {
        switch value {
        case .i32(let v), .f32(let v): return UInt64(v)
        case .i64(let v), .f64(let v): return v
        default: return .max
        }
    }

    static func isNaN(_ kind: Kind, _ bits: UInt64) -> Bool {
        switch kind {
        case .f32: return Float(bitPattern: UInt32(truncatingIfNeeded: bits)).isNaN
        case .f64: return Double(bitPattern: bits).isNaN
        default: return false
        }
    }

    @Test func numericOperatorsAgree() throws {
        let functions = Self.operators.map { op in
            let gets = op.1.indices.map { "(local.get \($0))" }.joined(separator: " ")
            return (name: op.0, body: "(\(op.0) \(gets))", params: op.1, result: op.2)
        }
        #expect(try Self.agree(functions) > 10_000)
    }

    /// Float comparisons consumed by br_if (directly and through i32.eqz)
    /// and by if: fused compare-and-branches on both backends.
    @Test func floatBranchesAgree() throws {
        var functions: [(name: String, body: String, params: [Kind], result: Kind)] = []
        for t in [Kind.f32, .f64] {
            for op in ["eq", "ne", "lt", "gt", "le", "ge"] {
                let compare = "(\(t).\(op) (local.get 0) (local.get 1))"
                functions.append(("\(t).\(op) br_if", "(block (br_if 0 \(compare)) (return (i32.const 0))) (i32.const 1)", [t, t], .i32))
                functions.append(("\(t).\(op) br_if eqz", "(block (br_if 0 (i32.eqz \(compare))) (return (i32.const 1))) (i32.const 0)",
                                  [t, t], .i32))
                functions.append(("\(t).\(op) if", "(if (result i32) \(compare) (then (i32.const 1)) (else (i32.const 0)))", [t, t], .i32))
                functions.append(("\(t).\(op) eqz", "(i32.eqz \(compare))", [t, t], .i32))
            }
        }
        #expect(try Self.agree(functions) > 1_000)
    }

    /// Runs every function on every combination of its parameters' edge
    /// values in this host's JIT (the oracle) and in the AArch64 code under
    /// qemu, and expects the same results and traps; the answer is the
    /// number of calls.
    static func agree(_ functions: [(name: String, body: String, params: [Kind], result: Kind)]) throws -> Int {
        let text = "(module " + functions.enumerated().map { i, f in
            let params = f.params.map { $0.rawValue }.joined(separator: " ")
            return "(func (export \"f\(i)\") (param \(params)) (result \(f.result.rawValue)) \(f.body))"
        }.joined(separator: "\n") + ")"
        let module = try parseModule(text)
        // The oracle: this host's JIT.
        let engine = Engine(tier: JIT())
        let instance = try Linker().instantiate(try WasmRuntime.Module(engine: engine, bytes: encodeModule(module)), in: Store(engine: engine))
        var calls: [(Int, Int, [UInt64])] = []
        var expected: [(op: String, arguments: [UInt64], result: Result<UInt64, Trap>, kind: Kind)] = []
        for (i, f) in functions.enumerated() {
            let inputs: [[UInt64]] = f.params.count == 1 ? Self.values(f.params[0]).map { [$0] }
                : Self.values(f.params[0]).flatMap { a in Self.values(f.params[1]).map { [a, $0] } }
            let function = instance.function("f\(i)")!
            for arguments in inputs {
                let values = zip(f.params, arguments).map { Self.value($0, $1) }
                let result = Result { () throws(Trap) -> [Value] in try function.call(values) }.map { Self.bits($0[0]) }
                calls.append((i, 1, arguments))
                expected.append((f.name, arguments, result, f.result))
            }
        }
        let path = try A64QemuSmokeTests.artifact(module)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let lines = try A64Qemu.runBatch(path, calls)
        #expect(lines.count == calls.count, "the harness answered \(lines.count) of \(calls.count) calls")
        var mismatches: [String] = []
        for (line, e) in zip(lines, expected) {
            let fields = line.split(separator: " ")
            guard fields.count == 3, let status = Int32(fields[0]), let bits = UInt64(fields[1]) else {
                mismatches.append("\(e.op) \(e.arguments): \(line)")
                continue
            }
            let actual = "\(e.op)(\(e.arguments.map { String($0, radix: 16) }.joined(separator: ", ")))"
            switch e.result {
            case .success(let want):
                let same = status == 0 && (bits == want || (Self.isNaN(e.kind, bits) && Self.isNaN(e.kind, want)))
                if !same { mismatches.append("\(actual): status \(status) \(String(bits, radix: 16)), want \(String(want, radix: 16))") }
                if status == 0 && fields[2] != "depth=0" { mismatches.append("\(actual): \(fields[2])") }
            case .failure(let trap):
                let kind = VMTrapCode(rawValue: status).flatMap { TrapKind($0) }
                if kind != trap.kind { mismatches.append("\(actual): status \(status), want trap \(trap.kind)") }
            }
        }
        let report = mismatches.prefix(30).joined(separator: "\n")
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches of \(calls.count):\n\(report)")
        return calls.count
    }
}
