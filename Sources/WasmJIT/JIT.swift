import CWasmVM
import WasmRuntime
import WasmSyntax
import WasmValidation

/// The single-pass JIT tier: compiles each function to machine code for
/// the host (x86-64 for now) as it validates it, and runs it on the same
/// runtime layout as the interpreter (CWasmVM.h).
///
///     let engine = Engine(tier: JIT())
///
/// A function it cannot compile fails the module's compilation with an
/// error naming the instruction: no silent fallback to the interpreter.
public final class JIT: TierImplementation {
    public let name = "jit"

    /// About how many bytes of function bodies the JIT compiles as one
    /// piece, on one core (`ModuleCompiler`).
    package let pieceSize: Int

    public init() { pieceSize = Self.defaultPieceSize }

    /// A JIT that compiles pieces of about `pieceSize` bytes of bodies (1:
    /// every function alone, so every call between functions is linked:
    /// the tests' setting).
    package init(pieceSize: Int) { self.pieceSize = pieceSize }

    /// Pieces of 16 KiB: the Rust WASI programs of Benchmarks/ (functions
    /// of 90 bytes at the median, 8.5 KB at most) split into about five
    /// per module; a module with less is compiled on the calling thread.
    package static let defaultPieceSize = 16 * 1024

    /// The compiled-module cache this tier reads and writes (JIT+Cache.swift);
    /// nil: every module is compiled. Set once, by `init(cache:)`.
    public nonisolated(unsafe) private(set) var cache: ModuleCache?

    /// A JIT whose modules' code is kept in `cache` and taken from it when
    /// the same module is compiled again with the same configuration.
    public init(cache: ModuleCache?) {
        self.cache = cache
        pieceSize = Self.defaultPieceSize
    }

    package func compile(_ module: WasmSyntax.Module, context: CompilationContext) throws(CompileError) -> any CompiledCode {
        if let cache { return try compile(module, context: context, cache: cache) }
        #if arch(x86_64)
        let artifact = try Self.compileArtifact(module, context: context, target: .x86_64, pieceSize: pieceSize)
        #else
        throw CompileError(.unsupported, "jit: no backend for this host architecture yet", offset: 0)
        #endif
        do {
            return JITCode(memory: try ExecutableMemory(copying: artifact.code), entries: artifact.entries)
        } catch {
            throw CompileError(.unsupported, "jit: cannot map code memory (\(error))", offset: 0)
        }
    }

    /// Compiles every function of a module whose module-level validation
    /// has passed to position-independent code for `target` (decision 4):
    /// what the in-process tier maps executable, and what the agent loads
    /// for another process or architecture (docs/agent-protocol.md).
    package static func compileArtifact(_ module: WasmSyntax.Module, context: CompilationContext,
                                        target: JITTarget, plantedFault: PlantedBackendFault? = nil,
                                        pieceSize: Int = defaultPieceSize) throws(CompileError) -> CodeArtifact {
        switch target {
        case .x86_64:
            if let missing = X64Features.host.missingBaseline {
                throw CompileError(.unsupported, "jit: the x86-64 JIT needs \(missing), which this CPU lacks", offset: 0)
            }
            return try compileArtifact(module, context: context, target: target, masm: X64MacroAssembler(plantedFault: plantedFault), pieceSize: pieceSize)
        case .aarch64:
            return try compileArtifact(module, context: context, target: target, masm: A64MacroAssembler(plantedFault: plantedFault), pieceSize: pieceSize)
        }
    }

    private static func compileArtifact<Assembler: MacroAssembler>(
        _ module: WasmSyntax.Module, context: CompilationContext, target: JITTarget, masm initial: Assembler, pieceSize: Int
    ) throws(CompileError) -> CodeArtifact {
        // Gaps between pieces: int3 on x86-64; udf #0 words on AArch64.
        let filler: UInt8 = target == .x86_64 ? 0xCC : 0
        return try ModuleCompiler(module: module, context: context, initial: initial, filler: filler, pieceSize: pieceSize)
            .compile(target: target)
    }

    /// The C signature of every compiled function (the x86-64 backend's
    /// convention): the callee's vmctx and frame; the trap code back.
    private typealias Entry = @convention(c) (UnsafeMutableRawPointer, UnsafeMutablePointer<UInt64>) -> Int32

