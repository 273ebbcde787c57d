import CWasmVM
import WasmSyntax

/// Owns all runtime objects: instances and the functions, tables, memories,
/// globals and tags they define or the host creates, which live as long as
/// their store, and the GC objects and exceptions of running code, which
/// its garbage collector frees once they are unreachable
/// (Store+GarbageCollection.swift). A store is not thread-safe: use it from
/// one thread at a time.
public final class Store {
    public let engine: Engine

    package var instances: [InstanceEntity] = []
    /// Entities created by the host (instances own the ones they define).
    package var hostFunctions: [FunctionEntity] = []
    package var hostTables: [TableEntity] = []
    package var hostMemories: [MemoryEntity] = []
    package var hostGlobals: [GlobalEntity] = []
    package var hostTags: [TagEntity] = []

    /// Canonical type IDs of every type registered in this store.
    package var types = TypeRegistry()

    /// Host values (`Reference.extern`) seen so far; a reference slot holds
    /// the index of its payload (see `ReferenceBits`).
    package var hostValues: [UInt64] = []
    package var hostValueIndices: [UInt64: Int] = [:]

    /// Every GC object (`ObjectLayout`) and exception object
    /// (`ExceptionLayout`), by the address code sees (the allocation starts
    /// `HeapHeader.words` earlier). The first `sortedHeapObjects` are the
    /// survivors of the last collection, in address order; later
    /// allocations follow unsorted. Unreachable ones are freed by the
    /// collector (Store+GarbageCollection.swift).
    var heapObjects: [UnsafeMutablePointer<UInt64>] = []
    var sortedHeapObjects = 0
    /// Bytes taken by `heapObjects` (hidden words included), reachable or
    /// not yet swept; at most `EngineConfiguration.maxHeapBytes`.
    package internal(set) var heapBytes: UInt64 = 0
    /// Bytes that may still be allocated before the next collection: the
    /// allocation fast path is a check and a subtraction of this counter.
    var allocationBudget: UInt64
    /// While positive, allocations never collect (see
    /// `deferringCollections`): the caller holds references the collector
    /// cannot see.
    var collectionDeferrals = 0
    /// References handed to the host (`reference(bits:type:)`): roots for
    /// as long as the store lives (see Store+GarbageCollection.swift).
    var pinnedReferences: Set<UInt64> = []
    /// Counters of the collector (see `HeapStatistics`).
    var collectorCounters = HeapStatistics()
    /// The collector's work list and per-type trace maps, kept between
    /// collections.
    var markStack: [UnsafeMutablePointer<UInt64>] = []
    var traceMaps: [TraceMap?] = []

    /// The state that code of all the store's instances shares (CWasmVM.h):
    /// fuel, the call depth and its limit, the trap code and the builtins.
    /// Every `InstanceContext` of the store points to it.
    package let runtime: UnsafeMutablePointer<VMRuntime>

    /// Fuel left, when the engine consumes fuel (the runtime's counter).
    /// Tiers that count it elsewhere while they run write it back when they
    /// return to the host.
    public var fuel: UInt64 {
        get { runtime.pointee.fuel }
        set { runtime.pointee.fuel = newValue }
    }

    /// Per-store state of the tier (its stacks), created on first use. The
    /// collector scans it for roots when it conforms to `ValueStackRoots`.
    package var tierState: AnyObject?

    /// The trap that ended a host call made by compiled code (the
    /// `callHost` builtin), which the code can only pass on as a code: the
    /// tier's entry rethrows it, message and all.
    package var pendingTrap: Trap?
    /// While compiled code calls the host: the end of the caller's frame
    /// (the callee's slots), above which a nested invocation starts.
    package var codeFrameTop: UnsafeMutablePointer<UInt64>?

    /// How many invocations are active (host -> wasm -> host -> wasm ...).
    package var invocationDepth = 0
    /// Re-entrant invocations nest on the native stack, so they are capped.
    package static let maxInvocationDepth = 200

    /// The words of `VMRuntime.frameTrail`: two per depth, for depths
    /// modulo `WVM_FRAME_TRAIL_MASK + 1` (CWasmVM.h).
    package static let frameTrailWords = 2 * (Int(WVM_FRAME_TRAIL_MASK) + 1)

