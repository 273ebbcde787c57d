import CWasmInterpreter
import Testing
@testable import WasmInterpreter
import WasmRuntime

/// Superinstructions (`WC_FUSIONS`) and the other translator shortcuts that
/// the C executor relies on: they must fire where expected and compute
/// exactly what the separate instructions would.
@Suite struct SuperinstructionTests {
    func ops(_ text: String, function: Int = 0) throws -> [String] {
        let module = try compile(text)
        let code = try #require(module.code as? InterpreterCode)
        return code.disassemble(function).map { String($0.split(separator: " ")[1]) }
    }

    @Test func loopBackEdgesFuseTheAddWithTheBranch() throws {
        let text = """
        (module (func (export "count") (param i32) (result i32)
          (loop $l
            (local.set 0 (i32.add (local.get 0) (i32.const 3)))
            (br_if $l (i32.lt_u (local.get 0) (i32.const 10))))
          (local.get 0)))
        """
        // The add keeps its words, followed by the branch's.
        #expect(try ops(text) == ["i32AddImm_brIfI32LtUImm_a", "brIfI32LtUImm", "ret1"])
        let instance = try instantiate(text)
        #expect(try instance.call("count", [i32(0)]) == [i32(12)])
        #expect(try instance.call("count", [i32(-20)]) == [i32(-17)])
        #expect(try instance.call("count", [i32(100)]) == [i32(103)])
    }

    @Test func countedLoopsWithImmediateBoundsFuse() throws {
        let text = """
        (module (func (export "sum") (param i32) (result i32) (local i32 i32)
          (loop $l
            (local.set 2 (i32.add (local.get 2) (local.get 1)))
            (br_if $l (i32.ne (local.tee 1 (i32.add (local.get 1) (i32.const 1))) (i32.const 100))))
          (local.get 2)))
        """
        #expect(try ops(text).contains("i32AddImm_brIfI32NeImm_a"))
        #expect(try instantiate(text).call("sum", [i32(0)]) == [i32(4950)])
    }

    @Test func integerChainsReadTheFirstResult() throws {
        let text = """
        (module (func (export "mix") (param i32 i32) (result i32)
          (i32.add (local.get 1) (i32.xor (local.get 0) (i32.rotl (local.get 1) (i32.const 7))))))
        """
        let lines = try ops(text)
        #expect(lines.contains("i32RotlImm_i32Xor_c"))
        #expect(lines.contains("i32Xor_i32Add_c"))
        let x: UInt32 = 0x1234_5678, y: UInt32 = 0x9ABC_DEF0
        let expected = y &+ (x ^ (y << 7 | y >> 25))
        #expect(try instantiate(text).call("mix", [.i32(x), .i32(y)]) == [.i32(expected)])
    }

    @Test func f64ChainsRoundEachStepAndKeepNaNs() throws {
        let text = """
        (module (memory 1)
          (func (export "axpy") (param f64 f64 f64) (result f64)
            (f64.store (i32.const 8) (local.get 2))
            (f64.add (f64.mul (local.get 0) (local.get 1)) (f64.load (i32.const 8))))
          (func (export "chain") (param f64 f64) (result f64)
            (f64.mul (f64.sub (local.get 0) (local.get 1)) (f64.sub (local.get 0) (local.get 1)))))
        """
        let lines = try ops(text)
        #expect(lines.contains("f64Load_f64Add_c"))
        #expect(try ops(text, function: 1).contains("f64Sub_f64Mul_c"))
        let instance = try instantiate(text)
        // Two roundings (no fused multiply-add): 0.1 * 0.2 + 0.3 rounds twice.
        let a = 0.1, b = 0.2, c = 0.3
        #expect(try instance.call("axpy", [f64(a), f64(b), f64(c)]) == [f64(a * b + c)])
        #expect(try instance.call("chain", [f64(1.5), f64(0.25)]) == [f64(1.25 * 1.25)])
        // A NaN operand gives a NaN.
        let result = try instance.call("axpy", [.f64(0x7FF4_0000_0000_0001), f64(1), f64(1)])
        #expect(result.first?.f64.map { Double(bitPattern: $0).isNaN } == true)
    }

    @Test func oneWordInstructionsFuseToo() throws {
        let text = """
        (module (func (export "hyp") (param f64 f64 f64) (result f64)
          (f64.mul (local.get 2) (f64.sqrt (f64.add (local.get 0) (local.get 1))))))
        """
        // f64.sqrt is one word: the printer (and the executor) find the
        // multiplication right after it.
        #expect(try ops(text) == ["f64Add_f64Sqrt_b", "f64Sqrt_f64Mul_c", "f64Mul", "ret1"])
        #expect(try instantiate(text).call("hyp", [f64(7), f64(9), f64(0.5)]) == [f64(2)])
        let nan = try instantiate(text).call("hyp", [f64(-7), f64(0), f64(1)])
        #expect(nan.first?.f64.map { Double(bitPattern: $0).isNaN } == true)
    }

