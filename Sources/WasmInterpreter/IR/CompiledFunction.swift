import CWasmInterpreter
import WasmRuntime

/// A translated function, as `FunctionHeader.code` points to it (a C
/// struct, `WCFunction`, so that the C executor can enter it).
typealias CompiledFunction = WCFunction

extension CompiledFunction {
    /// The catch clauses of the function's `try_table`s, innermost region first.
    var handlerClauses: UnsafeMutablePointer<HandlerClause>? {
        handlers?.assumingMemoryBound(to: HandlerClause.self)
    }
}

/// A catch clause of a `try_table`: while the code in `start..<end` runs,
/// an exception that matches goes to `target` with its values written from
/// slot `destination` on.
struct HandlerClause {
    enum Kind: UInt8 {
        case `catch`, catchRef, catchAll, catchAllRef
        /// Legacy `delegate`: handlers of blocks nested deeper than
        /// `delegateDepth` do not see the exception.
        case delegate
    }

    var start: Int
    var end: Int
    var kind: Kind
    /// The tag index (for `catch` and `catchRef`).
    var tag: Int
    /// Code offset of the label's continuation.
    var target: Int
    var destination: Int
    /// The control depth of the block the clause belongs to (for `delegate`).
    var depth: Int = 0
    /// For a legacy `delegate`: the depth of the label it names.
    var delegateDepth: Int = 0
    /// For a legacy `catch`: where the exception is kept for `rethrow` (-1: nowhere).
    var exceptionSlot: Int = -1
}

/// The interpreter's code for one module: the IR of every defined function.
final class InterpreterCode: CompiledCode {
    let functions: UnsafeMutablePointer<CompiledFunction>
    let count: Int
    /// For backtraces: each defined function's `SourceMap` and the module
    /// offset of its body.
    let sourceMaps: [[UInt64]]
    let bodyOffsets: [Int]

    init(_ translated: [TranslatedFunction], bodyOffsets: [Int]) {
        count = translated.count
        sourceMaps = translated.map(\.sourceMap)
        self.bodyOffsets = bodyOffsets
        functions = .allocate(capacity: Swift.max(count, 1))
        for (i, t) in translated.enumerated() {
            let code = UnsafeMutablePointer<UInt64>.allocate(capacity: Swift.max(t.code.count, 1))
            code.initialize(from: t.code, count: t.code.count)
            var handlers: UnsafeMutablePointer<HandlerClause>?
            if !t.handlers.isEmpty {
                handlers = .allocate(capacity: t.handlers.count)
                handlers!.initialize(from: t.handlers, count: t.handlers.count)
            }
            (functions + i).initialize(to: CompiledFunction(
                code: code, codeCount: t.code.count, frameSlots: t.frameSlots,
                parameterSlots: t.parameterSlots, localSlots: t.localSlots, resultSlots: t.resultSlots,
                handlers: handlers.map { UnsafeMutableRawPointer($0) }, handlerCount: t.handlers.count))
        }
    }

    deinit {
        for i in 0..<count {
            functions[i].code.deallocate()
            functions[i].handlerClauses?.deallocate()
        }
        functions.deallocate()
    }

    func entry(ofDefinedFunction index: Int) -> UnsafeRawPointer {
        UnsafeRawPointer(functions + index)
    }

    /// The index among the defined functions of a function of this code, or
    /// nil when `function` is not one of them.
    func definedIndex(of function: UnsafePointer<CompiledFunction>) -> Int? {
        let index = function - UnsafePointer(functions)
        return index >= 0 && index < count ? index : nil
    }
}
