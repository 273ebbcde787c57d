import WasmRuntime

/// The offsets of the vmctx fields compiled code reads and writes, for a
/// target's pointer size (CWasmVM.h, through `VMOffsets`), looked up once:
/// by name per use, they were a third of the JIT's compile time.
struct VMFieldOffsets: Sendable {
    let instanceFunctions, instanceTables, instanceMemories, instanceGlobals, instanceTypeIDs, instanceMemory0,
        instanceRuntime, instanceTags: Int32
    let headerTypeID, headerInstance, headerCode: Int32
    let memoryBase, memoryByteCount, memoryPageCount: Int32
    let tableElements, tableCount: Int32
    let runtimeFuel, runtimeCallDepth, runtimeCallDepthLimit, runtimeNativeStackLimit, runtimeValueStackEnd,
        runtimeBuiltins, runtimeException, runtimeFrameTrail: Int32
    /// Builtins by field name (`callHost`, `memoryGrow`, ...).
    let builtins: [String: Int32]

    init(pointerSize: Int) {
        let o = VMOffsets(pointerSize: pointerSize)
        func f(_ name: String, _ s: VMOffsets.Structure) -> Int32 { Int32(o.offset(of: name, in: s)) }
        instanceFunctions = f("functions", .instance)
        instanceTables = f("tables", .instance)
        instanceMemories = f("memories", .instance)
        instanceGlobals = f("globals", .instance)
        instanceTypeIDs = f("typeIDs", .instance)
        instanceMemory0 = f("memory0", .instance)
        instanceRuntime = f("runtime", .instance)
        instanceTags = f("tags", .instance)
        headerTypeID = f("typeID", .functionHeader)
        headerInstance = f("instance", .functionHeader)
        headerCode = f("code", .functionHeader)
        memoryBase = f("base", .memory)
        memoryByteCount = f("byteCount", .memory)
        memoryPageCount = f("pageCount", .memory)
        tableElements = f("elements", .table)
        tableCount = f("count", .table)
        runtimeFuel = f("fuel", .runtime)
        runtimeCallDepth = f("callDepth", .runtime)
        runtimeCallDepthLimit = f("callDepthLimit", .runtime)
        runtimeNativeStackLimit = f("nativeStackLimit", .runtime)
        runtimeValueStackEnd = f("valueStackEnd", .runtime)
        runtimeBuiltins = f("builtins", .runtime)
        runtimeException = f("exception", .runtime)
        runtimeFrameTrail = f("frameTrail", .runtime)
        var builtins: [String: Int32] = [:]
        for name in o.layout(of: .builtins).fields { builtins[name] = f(name, .builtins) }
        self.builtins = builtins
    }

    static let pointerSize8 = VMFieldOffsets(pointerSize: 8)
}
