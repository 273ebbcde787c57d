import WasmSyntax

/// Prints IR, one instruction per line, for tests and debugging.
enum IRPrinter {
    /// The number of words of the instruction at `code[index]`.
    static func length(_ code: UnsafePointer<UInt64>, _ index: Int) -> Int {
        let w = code[index]
        // A superinstruction's words are its first instruction's (the
        // second one's follow and print on their own line).
        if let length = Fusions.firstLength[IR.op(w).rawValue] { return length }
        switch IR.op(w) {
        case .unreachable, .consumeFuel, .br, .ret, .ret1, .call, .callRef, .returnCall, .returnCallRef, .refAsNonNull, .throwRef, .copy, .copy128, .globalGet, .globalSet,
             .globalGet128, .globalSet128, .memorySize, .dataDrop, .tableSize, .elemDrop, .refFunc, .refIsNull,
             .arrayLen, .refI31, .i31GetS, .i31GetU:
            return 1
        case .brTable:
            return 2 + IR.b(w)
        case .arrayNew, .arrayNewFixed, .arrayNewData, .arrayNewElem, .arrayFill, .arrayCopy, .arrayInitData, .arrayInitElem,
             .brIfCast, .brIfNotCast:
            return 3
        case .const128, .i64Add128, .i64Sub128, .memoryFill, .memoryCopy, .memoryInit, .tableFill, .tableCopy, .tableInit,
             .v128Ternary, .v128ReplaceLane:
            return 3
        case .memoryAccess, .v128Shuffle:
            return 4
        case let op:
            return isUnary(op) ? 1 : 2
        }
    }

    static func isUnary(_ op: Op) -> Bool {
        switch op {
        case .i32Eqz, .i64Eqz, .i32Clz, .i32Ctz, .i32Popcnt, .i64Clz, .i64Ctz, .i64Popcnt,
             .f32Abs, .f32Neg, .f32Ceil, .f32Floor, .f32Trunc, .f32Nearest, .f32Sqrt,
             .f64Abs, .f64Neg, .f64Ceil, .f64Floor, .f64Trunc, .f64Nearest, .f64Sqrt,
             .i32WrapI64, .i32TruncF32S, .i32TruncF32U, .i32TruncF64S, .i32TruncF64U, .i64ExtendI32S, .i64ExtendI32U,
             .i64TruncF32S, .i64TruncF32U, .i64TruncF64S, .i64TruncF64U,
             .f32ConvertI32S, .f32ConvertI32U, .f32ConvertI64S, .f32ConvertI64U, .f32DemoteF64,
             .f64ConvertI32S, .f64ConvertI32U, .f64ConvertI64S, .f64ConvertI64U, .f64PromoteF32,
             .i32Extend8S, .i32Extend16S, .i64Extend8S, .i64Extend16S, .i64Extend32S,
             .i32TruncSatF32S, .i32TruncSatF32U, .i32TruncSatF64S, .i32TruncSatF64U,
             .i64TruncSatF32S, .i64TruncSatF32U, .i64TruncSatF64S, .i64TruncSatF64U:
            return true
        default:
            return false
        }
    }

    /// One line per instruction: `index: op a b [words]`.
    static func lines(_ code: UnsafePointer<UInt64>, count: Int) -> [String] {
        var out: [String] = []
        var i = 0
        while i < count {
            let n = length(code, i)
            let w = code[i]
            var line = "\(i): \(IR.op(w).name) \(IR.a(w)) \(IR.b(w))"
            if IR.op(w) == .br { line = "\(i): br -> \(i + IR.brOffset(w))" }
            for k in 1..<Swift.max(n, 1) where i + k < count {
                line += " [\(Int64(bitPattern: code[i + k]))]"
            }
            out.append(line)
            i += Swift.max(n, 1)
        }
        return out
    }
}

extension InterpreterCode {
    /// The IR of defined function `index`, one instruction per line.
    func disassemble(_ index: Int) -> [String] {
        let f = functions[index]
        return IRPrinter.lines(f.code, count: f.codeCount)
    }
}
