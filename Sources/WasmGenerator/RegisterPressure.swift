import WasmBinary
import WasmSyntax

/// Register-pressure shapes for single-pass compilers: many values of
/// mixed types live on the operand stack across a call that returns
/// several values, across a block that computes with more of them, and
/// back out as a long list of results. A backend that assumes a register
/// free, spills the wrong slot at a call or a join, or mixes up results of
/// a multi-value return gives a wrong result here, where structured
/// modules rarely keep more than a few values live.
public enum RegisterPressure {
    /// The module: export "r" (no parameters) returns every value it kept
    /// live; function 0 permutes its parameters into its results.
    public static func module(_ bytes: [UInt8]) -> Module {
        var u = ByteSource(bytes)
        let kinds: [ValueType] = [.i32, .i64, .f32, .f64]
        let live = 8 + u.index(17)
        var stack: [ValueType] = []
        var code: [Instruction] = []
        func push(_ t: ValueType) {
            let classes = BoundaryClass.applicable(to: t).filter { !$0.isNonCanonicalNaN }
            code.append(SingleInstructionGenerator.constant(t, classes[u.index(classes.count)], &u))
            stack.append(t)
        }
        for _ in 0..<live { push(kinds[u.index(kinds.count)]) }
        // A call with a multi-value result, its arguments above the live
        // values: they stay live across it.
        let params = (0..<(2 + u.index(4))).map { _ in kinds[u.index(kinds.count)] }
        let order = params.indices.shuffledBy(&u)
        for t in params { push(t) }
        stack.removeLast(params.count)
        code.append(Instruction(.call, .index(0)))
        stack += order.map { params[$0] }
        // A block that computes with fresh values while the rest wait.
        code.append(Instruction(.block, .block(.value(.i64))))
        let fresh = 3 + u.index(6)
        for _ in 0..<fresh {
            code.append(SingleInstructionGenerator.constant(.i64, [.one, .minusOne, .max, .min, .random][u.index(5)], &u))
        }
        for _ in 1..<fresh { code.append(Instruction([.i64Add, .i64Mul, .i64Xor, .i64Sub][u.index(4)])) }
        code.append(Instruction(.end))
        stack.append(.i64)
        var body = BinaryWriter()
        for i in code { body.instruction(i) }
        body.instruction(Instruction(.end))

        var callee = BinaryWriter()
        for i in order { callee.instruction(Instruction(.localGet, .index(UInt32(i)))) }
        callee.instruction(Instruction(.end))

        func group(_ params: [ValueType], _ results: [ValueType]) -> RecGroup {
            RecGroup(types: [SubType(composite: .func(FuncType(params: params, results: results)))])
        }
        var module = Module()
        module.types = [group(params, order.map { params[$0] }), group([], stack)]
        module.functions = [Function(typeIndex: 0, body: callee.bytes[...]), Function(typeIndex: 1, body: body.bytes[...])]
        module.exports = [Export(name: "r", descriptor: .function(1))]
        return module
    }
}

extension Range where Bound == Int {
    /// The indices in an order drawn from `u`.
    fileprivate func shuffledBy(_ u: inout ByteSource) -> [Int] {
        var out = Array(self)
        guard out.count > 1 else { return out }
        for i in stride(from: out.count - 1, to: 0, by: -1) { out.swapAt(i, u.index(i + 1)) }
        return out
    }
}
