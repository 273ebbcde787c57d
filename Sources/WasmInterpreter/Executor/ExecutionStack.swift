import WasmRuntime

/// The stacks of one store: the value stack (frames of 64-bit slots) and
/// the frame stack that records where to return. WebAssembly calls push
/// frames here instead of recursing on the native stack.
final class ExecutionStack {
    let slots: UnsafeMutablePointer<UInt64>
    let end: UnsafeMutablePointer<UInt64>
    let frames: UnsafeMutablePointer<Frame>
    let maxFrames: Int
    var frameCount = 0
    /// Where a new invocation's frame starts (above a host call's slots
    /// when the host calls back into WebAssembly).
    var top: UnsafeMutablePointer<UInt64>

    init(configuration: EngineConfiguration) {
        let count = Swift.max(configuration.valueStackSlots, 1024)
        // Large allocations are mapped lazily by the C allocator, so an
        // unused stack costs address space, not memory.
        slots = .allocate(capacity: count)
        end = slots + count
        top = slots
        maxFrames = Swift.max(configuration.maxCallDepth, 1)
        frames = .allocate(capacity: maxFrames)
    }

    deinit {
        slots.deallocate()
        frames.deallocate()
    }
}

/// A suspended caller.
struct Frame {
    /// Where to continue; nil when the frame was entered from the host.
    var returnPC: UnsafeMutablePointer<UInt64>?
    var sp: UnsafeMutablePointer<UInt64>
    var instance: UnsafeMutablePointer<InstanceContext>
    /// The function entered when this record was pushed (the callee): the
    /// frame stack's top record names the running function, which
    /// exception handling needs.
    var function: UnsafePointer<CompiledFunction>
}
