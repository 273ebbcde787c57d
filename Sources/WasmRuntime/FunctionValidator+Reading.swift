import WasmBinary
import WasmSyntax
import WasmValidation

extension FunctionValidator {
    /// Reads the next instruction of a function body and validates it: the
    /// one pass every tier compiles in (docs/architecture.md, decision 1).
    /// Nil after the body's final `end`, when the body must also be over.
    package mutating func next(from reader: inout InstructionReader) throws(CompileError) -> (instruction: Instruction, offset: Int)? {
        if isFinished {
            guard reader.isAtEnd else {
                throw CompileError(.malformed, DecodingError.Message.sectionSizeMismatch, offset: reader.offset)
            }
            return nil
        }
        guard !reader.isAtEnd else { throw CompileError(.malformed, DecodingError.Message.unexpectedEnd, offset: reader.offset) }
        let offset = reader.offset
        let instruction: Instruction
        do {
            instruction = try reader.read()
        } catch {
            throw CompileError(decodingError: error)
        }
        do {
            try validate(instruction, offset: offset)
        } catch {
            throw CompileError(validationError: error)
        }
        return (instruction, offset)
    }
}

extension ValidationContext {
    /// The parameters and results of a block type.
    package func signature(of blockType: BlockType) -> (params: [ValueType], results: [ValueType]) {
        switch blockType {
        case .empty: return ([], [])
        case .value(let t): return ([], [t])
        case .typeIndex(let i):
            let f = funcType(atTypeIndex: i) ?? FuncType()
            return (f.params, f.results)
        }
    }
}
