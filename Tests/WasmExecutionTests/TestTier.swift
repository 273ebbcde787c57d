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
    /// The JIT with every function compiled as a piece of its own, so that
    /// every call between functions goes through `CodeBuffer.link` (modules
    /// this small are one piece with the default size).
    case jitPieces = "jit, a piece per function"

    func make() -> any ExecutionTier {
        switch self {
        case .interpreter: return Interpreter()
        case .jit: return JIT()
        case .jitPieces: return JIT(pieceSize: 1)
        }
    }

    var testDescription: String { rawValue }
}
