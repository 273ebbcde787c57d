import WasmSyntax

/// Reading immediates out of an `Instruction`. The binary reader always
/// produces the shape the opcode's `ImmediateKind` prescribes; an AST built
/// by hand may leave out a memory or table index that defaults to 0 (as
/// `BinaryWriter` does).
extension FunctionValidator {
    func badImmediate(_ instruction: Instruction, offset: Int) -> ValidationError {
        ValidationError("malformed immediate for \(instruction.opcode.mnemonic)", offset: offset)
    }

    func index(_ instruction: Instruction, offset: Int) throws(ValidationError) -> UInt32 {
        switch instruction.immediate {
        case .index(let x): return x
        case .none:
            switch instruction.opcode.immediateKind {
            case .memory, .table: return 0
            default: throw badImmediate(instruction, offset: offset)
            }
        default: throw badImmediate(instruction, offset: offset)
        }
    }

    func indexPair(_ instruction: Instruction, offset: Int) throws(ValidationError) -> (UInt32, UInt32) {
        switch instruction.immediate {
        case .indexPair(let a, let b): return (a, b)
        case .index(let a):
            // The second index is a memory or table that defaults to 0.
            switch instruction.opcode.immediateKind {
            case .callIndirect, .memoryInit, .tableInit: return (a, 0)
            default: throw badImmediate(instruction, offset: offset)
            }
        case .none:
            switch instruction.opcode.immediateKind {
            case .memoryCopy, .tableCopy: return (0, 0)
            default: throw badImmediate(instruction, offset: offset)
            }
        default: throw badImmediate(instruction, offset: offset)
        }
    }

    func blockType(_ instruction: Instruction, offset: Int) throws(ValidationError) -> BlockType {
        switch instruction.immediate {
        case .block(let bt): return bt
        case .tryTable(let bt, _): return bt
        case .none: return .empty
        default: throw badImmediate(instruction, offset: offset)
        }
    }

    func memarg(_ instruction: Instruction, offset: Int) throws(ValidationError) -> MemArg {
        switch instruction.immediate {
        case .memarg(let m): return m
        case .memargLane(let m, _): return m
        default: throw badImmediate(instruction, offset: offset)
        }
    }

    func heapType(_ instruction: Instruction, offset: Int) throws(ValidationError) -> HeapType {
        guard case .heapType(let h) = instruction.immediate else { throw badImmediate(instruction, offset: offset) }
        return h
    }

    func lane(_ instruction: Instruction, offset: Int) throws(ValidationError) -> UInt8 {
        switch instruction.immediate {
        case .lane(let l): return l
        case .memargLane(_, let l): return l
        default: throw badImmediate(instruction, offset: offset)
        }
    }
}
