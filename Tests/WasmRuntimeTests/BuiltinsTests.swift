import Testing
import WasmInterpreter
import WasmRuntime
import WasmSyntax

/// The builtins compiled code calls, called through the store's table the
/// way code will: C function pointers with the vmctx first.
@Suite struct BuiltinsTests {
    static let outOfBoundsMemory = VMTrapCode.outOfBoundsMemoryAccess.rawValue
    static let outOfBoundsTable = VMTrapCode.outOfBoundsTableAccess.rawValue

    /// An instance with a memory of 1 page (at most 2), a passive data
    /// segment "abcd", a table of 2 funcrefs (at most 4), and a passive
    /// element segment of both functions.
    static func instance() throws -> (Harness, Instance) {
        let harness = try Harness()
        let instance = try harness.instantiate("""
        (module
          (memory (export "memory") 1 2)
          (data "abcd")
          (table (export "table") 2 4 funcref)
          (elem func $f $g)
          (func $f)
          (func $g))
        """)
        return (harness, instance)
    }

    static func context(_ instance: Instance) -> UnsafeMutablePointer<InstanceContext> { instance.entity.context }

    static func builtins(_ instance: Instance) -> VMBuiltins { context(instance).pointee.runtime.pointee.builtins.pointee }

    @Test func everyInstanceReachesItsStoresRuntime() throws {
        let (harness, instance) = try Self.instance()
        let runtime = Self.context(instance).pointee.runtime
        #expect(runtime == harness.store.runtime)
        #expect(runtime.pointee.callDepthLimit == harness.engine.configuration.maxCallDepth)
        #expect(runtime.pointee.store == UnsafeRawPointer(Unmanaged.passUnretained(harness.store).toOpaque()))
        harness.store.fuel = 42
        #expect(runtime.pointee.fuel == 42)
    }

    @Test func memoryGrowsUpToItsMaximum() throws {
        let (_, instance) = try Self.instance()
        let ctx = Self.context(instance)
        let grow = Self.builtins(instance).memoryGrow
        #expect(grow(ctx, 0, 0) == 1)
        #expect(grow(ctx, 0, 1) == 1)
        #expect(ctx.pointee.memory0.pointee.pageCount == 2)
        #expect(ctx.pointee.memory0.pointee.byteCount == 2 << 16)
        #expect(grow(ctx, 0, 1) == -1)
        #expect(grow(ctx, 0, UInt64.max) == -1)
        #expect(ctx.pointee.memory0.pointee.pageCount == 2)
    }

    @Test func memoryFillCopyAndInitCheckBounds() throws {
        let (_, instance) = try Self.instance()
        let ctx = Self.context(instance)
        let b = Self.builtins(instance)
        let memory = ctx.pointee.memory0.pointee.base.assumingMemoryBound(to: UInt8.self)
        #expect(b.memoryFill(ctx, 0, 10, 0x1FF, 4) == 0)
        #expect((10..<14).allSatisfy { memory[$0] == 0xFF })
        #expect(b.memoryFill(ctx, 0, 65_535, 7, 2) == Self.outOfBoundsMemory)
        #expect(memory[65_535] == 0, "nothing written when out of bounds")
        #expect(b.memoryFill(ctx, 0, 65_536, 7, 0) == 0, "an empty fill at the end is in bounds")

        #expect(b.memoryCopy(ctx, 0, 0, 100, 10, 4) == 0)
        #expect((100..<104).allSatisfy { memory[$0] == 0xFF })
        #expect(b.memoryCopy(ctx, 0, 0, 65_534, 10, 4) == Self.outOfBoundsMemory)
        #expect(b.memoryCopy(ctx, 0, 0, 0, UInt64.max, 1) == Self.outOfBoundsMemory)

        #expect(b.memoryInit(ctx, 0, 0, 200, 1, 3) == 0)
        #expect(Array(UnsafeBufferPointer(start: memory + 200, count: 3)) == Array("bcd".utf8))
        #expect(b.memoryInit(ctx, 0, 0, 200, 2, 3) == Self.outOfBoundsMemory)
        b.dataDrop(ctx, 0)
        #expect(b.memoryInit(ctx, 0, 0, 200, 0, 1) == Self.outOfBoundsMemory)
        #expect(b.memoryInit(ctx, 0, 0, 200, 0, 0) == 0)
    }

