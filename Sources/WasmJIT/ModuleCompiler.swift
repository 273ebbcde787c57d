import Dispatch
import WasmRuntime
import WasmSyntax
import WasmValidation

/// Compiles the defined functions of a module whose module-level
/// validation has passed, in pieces on every core, and joins the pieces
/// into one artifact.
///
/// A piece is a run of consecutive functions with about `pieceSize` bytes
/// of bodies, compiled by its own `MacroAssembler` into its own buffer:
/// calls to a function of another piece stay pending in the buffer and are
/// filled in when the pieces are joined (`CodeBuffer.link`). The pieces
/// depend on the module alone, never on the number of cores, so the same
/// module gives the same code on every machine (the cache and the agent
/// compare artifacts byte for byte).
///
/// Errors are the sequential loop's: the first invalid function (in index
/// order) fails the module; only when every body is valid does the first
/// function the JIT cannot compile fail it (invalid beats unsupported).
///
/// Measured on the 46 Rust WASI programs of Benchmarks/ (3.24 MB of code,
/// best of 5 per module, 2 cores): 0.099 s/MB on one thread, 0.063-0.076
/// in pieces (what stays on one thread is decoding the module, validating
/// its definitions, linking and mapping the code); 0.042-0.047 once the
/// front end's own costs were cut too (README, Benchmarks).
struct ModuleCompiler<Assembler: MacroAssembler> {
    let module: WasmSyntax.Module
    let context: CompilationContext
    /// A backend with nothing emitted yet: every piece starts from a copy.
    let initial: Assembler
    let filler: UInt8
    /// About this many bytes of function bodies make a piece. Smaller
    /// pieces balance the cores better and cost a copy of the trap exits
    /// each; a module below it is one piece, compiled on the calling thread
    /// (`JIT.defaultPieceSize`).
    let pieceSize: Int

    /// Runs of consecutive function indices, each with about `pieceSize`
    /// bytes of bodies (a function is never split).
    static func pieces(of functions: [WasmSyntax.Function], pieceSize: Int) -> [Range<Int>] {
        var pieces: [Range<Int>] = []
        var start = 0, bytes = 0
        for (i, function) in functions.enumerated() {
            bytes += function.body.count
            if bytes >= pieceSize {
                pieces.append(start..<(i + 1))
                start = i + 1
                bytes = 0
            }
        }
        if start < functions.count || pieces.isEmpty { pieces.append(start..<functions.count) }
        return pieces
    }

    /// One piece's code, or the error that fails the module.
    private struct Piece {
        var code: CodeBuffer?
        /// The labels the piece's code uses for functions (its own and the
        /// ones it calls), by defined index.
        var functionLabels: [Int: Label] = [:]
        /// The C entry of each function of the piece, in the piece's code.
        var entries: [Int] = []
        /// The first function of the piece the JIT cannot compile.
        var unsupported: CompileError?
        /// The first invalid function of the piece (decoding and
        /// validation errors: the compilation stopped there).
        var invalid: CompileError?
    }

    func compile(target: JITTarget) throws(CompileError) -> CodeArtifact {
        let ranges = Self.pieces(of: module.functions, pieceSize: pieceSize)
        var pieces = [Piece](repeating: Piece(), count: ranges.count)
        if ranges.count == 1 {
            pieces[0] = compilePiece(ranges[0])
        } else {
            pieces.withUnsafeMutableBufferPointer { results in
                let results = UnsafeSendable(results)
                let compiler = UnsafeSendable(self)
                // Each iteration writes its own element only.
                DispatchQueue.concurrentPerform(iterations: ranges.count) { k in
                    results.value[k] = compiler.value.compilePiece(ranges[k])
                }
            }
        }
        if let invalid = pieces.lazy.compactMap(\.invalid).first { throw invalid }
        if let unsupported = pieces.lazy.compactMap(\.unsupported).first { throw unsupported }
        let (bytes, bases) = CodeBuffer.link(pieces.map { $0.code! }, functionLabels: pieces.map(\.functionLabels),
                                             functionCount: module.functions.count, filler: filler)
        var entries: [Int] = []
        entries.reserveCapacity(module.functions.count)
        for (piece, base) in zip(pieces, bases) {
            entries.append(contentsOf: piece.entries.map { $0 + base })
        }
        return CodeArtifact(target: target, code: bytes, entries: entries)
    }

    private func compilePiece(_ functions: Range<Int>) -> Piece {
        var masm = initial
        let imported = UInt32(truncatingIfNeeded: context.validation.importedFunctionCount)
        var piece = Piece()
        piece.entries.reserveCapacity(functions.count)
        // One compiler for the piece: its storage (the assembler's buffer,
        // the stacks, the validator's) is reused from function to function.
        var compiler: FunctionCompiler<Assembler>?
        for i in functions {
            let function = module.functions[i], index = imported + UInt32(truncatingIfNeeded: i)
            do throws(CompileError) {
                // The C entry starts here; the prologue places the label of
                // the body, where calls from this module go.
                if compiler == nil {
                    piece.entries.append(masm.code.count)
                    compiler = try FunctionCompiler(masm: masm, context: context.validation, configuration: context.configuration,
                                                    function: function, index: index)
                } else {
                    piece.entries.append(compiler!.masm.code.count)
                    try compiler!.start(function, index: index)
                }
                do {
                    try compiler!.compile()
                } catch where error.kind == .unsupported {
                    // The compiler keeps it: later bodies are only validated.
                    piece.unsupported = piece.unsupported ?? error
                }
            } catch {
                piece.invalid = error
                return piece
            }
        }
        if let compiler {
            masm = compiler.masm
            piece.functionLabels = compiler.functionLabels
        }
        masm.finish()
        piece.code = masm.code
        return piece
    }
}

/// A value handed to `DispatchQueue.concurrentPerform`'s iterations, which
/// only read it (or write disjoint elements of a buffer).
private struct UnsafeSendable<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}