    @Test func constantLeftOperandsOfSubAndDivAreImmediates() throws {
        let text = """
        (module
          (func (export "inv") (param f64) (result f64) (f64.div (f64.const 1) (local.get 0)))
          (func (export "rsub") (param f32) (result f32) (f32.sub (f32.const 1) (local.get 0)))
          (func (export "scale") (param f64 f64) (result f64)
            (f64.div (f64.const 0.01) (f64.mul (local.get 0) (local.get 1)))))
        """
        #expect(try ops(text, function: 0).first == "f64RDivImm")
        #expect(try ops(text, function: 1).first == "f32RSubImm")
        #expect(try ops(text, function: 2).first == "f64Mul_f64RDivImm_b")
        let instance = try instantiate(text)
        #expect(try instance.call("inv", [f64(4)]) == [f64(0.25)])
        #expect(try instance.call("inv", [f64(-0.0)]) == [f64(-.infinity)])
        #expect(try instance.call("rsub", [f32(0.25)]) == [f32(0.75)])
        #expect(try instance.call("scale", [f64(3), f64(7)]) == [f64(0.01 / 21)])
    }

    @Test func addressArithmeticFeedsLoads() throws {
        let text = """
        (module (memory 1)
          (data (i32.const 16) "\\01\\00\\00\\00\\02\\00\\00\\00")
          (func (export "second") (param i32) (result i32)
            (i32.load (i32.add (local.get 0) (i32.const 4))))
          (func (export "walk") (param i32) (result i32) (local i32)
            (loop $l
              (local.set 1 (i32.load (local.tee 0 (i32.add (local.get 0) (i32.const 4)))))
              (br_if $l (i32.lt_s (local.get 1) (i32.const 2))))
            (local.get 0)))
        """
        #expect(try ops(text, function: 1).first == "i32AddImm_i32Load_b")
        let instance = try instantiate(text)
        #expect(try instance.call("second", [i32(16)]) == [i32(2)])
        #expect(try instance.call("walk", [i32(12)]) == [i32(20)])
        // The fused load still checks its bounds.
        #expect(instance.trap("second", [i32(65_533)]) == .outOfBoundsMemoryAccess)
        #expect(instance.trap("walk", [i32(65_528)]) == .outOfBoundsMemoryAccess)
    }

    @Test func storesOfConstantsCarryTheValue() throws {
        let text = """
        (module (memory 1)
          (func (export "fill") (param i32)
            (i32.store8 (local.get 0) (i32.const 0x1FF))
            (i32.store16 offset=2 (local.get 0) (i32.const -1))
            (i64.store offset=8 (local.get 0) (i64.const -5))
            (i32.store offset=16 (local.get 0) (i32.const 0x7FFFFF))
            (i32.store offset=20 (local.get 0) (i32.const 0x12345678)))
          (func (export "get8") (param i32) (result i64) (i64.load (local.get 0))))
        """
        let lines = try ops(text)
        #expect(lines.contains("i32Store8Imm"))
        #expect(lines.contains("i32Store16Imm"))
        #expect(lines.contains("i64StoreImm"))
        #expect(lines.contains("i32StoreImm"))
        // 0x12345678 does not fit 24 bits: a constant in a slot.
        #expect(lines.contains("i32Store"))
        let instance = try instantiate(text)
        _ = try instance.call("fill", [i32(32)])
        #expect(try instance.call("get8", [i32(32)]) == [i64(0x0000_0000_FFFF_00FF)])
        #expect(try instance.call("get8", [i32(40)]) == [i64(-5)])
        #expect(try instance.call("get8", [i32(48)]) == [i64(0x1234_5678_007F_FFFF)])
        #expect(instance.trap("fill", [i32(65_535)]) == .outOfBoundsMemoryAccess)
    }

    @Test func zeroingFreshLocalsIsLeftOut() throws {
        let text = """
        (module (func (export "f") (param i32) (result i32) (local i32)
          (local.set 1 (i32.const 0))
          (block (br_if 0 (local.get 0)) (local.set 1 (i32.const 0)))
          (local.set 1 (i32.const 0))
          (local.get 1)))
        """
        // The first two writes find the local at zero; the last follows a label.
        #expect(try ops(text) == ["brIfNez", "const64", "ret1"])
        #expect(try instantiate(text).call("f", [i32(1)]) == [i32(0)])
    }

    @Test func everyOperationHasANameAndTheFusionsAreWellFormed() throws {
        var names = Set<String>()
        for raw in 0..<UInt16(WCOpCount) {
            guard let op = Op(rawValue: raw) else {
                Issue.record("no operation \(raw)")
                continue
            }
            #expect(!op.name.isEmpty && op.name != "?")
            names.insert(op.name)
        }
        #expect(names.count == Int(WCOpCount))
        #expect(!Fusions.table.isEmpty)
        for (_, fusion) in Fusions.table {
            let fused = try #require(Op(rawValue: fusion.fused))
            #expect(fused.runsInC)
            #expect(fused.name.hasPrefix(Op(rawValue: fusion.first)?.name ?? "?"))
            // The length the executor assumes is the first operation's.
            #expect(Int(fusion.firstLength) == (IRPrinter.isUnary(Op(rawValue: fusion.first)!) ? 1 : 2))
        }
    }
}
