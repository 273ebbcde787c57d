// Embedding wasmcheck in a Swift program: an engine with the JIT and a
// compiled-module cache, a store, and a linker with WASI, a host function
// written in Swift and, optionally, native plugins.
//
//     swift run wasmcheck-embedding-example [plugin-manifest.json ...]
import WasmWASI
import WasmBinary
import WasmJIT
import WasmPlugins
import WasmRuntime
import WasmSyntax
import WasmText

let guest = """
    (module
      (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
      (import "math" "add" (func $add (param i32 i32) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 16) "hello from wasm\\n")
      (func (export "_start")
        (i32.store (i32.const 0) (i32.const 16))  ;; iovec: base
        (i32.store (i32.const 4) (i32.const 16))  ;; iovec: length
        (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
      (func (export "sum") (param i32 i32) (result i32)
        (call $add (local.get 0) (local.get 1))))
    """

do {
    // The engine: the JIT tier, keeping compiled code in the user's cache
    // directory ($XDG_CACHE_HOME/wasmcheck or ~/.cache/wasmcheck), so the
    // next run of the same module skips compilation.
    let cache = try ModuleCache.defaultDirectory.map { directory throws(ModuleCacheError) in try ModuleCache(directory: directory) }
    let engine = Engine(configuration: EngineConfiguration(), tier: JIT(cache: cache))
    let module = try WasmRuntime.Module(engine: engine, bytes: encodeModule(try parseModule(guest)))

    // A store holds instances and their state; a linker resolves imports.
    let store = Store(engine: engine)
    var linker = Linker()
    let wasi = try WASI(context: WASIContext(arguments: ["guest"]))
    wasi.define(in: &linker, store: store)

    // A host function in Swift ...
    let add = WasmRuntime.Function(store: store, type: FuncType(params: [.i32, .i32], results: [.i32])) { arguments in
        [.i32(arguments[0].i32! &+ arguments[1].i32!)]
    }
    linker.define(module: "math", name: "add", .function(add))
    // ... or the same import from a native plugin, whose signature is
    // checked against the module's import before anything runs.
    for manifest in CommandLine.arguments.dropFirst() {
        let plugin = try NativePlugin(manifestPath: manifest)
        try plugin.checkImports(of: module)
        plugin.define(in: &linker, store: store)
    }

    let instance = try linker.instantiate(module, in: store)
    try wasi.start(instance)  // prints "hello from wasm"
    let sum = try instance.function("sum")!.call([.i32(40), .i32(2)])
    print("sum(40, 2) = \(sum[0].i32!)")
    if let cache { print("cache: \(cache.statistics.hits) hit(s), \(cache.statistics.misses) miss(es)") }
} catch {
    print("error: \(error)")
}
