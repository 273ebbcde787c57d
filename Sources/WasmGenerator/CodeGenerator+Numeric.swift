import WasmSyntax

/// Instructions with a fixed signature (`Opcode.signature`): numeric,
/// vector, and `ref.i31`.
extension CodeGenerator {
    mutating func fixed() -> Bool {
        var classes: [InstructionClass] = []
        for c in [InstructionClass.integer, .float, .conversion, .vector, .relaxedVector]
        where env.allows(c) && !env.fixedOpcodes[c.rawValue].isEmpty {
            classes.append(c)
        }
        guard let c = u.choose(classes) else { return false }
        return fixed(from: env.fixedOpcodes[c.rawValue])
    }

    /// One instruction of `ops`, preferring those whose operands are on
    /// the stack already.
    mutating func fixed(from ops: [Opcode]) -> Bool {
        guard !ops.isEmpty else { return false }
        var op = ops[u.index(ops.count)]
        if u.chance(3, 4) {
            var ready: [Opcode] = []
            for candidate in ops {
                if let sig = candidate.signature, !sig.params.isEmpty, canPop(sig.params) { ready.append(candidate) }
            }
            if let r = u.choose(ready) { op = r }
        }
        return emitFixed(op)
    }

    mutating func emitFixed(_ op: Opcode) -> Bool {
        guard let sig = op.signature, prepare(sig.params) else { return false }
        if env.config.noTraps { guardOperands(of: op) }
        emit(op, fixedImmediate(op))
        pop(sig.params.count)
        push(sig.results)
        if env.config.canonicalizeNaNs { canonicalizeNaN(after: op) }
        return true
    }

    /// The immediate of a fixed-signature instruction.
    mutating func fixedImmediate(_ op: Opcode) -> Immediate {
        switch op.immediateKind {
        case .lane:
            return .lane(UInt8(u.index(Self.laneCount(op))))
        case .shuffle:
            var lanes: [UInt8] = []
            for _ in 0..<16 { lanes.append(UInt8(u.index(32))) }
            return .v128(V128(bytes: lanes))
        case .i32: return .i32(u.interestingI32())
        case .i64: return .i64(u.interestingI64())
        case .f32: return .f32(u.interestingF32())
        case .f64: return .f64(u.interestingF64())
        case .v128: return .v128(V128(lo: u.u64(), hi: u.u64()))
        default: return .none
        }
    }

    /// The number of lanes of a lane instruction, from its shape.
    static func laneCount(_ op: Opcode) -> Int {
        let shape = op.mnemonic.prefix(5)
        switch shape {
        case "i8x16": return 16
        case "i16x8": return 8
        case "i32x4", "f32x4": return 4
        default: return 2
        }
    }
}
