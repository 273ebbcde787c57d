import WasmRuntime

/// A translated function, as `FunctionHeader.code` points to it.
struct CompiledFunction {
    /// The first instruction.
    var code: UnsafeMutablePointer<UInt64>
    var codeCount: Int
    /// Slots the frame needs: locals, the operand stack, and the start of
    /// callee frames.
    var frameSlots: Int
    var parameterSlots: Int
    /// Parameters and declared locals; the declared ones are zeroed on entry.
    var localSlots: Int
    var resultSlots: Int
}

/// The interpreter's code for one module: the IR of every defined function.
final class InterpreterCode: CompiledCode {
    let functions: UnsafeMutablePointer<CompiledFunction>
    let count: Int

    init(_ translated: [TranslatedFunction]) {
        count = translated.count
        functions = .allocate(capacity: Swift.max(count, 1))
        for (i, t) in translated.enumerated() {
            let code = UnsafeMutablePointer<UInt64>.allocate(capacity: Swift.max(t.code.count, 1))
            code.initialize(from: t.code, count: t.code.count)
            (functions + i).initialize(to: CompiledFunction(
                code: code, codeCount: t.code.count, frameSlots: t.frameSlots,
                parameterSlots: t.parameterSlots, localSlots: t.localSlots, resultSlots: t.resultSlots))
        }
    }

    deinit {
        for i in 0..<count { functions[i].code.deallocate() }
        functions.deallocate()
    }

    func entry(ofDefinedFunction index: Int) -> UnsafeRawPointer {
        UnsafeRawPointer(functions + index)
    }
}
