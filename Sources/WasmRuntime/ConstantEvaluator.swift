import WasmSyntax

/// Evaluates constant expressions (global and table initialisers, segment
/// offsets and element items) during instantiation. Validation has checked
/// them, so an unexpected instruction is an internal error, reported as a trap.
struct ConstantEvaluator {
    let context: UnsafeMutablePointer<InstanceContext>
    /// How many functions and globals of the instance exist so far.
    let functionCount: Int
    let globalCount: Int

    /// The value as slots (the high slot is only used by v128).
    func evaluate(_ expression: ConstExpression) throws(Trap) -> (UInt64, UInt64) {
        var stack: [(UInt64, UInt64)] = []
        stack.reserveCapacity(4)
        func pop() throws(Trap) -> (UInt64, UInt64) {
            guard let v = stack.popLast() else { throw Trap(.host("invalid constant expression")) }
            return v
        }
        for instruction in expression {
            switch (instruction.opcode, instruction.immediate) {
            case (.i32Const, .i32(let v)): stack.append((UInt64(UInt32(bitPattern: v)), 0))
            case (.i64Const, .i64(let v)): stack.append((UInt64(bitPattern: v), 0))
            case (.f32Const, .f32(let bits)): stack.append((UInt64(bits), 0))
            case (.f64Const, .f64(let bits)): stack.append((bits, 0))
            case (.v128Const, .v128(let v)): stack.append((v.lo, v.hi))
            case (.refNull, _): stack.append((ReferenceBits.null, 0))
            case (.refFunc, .index(let i)):
                guard Int(i) < functionCount else { throw Trap(.host("invalid constant expression")) }
                stack.append((UInt64(UInt(bitPattern: context.pointee.functions[Int(i)])), 0))
            case (.globalGet, .index(let i)):
                guard Int(i) < globalCount else { throw Trap(.host("invalid constant expression")) }
                let cell = context.pointee.globals[Int(i)]
                stack.append((cell[0], cell[1]))
            case (.i32Add, _), (.i32Sub, _), (.i32Mul, _):
                let b = UInt32(truncatingIfNeeded: try pop().0), a = UInt32(truncatingIfNeeded: try pop().0)
                let r: UInt32 = instruction.opcode == .i32Add ? a &+ b : instruction.opcode == .i32Sub ? a &- b : a &* b
                stack.append((UInt64(r), 0))
            case (.i64Add, _), (.i64Sub, _), (.i64Mul, _):
                let b = try pop().0, a = try pop().0
                let r: UInt64 = instruction.opcode == .i64Add ? a &+ b : instruction.opcode == .i64Sub ? a &- b : a &* b
                stack.append((r, 0))
            default:
                throw Trap(.host("unsupported constant instruction \(instruction.opcode.mnemonic)"))
            }
        }
        return try pop()
    }
}
