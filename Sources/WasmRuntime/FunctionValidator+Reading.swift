import WasmBinary
import WasmSyntax
import WasmValidation

extension FunctionValidator {
    /// Reads the next instruction of a function body and validates it: the
    /// one pass every tier compiles in (docs/architecture.md, decision 1).
    /// Called while `isFinished` is false; then `checkEnd(of:)`.
    ///
    ///     while !validator.isFinished {
    ///         let offset = reader.offset
    ///         let instruction = try validator.read(from: &reader)
    ///         ...
    ///     }
    ///     try validator.checkEnd(of: reader)
    ///
    /// (An optional (instruction, offset) pair as the answer cost the JIT 5%
    /// of its compile time: the optimizer left its destruction to a merged
    /// generic function that asks the runtime for the tuple's layout.)
    @inline(__always)
    package mutating func read(from reader: inout InstructionReader) throws(CompileError) -> Instruction {
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
        return instruction
    }

    /// After the body's final `end`, the body must be over.
    package func checkEnd(of reader: InstructionReader) throws(CompileError) {
        guard reader.isAtEnd else {
            throw CompileError(.malformed, DecodingError.Message.sectionSizeMismatch, offset: reader.offset)
        }
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
