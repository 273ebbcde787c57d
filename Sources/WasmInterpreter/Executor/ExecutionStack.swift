import CWasmInterpreter
import WasmRuntime

/// The stacks of one store: the value stack (frames of 64-bit slots) and
/// the frame stack that records where to return. WebAssembly calls push
/// frames here instead of recursing on the native stack. The frame stack
/// is a C struct (`WCStack`) shared with the C executor.
final class ExecutionStack {
    let slots: UnsafeMutablePointer<UInt64>
    let end: UnsafeMutablePointer<UInt64>
    let frames: UnsafeMutablePointer<Frame>
    let maxFrames: Int
    /// What the C executor sees: the frames, their count and the value stack's end.
    let raw: UnsafeMutablePointer<WCStack>
    /// Where a new invocation's frame starts (above a host call's slots
    /// when the host calls back into WebAssembly).
    var top: UnsafeMutablePointer<UInt64>

    var frameCount: Int {
        get { raw.pointee.frameCount }
        set { raw.pointee.frameCount = newValue }
    }

    /// The frame limit is the store's call depth limit (counted in wasm
    /// frames, the same in every tier).
    init(configuration: EngineConfiguration, runtime: UnsafeMutablePointer<VMRuntime>) {
        let count = Swift.max(configuration.valueStackSlots, 1024)
        // Large allocations are mapped lazily by the C allocator, so an
        // unused stack costs address space, not memory.
        slots = .allocate(capacity: count)
        end = slots + count
        top = slots
        maxFrames = runtime.pointee.callDepthLimit
        frames = .allocate(capacity: maxFrames)
        raw = .allocate(capacity: 1)
        raw.initialize(to: WCStack(frames: frames, frameCount: 0, maxFrames: maxFrames, end: end))
    }

    deinit {
        slots.deallocate()
        frames.deallocate()
        raw.deallocate()
    }
}

/// A suspended caller (a C struct, `WCFrame`, shared with the C executor):
/// where to continue (nil when the frame was entered from the host), the
/// caller's frame and instance, and the function entered when the record
/// was pushed (the callee), so that the top record names the running
/// function, which exception handling needs.
typealias Frame = WCFrame