    public init(engine: Engine) {
        self.engine = engine
        allocationBudget = Swift.min(Store.minimumCollectionThreshold, engine.configuration.maxHeapBytes)
        let builtins = UnsafeMutablePointer<VMBuiltins>.allocate(capacity: 1)
        builtins.initialize(to: VMBuiltins.runtime)
        runtime = .allocate(capacity: 1)
        let trail = UnsafeMutablePointer<UInt64>.allocate(capacity: Store.frameTrailWords)
        trail.initialize(repeating: 0, count: Store.frameTrailWords)
        runtime.initialize(to: VMRuntime(
            fuel: 0, callDepth: 0, callDepthLimit: Swift.max(engine.configuration.maxCallDepth, 1),
            nativeStackLimit: nil, valueStackEnd: nil, trapCode: 0, exception: 0, builtins: builtins, store: nil,
            frameTrail: trail))
        runtime.pointee.store = UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        UnsafeMutablePointer(mutating: runtime.pointee.builtins).deallocate()
        runtime.pointee.frameTrail?.deallocate()
        runtime.deallocate()
        for object in heapObjects { (object - HeapHeader.words).deallocate() }
    }

    /// Creates a GC object of type `typeID` with `slots` zeroed field or
    /// element slots. May collect garbage first: `runningFrame` is the
    /// running WebAssembly frame when a tier allocates for its code (nil
    /// otherwise), so that the tier can tell which of its slots are in use.
    /// Traps when the heap limit would be exceeded even after a collection.
    package func allocateObject(typeID: Int, length: UInt64, slots: UInt64,
                                runningFrame: UnsafeMutablePointer<UInt64>? = nil) throws(Trap) -> UnsafeMutablePointer<UInt64> {
        let (words, wordsOverflow) = slots.addingReportingOverflow(UInt64(HeapHeader.words + ObjectLayout.fields))
        let (bytes, bytesOverflow) = words.multipliedReportingOverflow(by: 8)
        guard !wordsOverflow, !bytesOverflow else { throw Trap(.resourceExhausted) }
        try reserveHeap(bytes, runningFrame: runningFrame)
        let base = UnsafeMutablePointer<UInt64>.allocate(capacity: Int(words))
        base.initialize(repeating: 0, count: Int(words))
        base[0] = HeapHeader.word(words: words, isException: false)
        let object = base + HeapHeader.words
        object[ObjectLayout.typeID] = UInt64(typeID)
        object[ObjectLayout.length] = length
        heapObjects.append(object)
        return object
    }

    /// Creates an exception object of `tag` (an identity, `TagEntity.identity`)
    /// with `count` payload slots copied from `payload`. Exceptions count
    /// towards the heap limit like GC objects, and may collect like them.
    package func allocateException(tag: UnsafeRawPointer, payload: UnsafePointer<UInt64>, count: Int,
                                   runningFrame: UnsafeMutablePointer<UInt64>? = nil) throws(Trap) -> UnsafeMutablePointer<UInt64> {
        let words = HeapHeader.words + ExceptionLayout.payload + count
        let bytes = UInt64(words) * 8
        try reserveHeap(bytes, runningFrame: runningFrame)
        let base = UnsafeMutablePointer<UInt64>.allocate(capacity: words)
        base[0] = HeapHeader.word(words: UInt64(words), isException: true)
        let object = base + HeapHeader.words
        object[ExceptionLayout.tag] = UInt64(UInt(bitPattern: tag))
        object[ExceptionLayout.count] = UInt64(count)
        (object + ExceptionLayout.payload).initialize(from: payload, count: count)
        heapObjects.append(object)
        return object
    }

    /// Accounts `bytes` of a new heap object: the fast path takes them from
    /// the budget; when it is spent, the slow path collects and checks the limit.
    @inline(__always)
    private func reserveHeap(_ bytes: UInt64, runningFrame: UnsafeMutablePointer<UInt64>?) throws(Trap) {
        if bytes <= allocationBudget {
            allocationBudget &-= bytes
        } else {
            try reserveHeapAfterCollecting(bytes, runningFrame: runningFrame)
        }
        heapBytes &+= bytes
    }

    /// The budget is spent: collect (unless collections are deferred), then
    /// allocate if the limit allows it, and trap with `resourceExhausted` otherwise.
    @inline(never)
    private func reserveHeapAfterCollecting(_ bytes: UInt64, runningFrame: UnsafeMutablePointer<UInt64>?) throws(Trap) {
        if collectionDeferrals == 0 { collectGarbage(runningFrame: runningFrame) }
        let limit = engine.configuration.maxHeapBytes
        let room = limit > heapBytes ? limit - heapBytes : 0
        guard bytes <= room else { throw Trap(.resourceExhausted) }
        // While collections are deferred, the budget stays spent, so that
        // the first allocation after them collects.
        allocationBudget = allocationBudget > bytes ? allocationBudget - bytes : 0
    }
}
