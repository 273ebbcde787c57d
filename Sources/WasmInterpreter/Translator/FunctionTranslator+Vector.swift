import WasmSyntax

extension FunctionTranslator {
    /// SIMD instructions (other than memory accesses): a handful of IR
    /// shapes that carry the wasm opcode for `VectorOps` to evaluate.
    mutating func translateVector(_ instruction: Instruction) -> Bool {
        let opcode = instruction.opcode
        guard opcode.prefix == 0xFD, let signature = opcode.signature, let result = signature.results.first else { return false }
        let code = UInt64(opcode.rawValue)
        switch instruction.immediate {
        case .v128(let lanes):
            guard opcode == .i8x16Shuffle else { return false }
            let b = pop()
            let a = pop()
            let bs = slot(of: b)
            let s = slot(of: a)
            emitResult(IR.word(.v128Shuffle, a.home, s), UInt64(bs), lanes.lo, lanes.hi, slot: a.home)
        case .lane(let lane):
            if signature.params.count == 1 {
                let v = pop()
                let s = slot(of: v)
                emitResult(IR.word(.v128ExtractLane, v.home, s), code | UInt64(lane) << 32, slot: v.home)
            } else {
                let x = pop()
                let v = pop()
                let xs = slot(of: x)
                let s = slot(of: v)
                emitResult(IR.word(.v128ReplaceLane, v.home, s), UInt64(xs) | code << 32, UInt64(lane), slot: v.home)
            }
        case .none:
            let params = signature.params
            switch params.count {
            case 1 where params[0] == .v128:
                let v = pop()
                let s = slot(of: v)
                emitResult(IR.word(result == .v128 ? .v128Unary : .v128Test, v.home, s), code, slot: v.home)
            case 1:
                let x = pop()
                let s = slot(of: x)
                emitResult(IR.word(.v128Splat, x.home, s), code, slot: x.home)
            case 2:
                let y = pop()
                let x = pop()
                let ys = slot(of: y)
                let xs = slot(of: x)
                let op: Op = params[1] == .v128 ? .v128Binary : .v128Shift
                emitResult(IR.word(op, x.home, xs), UInt64(ys) | code << 32, slot: x.home)
            case 3:
                let z = pop()
                let y = pop()
                let x = pop()
                let zs = slot(of: z)
                let ys = slot(of: y)
                let xs = slot(of: x)
                emitResult(IR.word(.v128Ternary, x.home, xs), IR.pair(ys, zs), code, slot: x.home)
            default:
                return false
            }
        default:
            return false
        }
        push(result, .temp)
        return true
    }
}
