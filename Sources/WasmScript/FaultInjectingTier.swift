import WasmInterpreter
import WasmRuntime
import WasmSyntax

/// A deliberately broken engine, for proving that the conformance gate
/// catches a broken engine: it runs another tier and then corrupts what
/// calls return. Tests use it (and `wasmcheck wast --inject-fault`, a hidden
/// option CI uses to check its own gate); nothing else should.
///
/// It changes no configuration and no tier: the fault sits between the
/// runtime and the real tier, so the rest of the run is exactly the
/// correct engine's.
public final class FaultInjectingTier: TierImplementation {
    /// What goes wrong.
    public enum Fault: String, Sendable, CaseIterable {
        /// A call from the host whose only result is an `i32` returns that
        /// value plus one (as a miscompiled `i32.add` might).
        case i32OffByOne = "i32-off-by-one"
        /// Every call from the host traps ("injected fault").
        case trapOnCall = "trap-on-call"
    }

    public let fault: Fault
    private let inner: any TierImplementation

    /// - Parameter tier: a tier of this package (`Interpreter()`).
    public init?(wrapping tier: any ExecutionTier, fault: Fault) {
        guard let inner = tier as? any TierImplementation else { return nil }
        self.inner = inner
        self.fault = fault
    }

    /// The real tier's name: reports and baselines of a faulty run are
    /// compared with the real engine's.
    public var name: String { inner.name }

    package func compile(_ module: WasmSyntax.Module, context: CompilationContext) throws(CompileError) -> any CompiledCode {
        try inner.compile(module, context: context)
    }

    package func invoke(_ function: UnsafeMutablePointer<FunctionHeader>, slots: UnsafeMutablePointer<UInt64>, store: Store) throws(Trap) {
        switch fault {
        case .trapOnCall:
            throw Trap(.host("injected fault"))
        case .i32OffByOne:
            try inner.invoke(function, slots: slots, store: store)
            // Only a lone i32 result is touched: its slot holds a plain
            // number, so corrupting it cannot hurt the host (a reference's
            // slot could).
            if let type = store.types.funcType(function.pointee.typeID), type.results == [.i32] {
                slots[0] = UInt64(UInt32(truncatingIfNeeded: slots[0]) &+ 1)
            }
        }
    }
}
