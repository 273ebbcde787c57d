import Foundation
import Testing
import WasmBinary
import WasmRuntime
import WasmSyntax
import WasmText
import WasmValidation
@testable import WasmJIT

/// Locals kept in registers (`LocalCache`) and comparisons fused with the
/// branch that consumes them (`branch(compare:)`): each module runs on this
/// host's JIT against results computed here, and, where qemu-aarch64 and
/// the cross compiler are installed, as AArch64 code under qemu. The
/// modules aim at the places a register cache goes wrong: labels reached
/// with different registers, loop back-edges, calls, exception handlers,
/// register pressure, and writes to a local while reads of it are pending.
@Suite("JIT: locals in registers and fused branches")
struct LocalCacheTests {
    /// One call of function `function`: its i32/i64 arguments (as bits)
    /// and its one result's bits.
    struct Case {
        var function = 0
        var arguments: [UInt64]
        var result: UInt64
    }

    /// Runs every case on the x86-64 JIT (on an x86-64 host) and under
    /// qemu on the AArch64 backend (where available).
    static func check(_ text: String, _ cases: [Case], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let module = try parseModule(text)
        let validation = try ValidationContext(module: module, features: EngineConfiguration().features)
        let types: [[ValueType]] = (0..<module.functions.count).map { i in
            validation.funcType(ofFunction: UInt32(validation.importedFunctionCount + i))?.params ?? []
        }
        if JITTarget.host == .x86_64 {
            let engine = Engine(tier: JIT())
            let instance = try Linker().instantiate(try WasmRuntime.Module(engine: engine, bytes: encodeModule(module)),
                                                    in: Store(engine: engine))
            for c in cases {
                let f = try #require(instance.function("f\(c.function)"), sourceLocation: sourceLocation)
                let arguments = zip(types[c.function], c.arguments).map { t, bits in
                    t == .i64 ? Value.i64(bits) : Value.i32(UInt32(truncatingIfNeeded: bits))
                }
                let results = try f.call(arguments)
                let bits: UInt64
                switch results.first {
                case .i32(let v): bits = UInt64(v)
                case .i64(let v): bits = v
                default: bits = .max
                }
                #expect(bits == c.result, "x86-64: f\(c.function)\(c.arguments) = \(bits), want \(c.result)",
                        sourceLocation: sourceLocation)
            }
        }
        if A64Qemu.available {
            let path = try A64QemuSmokeTests.artifact(module)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let lines = try A64Qemu.runBatch(path, cases.map { ($0.function, 1, $0.arguments) })
            #expect(lines.count == cases.count, sourceLocation: sourceLocation)
            for (line, c) in zip(lines, cases) {
                #expect(line.hasPrefix("0 \(c.result) "), "AArch64: f\(c.function)\(c.arguments): \(line), want \(c.result)",
                        sourceLocation: sourceLocation)
            }
        }
    }

    static func i32(_ v: Int32) -> UInt64 { UInt64(UInt32(bitPattern: v)) }

    /// sum of i * i for i below n, with i and sum set before the loop
    /// (cached at its header) and written in its body.
    @Test func aLocalCachedAcrossALoopBackEdge() throws {
        let text = """
            (module (func (export "f0") (param i32) (result i32) (local i32 i32)
              (local.set 1 (i32.const 0)) (local.set 2 (i32.const 0))
              (block (loop
                (br_if 1 (i32.ge_s (local.get 1) (local.get 0)))
                (local.set 2 (i32.add (local.get 2) (i32.mul (local.get 1) (local.get 1))))
                (local.set 1 (i32.add (local.get 1) (i32.const 1)))
                (br 0)))
              (local.get 2)))
            """
        try Self.check(text, [0, 1, 2, 10, 100].map { n in
            Case(arguments: [UInt64(n)], result: UInt64(UInt32(truncatingIfNeeded: (0..<n).reduce(0) { $0 + $1 * $1 })))
        })
    }

    /// A local set before a loop but first read (and cached) inside it,
    /// and one the body sets from another local's register: the back-edge
    /// must put each local where the header had it.
    @Test func aBackEdgeRestoresTheHeadersRegisters() throws {
        let text = """
            (module (func (export "f0") (param i32) (result i32) (local i32 i32 i32)
              (local.set 1 (i32.const 1)) (local.set 2 (i32.const 2)) (local.set 3 (i32.const 0))
              (loop
                ;; swap 1 and 2 through 3, then accumulate
                (local.set 3 (local.get 1)) (local.set 1 (local.get 2)) (local.set 2 (local.get 3))
                (local.set 1 (i32.add (local.get 1) (local.get 2)))
                (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
              (i32.add (i32.mul (local.get 1) (i32.const 1000)) (local.get 2))))
            """
        func model(_ n: Int) -> UInt64 {
            var a: Int32 = 1, b: Int32 = 2, k = n
            repeat {
                (a, b) = (b, a)
                a = a &+ b
                k -= 1
            } while k != 0
            return Self.i32(a &* 1000 &+ b)
        }
        try Self.check(text, [1, 2, 3, 7].map { Case(arguments: [UInt64($0)], result: model($0)) })
    }

    /// A call clobbers every allocatable register: the locals are read
    /// from their slots after it, in the caller and in a loop around it.
    @Test func aLocalCachedAcrossACall() throws {
        let text = """
            (module
              (func (export "f0") (param i32) (result i32) (local i32 i32)
                (local.set 1 (i32.const 7))
                (local.set 2 (i32.add (local.get 0) (i32.const 3)))
                (loop
                  (local.set 1 (i32.add (local.get 1) (call 1 (local.get 2) (local.get 1))))
                  (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
                (i32.add (local.get 1) (local.get 2)))
              (func (param i32 i32) (result i32) (local i32 i32 i32 i32)
                ;; fills the registers with other values
                (local.set 2 (i32.mul (local.get 0) (i32.const 3)))
                (local.set 3 (i32.xor (local.get 1) (i32.const 0x55)))
                (local.set 4 (i32.add (local.get 2) (local.get 3)))
                (local.set 5 (i32.sub (local.get 4) (local.get 0)))
                (i32.and (local.get 5) (i32.const 0xFF))))
            """
        func model(_ n: Int) -> UInt64 {
            var k = Int32(n), a: Int32 = 7
            let b = k &+ 3
            func g(_ x: Int32, _ y: Int32) -> Int32 { (((x &* 3) &+ (y ^ 0x55)) &- x) & 0xFF }
            repeat {
                a = a &+ g(b, a)
                k -= 1
            } while k != 0
            return Self.i32(a &+ b)
        }
        try Self.check(text, [1, 2, 5].map { Case(arguments: [UInt64($0)], result: model($0)) })
    }

    /// Both arms of an if set the local (each into its own register) and
    /// one arm leaves by a branch: the end sees only what all paths agree on.
    @Test func labelsReachedWithDifferentRegisters() throws {
        let text = """
            (module (func (export "f0") (param i32) (result i32) (local i32 i32)
              (local.set 2 (i32.const 5))
              (block
                (if (i32.and (local.get 0) (i32.const 1))
                  (then (local.set 1 (i32.const 10)) (local.set 2 (i32.add (local.get 2) (i32.const 1))))
                  (else (local.set 1 (i32.const 20))
                        (br_if 1 (i32.and (local.get 0) (i32.const 2)))
                        (local.set 2 (i32.const 100))))
                (local.set 1 (i32.add (local.get 1) (local.get 2))))
              (i32.add (i32.mul (local.get 1) (i32.const 1000)) (local.get 2))))
            """
        func model(_ x: Int32) -> UInt64 {
            var l1: Int32 = 0, l2: Int32 = 5
            if x & 1 != 0 {
                l1 = 10; l2 += 1; l1 += l2
            } else {
                l1 = 20
                if x & 2 == 0 { l2 = 100; l1 += l2 }
            }
            return Self.i32(l1 * 1000 + l2)
        }
        try Self.check(text, [0, 1, 2, 3].map { Case(arguments: [UInt64($0)], result: model(Int32($0))) })
    }

    /// br_table to a loop and to blocks, from a body that moved locals.
    @Test func brTableToALoopWithCachedLocals() throws {
        let text = """
            (module (func (export "f0") (param i32) (result i32) (local i32 i32)
              (local.set 1 (i32.const 0))
              (block (block
                (loop
                  (local.set 1 (i32.add (local.get 1) (i32.const 3)))
                  (local.set 2 (local.get 1))
                  (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
                  (br_table 0 0 1 2 (i32.and (local.get 0) (i32.const 3)))))
                (local.set 1 (i32.add (local.get 1) (i32.const 1000))))
              (i32.add (local.get 1) (i32.mul (local.get 2) (i32.const 100000)))))
            """
        func model(_ n: Int32) -> UInt64 {
            var x = n, l1: Int32 = 0, l2: Int32 = 0
            while true {
                l1 += 3; l2 = l1; x -= 1
                let k = x & 3
                if k <= 1 { continue }
                if k == 2 { l1 += 1000 }
                break
            }
            return Self.i32(l1 &+ l2 &* 100_000)
        }
        try Self.check(text, [1, 2, 3, 4, 9].map { Case(arguments: [UInt64($0)], result: model(Int32($0))) })
    }

    /// `local.set i (local.get i)`, then a tee of i read by an if (found
    /// by `wasmcheck fuzz`: the set cached the local twice, and dropping
    /// one entry left the other with a stale value).
    @Test func settingALocalToItself() throws {
        let text = """
            (module
              (func (export "f0") (param i32 i32) (result i32) (local i32)
                (local.set 2 (local.get 2))
                (local.tee 2 (local.get 1))
                (if (result i32) (then (local.set 1 (i32.sub (local.get 1) (i32.const 1))) (i32.const 0)) (else (i32.const 0)))
                (drop)
                (local.set 0 (local.get 0))
                (i32.add (local.get 1) (i32.mul (local.get 0) (i32.const 10000)))))
            """
        try Self.check(text, [Case(arguments: [0, 1000], result: 999), Case(arguments: [3, 1000], result: 30_999),
                              Case(arguments: [5, 0], result: 50_000)])
    }

    /// Reads of a local pending on the stack keep the old value when the
    /// local is written (tee, then set, under the pending reads).
    @Test func writesUnderPendingReads() throws {
        let text = """
            (module (func (export "f0") (param i32) (result i32) (local i32)
              (local.set 1 (i32.const 3))
              (local.get 1)
              (local.tee 1 (i32.add (local.get 1) (local.get 0)))
              (local.get 1)
              (local.set 1 (i32.const 1000))
              (i32.mul (i32.const 100))
              (i32.add)
              (i32.add (i32.mul (local.get 1) (i32.const 10000)))
              (i32.add)))
            """
        // The first read (3), the tee's value and the read after it (3 + x
        // each), and the last value (1000).
        func model(_ x: Int32) -> UInt64 { Self.i32(3 &+ (3 &+ x) &* 101 &+ 10_000_000) }
        try Self.check(text, [0, 5, 0x7FFF].map { Case(arguments: [UInt64($0)], result: model(Int32($0))) })
    }

    /// More live locals than allocatable registers in a loop: entries are
    /// evicted in the body and reloaded for the back-edge.
    @Test func registerPressureInALoop() throws {
        let count = 20
        let sets = (1...count).map { "(local.set \($0) (i32.add (local.get \($0)) (i32.mul (local.get \($0 == count ? 1 : $0 + 1)) (i32.const \($0)))))" }
            .joined(separator: "\n")
        let sum = (2...count).reduce("(local.get 1)") { "(i32.xor (i32.mul \($0) (i32.const 31)) (local.get \($1)))" }
        let text = """
            (module (func (export "f0") (param i32) (result i32) (local \(String(repeating: "i32 ", count: count)))
              \((1...count).map { "(local.set \($0) (i32.const \($0 * 7)))" }.joined(separator: " "))
              (loop
                \(sets)
                (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
              \(sum)))
            """
        func model(_ n: Int) -> UInt64 {
            var l = [Int32](repeating: 0, count: count + 1)
            for i in 1...count { l[i] = Int32(i * 7) }
            var k = n
            repeat {
                for i in 1...count { l[i] = l[i] &+ l[i == count ? 1 : i + 1] &* Int32(i) }
                k -= 1
            } while k != 0
            var s = l[1]
            for i in 2...count { s = (s &* 31) ^ l[i] }
            return Self.i32(s)
        }
        try Self.check(text, [1, 3, 10].map { Case(arguments: [UInt64($0)], result: model($0)) })
    }

    /// br_if and if on every i32 and i64 comparison, on values around the
    /// signed and unsigned boundaries, and through eqz (which inverts a
    /// pending comparison, and tests a value for zero on its own).
    @Test func brIfAndIfFusedOnEachComparisonKind() throws {
        let kinds = ["eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"]
        var functions: [String] = []
        var cases: [Case] = []
        let i32Values: [Int32] = [0, 1, -1, .min, .max, 7]
        let i64Values: [Int64] = [0, 1, -1, .min, .max, 1 << 32]
        func holds<T: FixedWidthInteger>(_ kind: String, _ a: T, _ b: T) -> Bool {
            switch kind {
            case "eq": return a == b
            case "ne": return a != b
            case "lt_s": return a < b
            case "gt_s": return a > b
            case "le_s": return a <= b
            case "ge_s": return a >= b
            default:
                let (x, y) = (UInt64(truncatingIfNeeded: a) & UInt64(truncatingIfNeeded: T.max | T.min),
                              UInt64(truncatingIfNeeded: b) & UInt64(truncatingIfNeeded: T.max | T.min))
                switch kind {
                case "lt_u": return x < y
                case "gt_u": return x > y
                case "le_u": return x <= y
                default: return x >= y
                }
            }
        }
        for t in ["i32", "i64"] {
            for kind in kinds {
                let base = functions.count
                // br_if, br_if on its eqz, if/else, and the result as a value.
                functions.append("""
                    (func (export "f\(base)") (param \(t) \(t)) (result i32)
                      (block (br_if 0 (\(t).\(kind) (local.get 0) (local.get 1))) (return (i32.const 10))) (i32.const 20))
                    """)
                functions.append("""
                    (func (export "f\(base + 1)") (param \(t) \(t)) (result i32)
                      (block (br_if 0 (i32.eqz (\(t).\(kind) (local.get 0) (local.get 1)))) (return (i32.const 10))) (i32.const 20))
                    """)
                functions.append("""
                    (func (export "f\(base + 2)") (param \(t) \(t)) (result i32)
                      (if (result i32) (\(t).\(kind) (local.get 0) (local.get 1)) (then (i32.const 30)) (else (i32.const 40))))
                    """)
                functions.append("""
                    (func (export "f\(base + 3)") (param \(t) \(t)) (result i32)
                      (i32.add (\(t).\(kind) (local.get 0) (local.get 1)) (i32.const 50)))
                    """)
                let pairs: [(UInt64, UInt64, Bool)] = t == "i32"
                    ? i32Values.flatMap { a in i32Values.map { b in (Self.i32(a), Self.i32(b), holds(kind, a, b)) } }
                    : i64Values.flatMap { a in i64Values.map { b in (UInt64(bitPattern: a), UInt64(bitPattern: b), holds(kind, a, b)) } }
                for (a, b, h) in pairs {
                    cases.append(Case(function: base, arguments: [a, b], result: h ? 20 : 10))
                    cases.append(Case(function: base + 1, arguments: [a, b], result: h ? 10 : 20))
                    cases.append(Case(function: base + 2, arguments: [a, b], result: h ? 30 : 40))
                    cases.append(Case(function: base + 3, arguments: [a, b], result: h ? 51 : 50))
                }
            }
            // eqz on its own, twice, and under a br_if to a loop.
            let base = functions.count
            functions.append("""
                (func (export "f\(base)") (param \(t) \(t)) (result i32)
                  (block (br_if 0 (\(t).eqz (local.get 0))) (return (i32.const 10))) (i32.const 20))
                """)
            functions.append("""
                (func (export "f\(base + 1)") (param \(t) \(t)) (result i32)
                  (i32.add (i32.eqz (\(t).eqz (local.get 0))) (i32.mul (\(t).eqz (local.get 1)) (i32.const 2))))
                """)
            let values: [UInt64] = t == "i32" ? [0, 1, Self.i32(-1)] : [0, 1 << 32, .max]
            for a in values {
                for b in values {
                    cases.append(Case(function: base, arguments: [a, b], result: a == 0 ? 20 : 10))
                    cases.append(Case(function: base + 1, arguments: [a, b], result: (a != 0 ? 1 : 0) + (b == 0 ? 2 : 0)))
                }
            }
        }
        try Self.check("(module \(functions.joined(separator: "\n")))", cases)
    }

    /// A comparison fused with a br_if that carries values to a loop and
    /// needs a stub (values to move, locals to put back).
    @Test func fusedBrIfToALoopThroughAStub() throws {
        let text = """
            (module (func (export "f0") (param i32) (result i32) (local i32)
              (local.set 1 (i32.const 0))
              (i32.const 0)
              (loop (param i32) (result i32)
                (local.set 1 (i32.add (local.get 1) (i32.const 2)))
                (i32.add (local.get 1))
                (br_if 0 (i32.lt_u (local.get 1) (local.get 0))))
              (i32.add (i32.mul (local.get 1) (i32.const 1000)))))
            """
        func model(_ n: UInt32) -> UInt64 {
            var l1: UInt32 = 0, acc: UInt32 = 0
            repeat { l1 += 2; acc += l1 } while l1 < n
            return UInt64(acc &+ l1 &* 1000)
        }
        try Self.check(text, [0, 1, 2, 9].map { Case(arguments: [UInt64($0)], result: model($0)) })
    }

    /// An exception thrown by a callee lands in a handler whose label is
    /// reached with no register holding a local; the locals set before the
    /// call are read from their slots there.
    @Test func aHandlerSeesTheLocalsSetBeforeTheThrow() throws {
        guard JITTarget.host == .x86_64 else { return }
        let text = """
            (module
              (tag $e (param i32))
              (func $thrower (param i32) (if (local.get 0) (then (throw $e (local.get 0)))))
              (func (export "f0") (param i32) (result i32) (local i32)
                (local.set 1 (i32.const 5))
                (block $h (result i32)
                  (try_table (catch $e $h)
                    (local.set 1 (i32.add (local.get 1) (i32.const 10)))
                    (call $thrower (local.get 0))
                    (local.set 1 (i32.add (local.get 1) (i32.const 100))))
                  (i32.const 0))
                (i32.add (i32.mul (local.get 1) (i32.const 1000)))))
            """
        let engine = Engine(tier: JIT())
        let instance = try Linker().instantiate(try WasmRuntime.Module(engine: engine, bytes: encodeModule(try parseModule(text))),
                                                in: Store(engine: engine))
        let f = try #require(instance.function("f0"))
        #expect(try f.call([.i32(0)]) == [.i32(115_000)])
        #expect(try f.call([.i32(7)]) == [.i32(15_007)])
    }

    /// The AArch64 code of a loop on a comparison: cmp and b.cond, with no
    /// cset of a 0/1 value to test again.
    @Test(.enabled(if: A64LLVMMC.path != nil, "llvm-mc-15 is not installed"))
    func aFusedBranchHasNoSetcc() throws {
        let masm = try A64CodeGenerationTests.compile("""
            (module (func (param i32) (result i32) (local i32)
              (loop (local.set 1 (i32.add (local.get 1) (i32.const 1)))
                    (br_if 0 (i32.lt_s (local.get 1) (local.get 0))))
              (local.get 1)))
            """)
        let lines = try A64CodeGenerationTests.checkDecodes(masm, "loop")
        #expect(lines.contains { $0.contains("b.lt") })
        #expect(!lines.contains { $0.contains("cset") })
    }

    /// Operators and comparisons on a constant (immediate operands: x86's
    /// imm32 and imm8 counts, AArch64's imm12, negated imm12 and bitmask
    /// immediates, and the constants none of them encodes) against the
    /// same operator with the constant passed in a register.
    @Test func operatorsOnConstantsMatchRegisterOperands() throws {
        let ops = ["add", "sub", "mul", "and", "or", "xor", "shl", "shr_s", "shr_u", "rotl", "rotr",
                   "eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"]
        let constants: [String: [String]] = [
            "i32": ["0", "1", "-1", "7", "4095", "4096", "0x7FF000", "0x1000000", "0xFF", "0xFFFF0000", "0x80000000", "-4096", "31", "33"],
            "i64": ["0", "1", "-1", "4095", "0xFFF000", "0x7FFFFFFF", "0x80000000", "0xFFFFFFFF", "-2147483648", "-2147483649",
                    "0x123456789", "0x8000000000000000", "63", "65"],
        ]
        let inputs: [String: [UInt64]] = [
            "i32": [0, 1, 5, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1234_5678],
            "i64": [0, 1, 5, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, .max, 0x1234_5678_9ABC_DEF0, 0xFFFF_FFFF],
        ]
        var functions: [String] = []
        var pairs: [(constant: Int, register: Int, type: String, constantText: String)] = []
        for t in ["i32", "i64"] {
            for op in ops {
                let comparison = ops.firstIndex(of: op)! >= ops.firstIndex(of: "eq")!
                let result = comparison ? "i32" : t
                for c in constants[t]! {
                    let i = functions.count
                    // The constant form also goes through a branch when it is a comparison.
                    let body = comparison
                        ? "(if (result i32) (\(t).\(op) (local.get 0) (\(t).const \(c))) (then (i32.const 7)) (else (i32.const 9)))"
                        : "(\(t).\(op) (local.get 0) (\(t).const \(c)))"
                    functions.append("(func (export \"f\(i)\") (param \(t) \(t)) (result \(result)) \(body))")
                    let registerBody = comparison
                        ? "(if (result i32) (\(t).\(op) (local.get 0) (local.get 1)) (then (i32.const 7)) (else (i32.const 9)))"
                        : "(\(t).\(op) (local.get 0) (local.get 1))"
                    functions.append("(func (export \"f\(i + 1)\") (param \(t) \(t)) (result \(result)) \(registerBody))")
                    pairs.append((i, i + 1, t, c))
                }
            }
        }
        let text = "(module \(functions.joined(separator: "\n")))"
        // The constant's bits, as the register form receives them.
        func bits(_ text: String, _ t: String) -> UInt64 {
            let negative = text.hasPrefix("-")
            let digits = negative ? String(text.dropFirst()) : text
            let magnitude = digits.hasPrefix("0x") ? UInt64(digits.dropFirst(2), radix: 16)! : UInt64(digits)!
            let value = negative ? 0 &- magnitude : magnitude
            return t == "i32" ? value & 0xFFFF_FFFF : value
        }
        // The register forms' results on this host's JIT are the oracle
        // (they are what the official suite checks); then both forms run
        // on each backend through `check`.
        guard JITTarget.host == .x86_64 else { return }
        let engine = Engine(tier: JIT())
        let instance = try Linker().instantiate(try WasmRuntime.Module(engine: engine, bytes: encodeModule(try parseModule(text))),
                                                in: Store(engine: engine))
        var cases: [Case] = []
        for p in pairs {
            let c = bits(p.constantText, p.type)
            for x in inputs[p.type]! {
                let arguments: [Value] = p.type == "i64" ? [.i64(x), .i64(c)] : [.i32(UInt32(x)), .i32(UInt32(c))]
                let want: UInt64
                switch try instance.function("f\(p.register)")!.call(arguments).first {
                case .i32(let v): want = UInt64(v)
                case .i64(let v): want = v
                default: want = .max
                }
                cases.append(Case(function: p.constant, arguments: [x, c], result: want))
                cases.append(Case(function: p.register, arguments: [x, c], result: want))
            }
        }
        try Self.check(text, cases)
    }
}
