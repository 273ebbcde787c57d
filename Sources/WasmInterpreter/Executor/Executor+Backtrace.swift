import CWasmInterpreter
import WasmRuntime

/// Trap backtraces (`Trap.backtrace`). The frame stack already holds what
/// a backtrace needs, so nothing is recorded while code runs: when a trap
/// leaves `Executor.run`, the records of that invocation are read, top
/// down. Record `i` names the function running at depth `i`; the record
/// above it holds that function's instance (the caller's context saved by
/// the call) and where it continues (the word after its call); the top
/// function's are the executor's state. Each IR position maps back to a
/// wasm byte offset through the function's `SourceMap`.
extension Executor {
    /// `trap` with the frames of this invocation (records `entryFrames...`)
    /// added below the frames it has (those of invocations it left already,
    /// innermost first). `pc` and `context` are the top function's.
    @inline(never)
    static func backtraced(_ trap: Trap, pc: UnsafeMutablePointer<UInt64>, context: UnsafeMutablePointer<InstanceContext>,
                           stack: ExecutionStack, entryFrames: Int) -> Trap {
        let top = stack.frameCount - 1
        guard top >= entryFrames else { return trap }
        var trap = trap
        var frames: [WasmFrame] = []
        frames.reserveCapacity(top - entryFrames + 1)
        var symbolizer = BacktraceSymbolizer()
        var i = top
        while i >= entryFrames {
            let function = stack.frames[i].function
            let ctx: UnsafeMutablePointer<InstanceContext>
            let at: UnsafeMutablePointer<UInt64>
            if i == top {
                ctx = context
                at = trappingInstruction(pc)
            } else {
                let above = stack.frames[i + 1]
                ctx = above.context
                // A word of the call instruction (returnPC is the word after it).
                at = (above.returnPC ?? function.pointee.code + 1) - 1
            }
            if let frame = frame(function, at: at, context: ctx, symbolizer: &symbolizer) { frames.append(frame) }
            i -= 1
        }
        trap.appendFrames(frames)
        return trap
    }

    /// The frame of `function` (running in `context`) at the IR word `at`;
    /// nil when `function` is not code of `context`'s module.
    static func frame(_ function: UnsafePointer<CompiledFunction>, at: UnsafeMutablePointer<UInt64>,
                      context: UnsafeMutablePointer<InstanceContext>, symbolizer: inout BacktraceSymbolizer) -> WasmFrame? {
        guard let entity = context.pointee.entity else { return nil }
        let module = Unmanaged<InstanceEntity>.fromOpaque(entity).takeUnretainedValue().module
        guard let code = module.code as? InterpreterCode, let defined = code.definedIndex(of: function) else { return nil }
        let index = UInt32(truncatingIfNeeded: module.validation.importedFunctionCount + defined)
        let offset = SourceMap.offset(in: code.sourceMaps[defined], at: at - function.pointee.code)
        return symbolizer.frame(in: module, functionIndex: index, moduleOffset: offset, functionStart: code.bodyOffsets[defined])
    }

    /// The instruction that trapped at `pc`. A superinstruction traps at its
    /// first word whichever half trapped: when its first half cannot trap
    /// (an add before a load or a call), it was the second.
    static func trappingInstruction(_ pc: UnsafeMutablePointer<UInt64>) -> UnsafeMutablePointer<UInt64> {
        guard let fusion = fusionsByOp[UInt16(truncatingIfNeeded: pc.pointee)] else { return pc }
        return firstMayTrap(fusion.first) ? pc : pc + Int(fusion.firstLength)
    }

    /// The superinstructions by their operation.
    static let fusionsByOp: [UInt16: WCFusion] = {
        var byOp: [UInt16: WCFusion] = [:]
        for f in Fusions.table.values { byOp[f.fused] = f }
        return byOp
    }()

    /// Whether an operation that starts a superinstruction can trap: memory
    /// accesses, integer division and float-to-integer truncation.
    static func firstMayTrap(_ op: UInt16) -> Bool {
        let name = String(cString: wc_op_name(op))
        if name.contains("Load") || name.contains("Store") { return true }
        if name.hasPrefix("i32Div") || name.hasPrefix("i64Div") || name.hasPrefix("i32Rem") || name.hasPrefix("i64Rem") { return true }
        return name.hasPrefix("i32TruncF") || name.hasPrefix("i64TruncF")
    }
}
