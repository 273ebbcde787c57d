import WasmRuntime

/// What `wasmcheck run` prints after a trap's first line: the wasm
/// backtrace in wasmtime's shape (`WasmBacktrace.description`):
///
///     Error: failed to run main module `app.wasm`: wasm trap: integer divide by zero
///     error while executing at wasm backtrace:
///         0:    0x1a2 - <unknown>!divide
///         1:    0x1c0 - <unknown>!main
///         2:    0x2f0 - <unknown>!<wasm function 7>
///
/// The first line stays as it was (scripts such as ci/wasi-c.py read the
/// trap's kind from it). Deep traces (call stack exhaustion) keep their
/// innermost and outermost frames and say how many are left out between.
extension Run {
    /// The most frames printed; deeper traces are cut in the middle.
    static let printedFrames = (innermost: 40, outermost: 10)

    /// The lines after the first for a trap's report; nil when there is
    /// nothing to add.
    func backtraceReport(_ trap: Trap) -> String? {
        guard let backtrace = trap.backtrace, !backtrace.frames.isEmpty else {
            if ["interpreter", "interp", "jit"].contains(engine) { return nil }
            return "note: no wasm backtrace: the \(engine) tier does not report the frames of a trap yet"
        }
        return Self.render(backtrace)
    }

    static func render(_ backtrace: WasmBacktrace) -> String {
        let frames = backtrace.frames
        let (inner, outer) = printedFrames
        guard frames.count > inner + outer + 1 else { return backtrace.description }
        var lines = ["error while executing at wasm backtrace:"]
        for i in 0..<inner { lines.append(WasmBacktrace.line(i, frames[i])) }
        lines.append("       ... \(frames.count - inner - outer) frames left out ...")
        for i in (frames.count - outer)..<frames.count { lines.append(WasmBacktrace.line(i, frames[i])) }
        return lines.joined(separator: "\n")
    }
}
