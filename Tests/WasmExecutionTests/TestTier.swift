import Testing
import WasmInterpreter
import WasmJIT
import WasmRuntime

/// Every in-process execution tier. The tests of this target are about
/// WebAssembly semantics, not about one tier, so each runs on every case:
/// a new tier is added here and gets all of them.
enum TestTier: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case interpreter
    case jit

    func make() -> any ExecutionTier {
        switch self {
        case .interpreter: return Interpreter()
        case .jit: return JIT()
        }
    }

    var testDescription: String { rawValue }
}
