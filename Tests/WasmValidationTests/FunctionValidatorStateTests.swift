import Testing
import WasmSyntax
@testable import WasmValidation

/// The state a translator reads between instructions.
@Suite("Function validator state")
struct FunctionValidatorStateTests {
    @Test func stacksFollowTheCode() throws {
        var m = Module()
        let f = m.addFunction(params: [.i64], results: [.i32], locals: [.f32], [])
        let context = try ValidationContext(module: m)
        var v = try FunctionValidator(context: context, functionIndex: f, locals: [LocalRun(count: 1, type: .f32)], offset: 0)
        #expect(v.localTypes == [.i64, .f32])
        #expect(v.controlStack.count == 1)
        #expect(v.controlStack[0].kind == .function)
        #expect(v.labelTypes(depth: 0) == [.i32])

        try v.validate(block(.block, .value(.f64)), offset: 0)
        #expect(v.controlStack.last?.kind == .block)
        #expect(v.labelTypes(depth: 0) == [.f64])
        #expect(v.labelTypes(depth: 1) == [.i32])
        #expect(v.labelTypes(depth: 2) == nil)

        try v.validate(local(.localGet, 0), offset: 2)
        #expect(v.operandStack == [.known(.i64)])
        try v.validate(op(.unreachable), offset: 4)
        #expect(v.isUnreachable)
        #expect(v.operandStack.isEmpty)
        try v.validate(end, offset: 5)
        #expect(!v.isUnreachable)
        #expect(v.operandStack == [.known(.f64)])
        try v.validate(op(.drop), offset: 6)
        try v.validate(i32(0), offset: 7)
        #expect(!v.isFinished)
        try v.validate(end, offset: 9)
        #expect(v.isFinished)
    }

    @Test func asNonNullOfBottomIsAReference() throws {
        var m = Module()
        let f = m.addFunction([])
        let context = try ValidationContext(module: m)
        var v = try FunctionValidator(context: context, functionIndex: f, locals: [], offset: 0)
        try v.validate(op(.unreachable), offset: 0)
        try v.validate(op(.refAsNonNull), offset: 1)
        #expect(v.operandStack == [.unknownReference])
    }

    @Test func constantExpressionsAreFunctionsWithoutLocals() throws {
        let context = try ValidationContext(module: Module())
        var v = FunctionValidator(context: context, constantExpressionOf: .i64, visibleGlobals: 0)
        try v.validate(i64(3), offset: 0)
        try v.validate(end, offset: 1)
        #expect(v.isFinished)
    }
}
