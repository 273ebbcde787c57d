import Testing
import WasmSyntax
@testable import WasmValidation

@Suite("Numeric and vector instructions")
struct NumericInstructionValidationTests {
    @Test func binaryOperatorsTakeTwoOperandsOfTheirType() {
        #expect(bodyError([i32(1), i32(2), op(.i32Add)], results: [.i32]) == nil)
        #expect(bodyError([i64(1), i32(2), op(.i32Add)], results: [.i32])
                == "type mismatch: instruction requires [i32 i32] but stack has [i64 i32]")
        #expect(bodyError([i32(2), op(.i32Add)], results: [.i32])
                == "type mismatch: instruction requires [i32 i32] but stack has [i32]")
    }

    @Test func conversionsAndComparisons() {
        #expect(bodyError([f64(1), op(.i64TruncF64S)], results: [.i64]) == nil)
        #expect(bodyError([f32(1), op(.i64TruncF64S)], results: [.i64])
                == "type mismatch: instruction requires [f64] but stack has [f32]")
        #expect(bodyError([f32(1), f32(2), op(.f32Lt)], results: [.i32]) == nil)
        #expect(bodyError([i32(1), op(.i32Eqz)], results: [.i64])
                == "type mismatch: instruction requires [i64] but stack has [i32]")
    }

    @Test func operandsCannotBeTakenFromOutsideTheBlock() {
        let code = [i32(1), block(.block, .value(.i32)), op(.i32Eqz), end, op(.drop)]
        #expect(bodyError(code) == "type mismatch: instruction requires [i32] but stack has []")
    }

    @Test func unreachableCodeIsPolymorphicButStillTyped() {
        #expect(bodyError([op(.unreachable), op(.i32Add)], results: [.i32]) == nil)
        #expect(bodyError([op(.unreachable), op(.i64Add), op(.drop)]) == nil)
        #expect(bodyError([op(.unreachable), i64(0), op(.i32Add), op(.drop)])
                == "type mismatch: instruction requires [i32 i32] but stack has [i64]")
        #expect(bodyError([op(.unreachable), i32(0), op(.f32Neg)], results: [.f32])
                == "type mismatch: instruction requires [f32] but stack has [i32]")
    }

    @Test func leftoverValuesAtTheEnd() {
        #expect(bodyError([i32(1)]) == "type mismatch: block requires [] but stack has [i32]")
        #expect(bodyError([i32(1), i32(2)], results: [.i32])
                == "type mismatch: block requires [i32] but stack has [i32 i32]")
    }

    @Test func selectNeedsNumericOrVectorOperandsOfOneType() {
        #expect(bodyError([i32(1), i32(2), i32(0), op(.select)], results: [.i32]) == nil)
        #expect(bodyError([i64(1), i32(2), i32(0), op(.select)], results: [.i32])?.hasPrefix("type mismatch") == true)
        let refs = [op(.refNull, .heapType(.func)), op(.refNull, .heapType(.func)), i32(0), op(.select), op(.drop)]
        #expect(bodyError(refs)?.hasPrefix("type mismatch") == true)
        // In unreachable code the missing operand takes the other's type.
        #expect(bodyError([op(.unreachable), i64(1), i32(0), op(.select)], results: [.i64]) == nil)
        #expect(bodyError([op(.unreachable), op(.select), op(.i64Eqz)], results: [.i32]) == nil)
    }

    @Test func typedSelectTakesExactlyOneType() {
        let good = [op(.refNull, .heapType(.func)), op(.refNull, .heapType(.func)), i32(0),
                    op(.selectTyped, .valueTypes([.funcref]))]
        #expect(bodyError(good, results: [.funcref]) == nil)
        #expect(bodyError([i32(0), op(.selectTyped, .valueTypes([]))]) == "invalid result arity")
        #expect(bodyError([i32(1), i32(1), i32(1), i32(0), op(.selectTyped, .valueTypes([.i32, .i32]))])
                == "invalid result arity")
    }

    @Test func laneIndicesMustBeInRange() {
        let v = op(.v128Const, .v128(.zero))
        #expect(bodyError([v, op(.i8x16ExtractLaneS, .lane(15))], results: [.i32]) == nil)
        #expect(bodyError([v, op(.i8x16ExtractLaneS, .lane(16))], results: [.i32]) == "invalid lane index")
        #expect(bodyError([v, op(.i64x2ExtractLane, .lane(2))], results: [.i64]) == "invalid lane index")
        #expect(bodyError([v, f64(0), op(.f64x2ReplaceLane, .lane(1))], results: [.v128]) == nil)
        #expect(bodyError([v, f64(0), op(.f64x2ReplaceLane, .lane(2))], results: [.v128]) == "invalid lane index")
        let lanes = V128(bytes: (0..<16).map { UInt8($0 * 2) })
        #expect(bodyError([v, v, op(.i8x16Shuffle, .v128(lanes))], results: [.v128]) == nil)
        let bad = V128(bytes: [UInt8](repeating: 0, count: 15) + [32])
        #expect(bodyError([v, v, op(.i8x16Shuffle, .v128(bad))], results: [.v128]) == "invalid lane index")
    }

    @Test func vectorOperatorsUseTheOpcodeTable() {
        let v = op(.v128Const, .v128(.zero))
        #expect(bodyError([v, i32(1), op(.i32x4Shl)], results: [.v128]) == nil)
        #expect(bodyError([v, v, op(.i32x4Shl)], results: [.v128])
                == "type mismatch: instruction requires [v128 i32] but stack has [v128 v128]")
        #expect(bodyError([v, op(.i8x16Bitmask)], results: [.i32]) == nil)
        #expect(bodyError([v, v, v, op(.v128Bitselect)], results: [.v128]) == nil)
    }

    @Test func instructionsOfDisabledFeaturesAreRejected() {
        #expect(bodyError([i32(1), op(.i32Extend8S)], results: [.i32], features: .mvp) != nil)
        #expect(bodyError([i32(1), op(.i32Extend8S)], results: [.i32], features: .wasm2) == nil)
        #expect(bodyError([i64(1), i64(2), i64(3), i64(4), op(.i64Add128), op(.drop), op(.drop)], features: .wasm3) != nil)
        #expect(bodyError([i64(1), i64(2), i64(3), i64(4), op(.i64Add128), op(.drop), op(.drop)], features: .all) == nil)
    }

    @Test func instructionsAfterTheFinalEndAreRejected() throws {
        var module = Module()
        let f = module.addFunction([])
        let context = try ValidationContext(module: module)
        var validator = try FunctionValidator(context: context, functionIndex: f, locals: [], offset: 0)
        try validator.validate(end, offset: 0)
        #expect(validator.isFinished)
        #expect(throws: ValidationError.self) { try validator.validate(op(.nop), offset: 1) }
    }
}
