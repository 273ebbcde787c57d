import Testing
import WasmBinary
import WasmRuntime
import WasmSyntax
import WasmText

/// `Trap.backtrace` on the interpreter: frames innermost first, function
/// indices, names from the `name` section and the byte offsets of the
/// trapping instruction and of each call (issue 14). The JIT names the
/// same frames from its frame trail, without offsets.
@Suite struct TrapBacktraceTests {
    /// A chain `run` -> (unnamed) -> `compute` -> `divide` that divides by
    /// zero; one import before them, so function indices start at 1.
    static let chain = """
        (module (@name "app")
          (import "env" "log" (func $log (param i32)))
          (func $divide (@name "divide") (param i32 i32) (result i32)
            local.get 0
            local.get 1
            i32.div_s)
          (func $compute (@name "compute") (param i32) (result i32)
            i32.const 100
            local.get 0
            call $divide)
          (func $middle (param i32) (result i32)
            local.get 0
            i32.const 1
            i32.sub
            call $compute)
          (func $run (@name "run") (export "run") (param i32) (result i32)
            local.get 0
            call $middle))
        """

    static func instantiateChain() throws -> (Instance, WasmRuntime.Module) {
        let module = try compile(on: .interpreter, chain)
        let store = Store(engine: module.engine)
        var linker = Linker()
        linker.define(module: "env", name: "log", .function(Function(store: store, type: FuncType(params: [.i32], results: [])) { _ in [] }))
        return (try linker.instantiate(module, in: store), module)
    }

    static func trap(_ body: () throws -> Void) -> Trap? {
        do {
            try body()
            return nil
        } catch let trap as Trap {
            return trap
        } catch InstantiationError.trap(let trap) {
            return trap
        } catch {
            return nil
        }
    }

    @Test func framesOfANamedChainInnermostFirst() throws {
        let (instance, module) = try Self.instantiateChain()
        let trap = try #require(Self.trap { _ = try instance.call("run", [i32(1)]) })
        #expect(trap.kind == .integerDivideByZero)
        let frames = try #require(trap.backtrace).frames
        #expect(frames.map(\.functionIndex) == [1, 2, 3, 4])
        #expect(frames.map(\.functionName) == ["divide", "compute", nil, "run"])
        #expect(frames.allSatisfy { $0.moduleName == "app" })
        #expect(frames.map(\.symbol) == ["app!divide", "app!compute", "app!<wasm function 3>", "app!run"])

        // Offsets: the division, then each call, from each body's first instruction.
        let bodies = module.syntax.functions.map(\.bodyOffset)
        #expect(frames.map(\.functionStart) == bodies.map { Optional($0) })
        #expect(frames.map(\.functionOffset) == [4, 5, 5, 2])
        #expect(frames[0].moduleOffset == bodies[0] + 4)
        #expect(module.syntax.functions[0].body[bodies[0] + 4] == 0x6D, "i32.div_s")
        for (i, frame) in frames.enumerated().dropFirst() {
            #expect(module.syntax.functions[i].body[frame.moduleOffset!] == 0x10, "frame \(i) is at a call")
        }
    }