    package func invoke(_ function: UnsafeMutablePointer<FunctionHeader>, slots: UnsafeMutablePointer<UInt64>, store: Store) throws(Trap) {
        guard let code = function.pointee.code, let instance = function.pointee.instance else { throw Trap(.typeMismatch) }
        let stack = JITStack.of(store)
        // Within a host call from code, a nested invocation starts above
        // the caller's frames.
        let base = store.codeFrameTop ?? stack.slots
        let parameterSlots = Int(function.pointee.parameterSlots), resultSlots = Int(function.pointee.resultSlots)
        guard Swift.max(parameterSlots, resultSlots) <= stack.end - base else { throw Trap(.callStackExhausted) }
        base.update(from: slots, count: parameterSlots)

        let runtime = store.runtime
        let depth = runtime.pointee.callDepth
        let outermost = runtime.pointee.nativeStackLimit == nil
        if outermost { runtime.pointee.nativeStackLimit = NativeStack.limit() }
        defer { if outermost { runtime.pointee.nativeStackLimit = nil } }

        let entry = unsafeBitCast(code, to: Entry.self)
        let result = entry(UnsafeMutableRawPointer(instance), base)
        if result != 0 {
            // Trapping frames leave the depth as it was at the trap (the
            // entry restores it), so the frame trail still names them; a
            // thrown exception counts its frames off as it leaves them.
            let frames = result == VMTrapCode.exceptionThrown.rawValue
                ? [] : Self.trappedFrames(runtime, trapDepth: runtime.pointee.callDepth, entryDepth: depth)
            runtime.pointee.callDepth = depth
            if var trap = store.pendingTrap {
                store.pendingTrap = nil
                trap.appendFrames(frames)
                throw trap
            }
            if result == VMTrapCode.exceptionThrown.rawValue {
                // No handler in this invocation (exceptions do not cross
                // host frames, as in the interpreter).
                throw Trap(.uncaughtException)
            }
            guard let code = VMTrapCode(rawValue: result), let kind = TrapKind(code) else {
                throw Trap(.host("jit: unknown trap code \(result)"))
            }
            var trap = Trap(kind)
            trap.appendFrames(frames)
            throw trap
        }
        slots.update(from: base, count: resultSlots)
    }
}

/// The native stack of the running thread, for the JIT's stack check.
enum NativeStack {
    /// Room left below the limit for host functions that code calls (and
    /// the Swift frames they run): they run below the code's frames.
    static let hostReserve = 256 << 10

    /// The lowest address code may use on this thread (nil when unknown:
    /// no check).
    static func limit() -> UnsafeRawPointer? {
        var size: UInt = 0
        guard let low = wvm_thread_stack_low(&size) else { return nil }
        return UnsafeRawPointer(low + Swift.min(hostReserve, Int(size) / 2))
    }
}

/// The JIT's code for one module: mapped executable, with each defined
/// function's entry.
final class JITCode: CompiledCode {
    let memory: ExecutableMemory
    let entries: [Int]

    init(memory: ExecutableMemory, entries: [Int]) {
        self.memory = memory
        self.entries = entries
    }

    func entry(ofDefinedFunction index: Int) -> UnsafeRawPointer {
        UnsafeRawPointer(memory.base + entries[index])
    }
}

/// The value stack of one store for JIT code: frames of 64-bit slots,
/// scanned by the collector up to the frames that are active.
final class JITStack: ValueStackRoots {
    let slots: UnsafeMutablePointer<UInt64>
    let end: UnsafeMutablePointer<UInt64>
    unowned let store: Store

    private init(store: Store) {
        let count = Swift.max(store.engine.configuration.valueStackSlots, 1024)
        // Large allocations are mapped lazily, so an unused stack costs
        // address space, not memory.
        slots = .allocate(capacity: count)
        end = slots + count
        self.store = store
        store.runtime.pointee.valueStackEnd = UnsafePointer(end)
    }

    static func of(_ store: Store) -> JITStack {
        if let existing = store.tierState as? JITStack { return existing }
        let stack = JITStack(store: store)
        store.tierState = stack
        return stack
    }

    deinit { slots.deallocate() }

    func slotsInUse(runningFrame: UnsafeMutablePointer<UInt64>?) -> UnsafeBufferPointer<UInt64> {
        // Code reaches the store (and so the collector) through host calls,
        // which mark the end of the calling frames, and through allocations,
        // which pass the end of the live slots of the running frame.
        let top = Swift.max(store.codeFrameTop ?? slots, runningFrame ?? slots)
        return UnsafeBufferPointer(start: slots, count: Swift.min(top, end) - slots)
    }
}

extension JIT {
    /// The frames of a trap, innermost first, from the runtime's frame
    /// trail (CWasmVM.h): code records its vmctx and function index on
    /// entry at every depth, so depths `entryDepth + 1 ... trapDepth` are
    /// this invocation's frames. Functions and modules are named from the
    /// name section; there are no code offsets (the JIT keeps no map from
    /// native code back to wasm bytes). Past the trail's 4,096 entries the
    /// outer frames are not known.
    static func trappedFrames(_ runtime: UnsafeMutablePointer<VMRuntime>, trapDepth: Int, entryDepth: Int) -> [WasmFrame] {
        guard let trail = runtime.pointee.frameTrail, trapDepth > entryDepth else { return [] }
        let mask = Int(WVM_FRAME_TRAIL_MASK)
        var symbolizer = BacktraceSymbolizer()
        var frames: [WasmFrame] = []
        var depth = trapDepth
        while depth > entryDepth && trapDepth - depth <= mask {
            let at = 2 * (depth & mask)
            if let vmctx = UnsafeMutablePointer<InstanceContext>(bitPattern: UInt(trail[at])), let entity = vmctx.pointee.entity {
                let module = Unmanaged<InstanceEntity>.fromOpaque(entity).takeUnretainedValue().module
                frames.append(symbolizer.frame(in: module, functionIndex: UInt32(truncatingIfNeeded: trail[at + 1]),
                                               moduleOffset: nil, functionStart: nil))
            }
            depth -= 1
        }
        return frames
    }
}