    @Test func tableOperationsCheckBounds() throws {
        let (_, instance) = try Self.instance()
        let ctx = Self.context(instance)
        let b = Self.builtins(instance)
        let f = UInt64(UInt(bitPattern: ctx.pointee.functions[0]))
        let g = UInt64(UInt(bitPattern: ctx.pointee.functions[1]))
        var result: UInt64 = 1
        #expect(b.tableGet(ctx, 0, 1, &result) == 0)
        #expect(result == 0, "tables start null")
        #expect(b.tableGet(ctx, 0, 2, &result) == Self.outOfBoundsTable)
        #expect(b.tableSet(ctx, 0, 1, f) == 0)
        #expect(b.tableGet(ctx, 0, 1, &result) == 0)
        #expect(result == f)
        #expect(b.tableSet(ctx, 0, 2, f) == Self.outOfBoundsTable)

        #expect(b.tableGrow(ctx, 0, 1, g) == 2)
        #expect(b.tableGet(ctx, 0, 2, &result) == 0)
        #expect(result == g)
        #expect(b.tableGrow(ctx, 0, 2, g) == -1, "beyond the maximum of 4")
        #expect(b.tableGrow(ctx, 0, 1, 0) == 3)

        #expect(b.tableFill(ctx, 0, 0, g, 4) == 0)
        #expect((0..<4).allSatisfy { ctx.pointee.tables[0].pointee.elements[$0] == g })
        #expect(b.tableFill(ctx, 0, 3, 0, 2) == Self.outOfBoundsTable)
        #expect(ctx.pointee.tables[0].pointee.elements[3] == g, "nothing written when out of bounds")

        #expect(b.tableInit(ctx, 0, 0, 1, 0, 2) == 0)
        #expect(ctx.pointee.tables[0].pointee.elements[1] == f)
        #expect(ctx.pointee.tables[0].pointee.elements[2] == g)
        #expect(b.tableInit(ctx, 0, 0, 3, 0, 2) == Self.outOfBoundsTable)
        #expect(b.tableCopy(ctx, 0, 0, 0, 1, 2) == 0)
        #expect(ctx.pointee.tables[0].pointee.elements[0] == f)
        #expect(b.tableCopy(ctx, 0, 0, 3, 0, 2) == Self.outOfBoundsTable)
        b.elemDrop(ctx, 0)
        #expect(b.tableInit(ctx, 0, 0, 0, 0, 1) == Self.outOfBoundsTable)
    }

    @Test func slotsNoTierUsesYetAreNull() throws {
        let (_, instance) = try Self.instance()
        let b = Self.builtins(instance)
        #expect(b.isSubtype == nil)
        #expect(b.throwRef == nil)
    }

    /// Compiled code calls host functions through `callHost`: arguments and
    /// results in the frame's slots; a host trap keeps its message in the
    /// store for the tier's entry to rethrow.
    @Test func callHostRunsTheHostFunctionOnTheFramesSlots() throws {
        var harness = try Harness()
        let add = Function(store: harness.store, type: FuncType(params: [.i32, .i32], results: [.i32])) { arguments in
            guard case .i32(let a) = arguments[0], case .i32(let b) = arguments[1] else { return [] }
            return [.i32(a &+ b)]
        }
        let fail = Function(store: harness.store, type: FuncType(params: [], results: [])) { _ in throw Trap(.host("no")) }
        harness.linker.define(module: "env", name: "add", .function(add))
        harness.linker.define(module: "env", name: "fail", .function(fail))
        let instance = try harness.instantiate("""
            (module (import "env" "add" (func (param i32 i32) (result i32))) (import "env" "fail" (func)))
            """)
        let ctx = Self.context(instance)
        guard let callHost = Self.builtins(instance).callHost else {
            Issue.record("no callHost builtin")
            return
        }
        var frame: [UInt64] = [40, 2, 0]
        let code = frame.withUnsafeMutableBufferPointer { callHost(ctx, ctx.pointee.functions[0], $0.baseAddress!) }
        #expect(code == 0)
        #expect(frame[0] == 42)
        #expect(harness.store.codeFrameTop == nil)
        let trapped = frame.withUnsafeMutableBufferPointer { callHost(ctx, ctx.pointee.functions[1], $0.baseAddress!) }
        #expect(trapped == VMTrapCode.host.rawValue)
        #expect(harness.store.pendingTrap?.kind == .host("no"))
    }

    /// Trap codes mirror `TrapKind` case for case (host traps keep their
    /// message elsewhere).
    @Test func trapCodesRoundTrip() {
        let kinds: [TrapKind] = [
            .unreachable, .integerDivideByZero, .integerOverflow, .invalidConversionToInteger, .outOfBoundsMemoryAccess,
            .outOfBoundsTableAccess, .undefinedElement, .uninitializedElement, .indirectCallTypeMismatch,
            .nullFunctionReference, .nullReference, .nullStructureReference, .nullArrayReference,
            .nullExceptionReference, .nullI31Reference, .outOfBoundsArrayAccess, .castFailure, .callStackExhausted,
            .outOfFuel, .resourceExhausted, .typeMismatch, .uncaughtException,
        ]
        for kind in kinds {
            #expect(VMTrapCode(kind) != .none)
            #expect(TrapKind(VMTrapCode(kind)) == kind)
        }
        #expect(Set(kinds.map { VMTrapCode($0).rawValue }).count == kinds.count)
        #expect(VMTrapCode(.host("message")) == .host)
        #expect(TrapKind(.none) == nil)
    }
}