    @Test func rendersAsWasmtime() throws {
        let (instance, module) = try Self.instantiateChain()
        let trap = try #require(Self.trap { _ = try instance.call("run", [i32(1)]) })
        let at = module.syntax.functions.map(\.bodyOffset)
        func hex(_ n: Int) -> String { String(repeating: " ", count: max(0, 8 - 2 - String(n, radix: 16).count)) + "0x" + String(n, radix: 16) }
        #expect(trap.backtrace?.description == """
            error while executing at wasm backtrace:
                0: \(hex(at[0] + 4)) - app!divide
                1: \(hex(at[1] + 5)) - app!compute
                2: \(hex(at[2] + 5)) - app!<wasm function 3>
                3: \(hex(at[3] + 2)) - app!run
            """)
    }

    @Test func aModuleWithoutNamesShowsIndices() throws {
        let instance = try instantiate(on: .interpreter, """
            (module
              (func (param i32) (result i32) local.get 0 i32.const 0 i32.div_u)
              (func (export "run") (result i32) i32.const 7 call 0))
            """)
        let trap = try #require(Self.trap { _ = try instance.call("run") })
        let frames = try #require(trap.backtrace).frames
        #expect(frames.map(\.functionIndex) == [0, 1])
        #expect(frames.allSatisfy { $0.functionName == nil && $0.moduleName == nil })
        #expect(frames.map(\.symbol) == ["<unknown>!<wasm function 0>", "<unknown>!<wasm function 1>"])
        #expect(trap.backtrace?.description.hasSuffix(" - <unknown>!<wasm function 1>") == true)
    }

    /// A host function between two WebAssembly invocations: the frames of
    /// both, the inner ones first; the host's own frame is not shown.
    @Test func framesAcrossAHostFunction() throws {
        let module = try compile(on: .interpreter, """
            (module
              (import "env" "callback" (func $callback))
              (func $inner (@name "inner") (export "inner") unreachable)
              (func $outer (@name "outer") (export "outer") call $callback))
            """)
        let store = Store(engine: module.engine)
        final class Box: @unchecked Sendable { var instance: Instance? }
        let box = Box()
        var linker = Linker()
        linker.define(module: "env", name: "callback", .function(Function(store: store, type: FuncType()) { _ in
            _ = try box.instance!.call("inner")
            return []
        }))
        box.instance = try linker.instantiate(module, in: store)
        let trap = try #require(Self.trap { _ = try box.instance!.call("outer") })
        #expect(trap.kind == .unreachable)
        #expect(trap.backtrace?.frames.map(\.symbol) == ["<unknown>!inner", "<unknown>!outer"])
    }

    /// A superinstruction traps at its first word: an add fused with the
    /// load it feeds is reported at the load.
    @Test func aFusedLoadTrapsAtTheLoad() throws {
        let module = try compile(on: .interpreter, """
            (module (memory 1)
              (func (export "load") (param i32 i32) (result i32)
                local.get 0
                local.get 1
                i32.add
                i32.load))
            """)
        let instance = try Linker().instantiate(module, in: Store(engine: module.engine))
        let trap = try #require(Self.trap { _ = try instance.call("load", [i32(65536), i32(0)]) })
        #expect(trap.kind == .outOfBoundsMemoryAccess)
        let frame = try #require(trap.backtrace?.frames.first)
        #expect(frame.functionOffset == 5, "local.get, local.get, i32.add, then i32.load")
        #expect(module.syntax.functions[0].body[frame.moduleOffset!] == 0x28)
    }

    /// Traps of a start function (during instantiation) and host traps have frames too.
    @Test func startFunctionAndHostTraps() throws {
        let failing = try compile(on: .interpreter, """
            (module (func $boom (@name "boom") unreachable) (start $boom))
            """)
        let startTrap = Self.trap { _ = try Linker().instantiate(failing, in: Store(engine: failing.engine)) }
        #expect(startTrap?.backtrace?.frames.map(\.symbol) == ["<unknown>!boom"])

        let module = try compile(on: .interpreter, """
            (module (import "env" "fail" (func $fail))
              (func $caller (@name "caller") (export "run") nop call $fail))
            """)
        let store = Store(engine: module.engine)
        var linker = Linker()
        linker.define(module: "env", name: "fail", .function(Function(store: store, type: FuncType()) { _ in throw Trap(.host("no")) }))
        let instance = try linker.instantiate(module, in: store)
        let trap = try #require(Self.trap { _ = try instance.call("run") })
        #expect(trap.kind == .host("no"))
        let frame = try #require(trap.backtrace?.frames.first)
        #expect(trap.backtrace?.frames.count == 1)
        #expect(frame.functionIndex == 1 && frame.functionName == "caller" && frame.functionOffset == 1)
    }

    /// Stack exhaustion: one frame per active call.
    @Test func callStackExhaustionHasEveryFrame() throws {
        var configuration = EngineConfiguration()
        configuration.maxCallDepth = 50
        let instance = try instantiate(on: .interpreter, """
            (module (func $f (export "f") call $f))
            """, configuration: configuration)
        let trap = try #require(Self.trap { _ = try instance.call("f") })
        #expect(trap.kind == .callStackExhausted)
        #expect(trap.backtrace?.frames.count == 50)
    }

    /// Traps compare by kind and detail, so tiers with and without frames agree.
    @Test func equalityIgnoresTheBacktrace() {
        var a = Trap(.unreachable)
        a.backtrace = WasmBacktrace(frames: [WasmFrame(functionIndex: 3)])
        #expect(a == Trap(.unreachable))
        #expect(Set([a, Trap(.unreachable)]).count == 1)
    }

    @Test func nameSectionDecodingIsLenient() {
        // Module name "m", function names {0: "a", 2: "c"}, then a truncated subsection.
        let bytes: [UInt8] = [0, 2, 1, 0x6D, 1, 7, 2, 0, 1, 0x61, 2, 1, 0x63, 1, 9, 1]
        let names = NameSection(decoding: bytes[...])
        #expect(names.moduleName == "m")
        #expect(names.functionNames == [0: "a", 2: "c"])
    }

    /// The JIT's frames come from the runtime's frame trail (each body
    /// records its vmctx and function index on entry): the same functions,
    /// names and order as the interpreter's, without code offsets; across
    /// a host function the inner invocation's frames come first, and a
    /// host function's trap has its wasm callers' frames.
    @Test func theJITNamesTheSameFramesWithoutOffsets() throws {
        let module = try compile(on: .jit, Self.chain)
        let store = Store(engine: module.engine)
        var linker = Linker()
        linker.define(module: "env", name: "log", .function(Function(store: store, type: FuncType(params: [.i32], results: [])) { _ in [] }))
        let instance = try linker.instantiate(module, in: store)
        let trap = try #require(Self.trap { _ = try instance.call("run", [i32(1)]) })
        #expect(trap.kind == .integerDivideByZero)
        let frames = try #require(trap.backtrace).frames
        #expect(frames.map(\.functionIndex) == [1, 2, 3, 4])
        #expect(frames.map(\.symbol) == ["app!divide", "app!compute", "app!<wasm function 3>", "app!run"])
        #expect(frames.allSatisfy { $0.moduleOffset == nil })
        // A second trap in the same store: only its own frames.
        let again = try #require(Self.trap { _ = try instance.call("run", [i32(1)]) })
        #expect(again.backtrace?.frames.count == 4)

        let nested = try compile(on: .jit, """
            (module
              (import "env" "callback" (func $callback))
              (import "env" "fail" (func $fail))
              (func $inner (@name "inner") (export "inner") unreachable)
              (func $outer (@name "outer") (export "outer") call $callback)
              (func $caller (@name "caller") (export "failing") nop call $fail))
            """)
        let nestedStore = Store(engine: nested.engine)
        final class Box: @unchecked Sendable { var instance: Instance? }
        let box = Box()
        var nestedLinker = Linker()
        nestedLinker.define(module: "env", name: "callback", .function(Function(store: nestedStore, type: FuncType()) { _ in
            _ = try box.instance!.call("inner")
            return []
        }))
        nestedLinker.define(module: "env", name: "fail", .function(Function(store: nestedStore, type: FuncType()) { _ in throw Trap(.host("no")) }))
        box.instance = try nestedLinker.instantiate(nested, in: nestedStore)
        let across = try #require(Self.trap { _ = try box.instance!.call("outer") })
        #expect(across.backtrace?.frames.map(\.symbol) == ["<unknown>!inner", "<unknown>!outer"])
        let host = try #require(Self.trap { _ = try box.instance!.call("failing") })
        #expect(host.kind == .host("no"))
        #expect(host.backtrace?.frames.map(\.symbol) == ["<unknown>!caller"])
    }
}
