import Foundation
import Testing
import WasmBinary
import WasmInterpreter
import WasmJIT
import WasmPlugins
import WasmRuntime
import WasmSyntax
import WasmText

/// The example plugin (Examples/plugin), built with the system's C
/// compiler, called from WebAssembly on both tiers through libffi.
@Suite(.serialized) struct NativePluginTests {
    static let guest = """
        (module
          (import "math" "add" (func $add (param i32 i32) (result i32)))
          (import "math" "mul64" (func $mul64 (param i64 i64) (result i64)))
          (import "math" "scale" (func $scale (param f32 i32) (result f32)))
          (import "math" "average" (func $average (param f64 f64) (result f64)))
          (import "math" "tick" (func $tick))
          (import "math" "ticks" (func $ticks (result i64)))
          (func (export "add") (param i32 i32) (result i32) (call $add (local.get 0) (local.get 1)))
          (func (export "mul64") (param i64 i64) (result i64) (call $mul64 (local.get 0) (local.get 1)))
          (func (export "scale") (param f32 i32) (result f32) (call $scale (local.get 0) (local.get 1)))
          (func (export "average") (param f64 f64) (result f64) (call $average (local.get 0) (local.get 1)))
          (func (export "tick3") (result i64) (call $tick) (call $tick) (call $tick) (call $ticks)))
        """

    enum Tier: String, CaseIterable {
        case interpreter, jit
        func make() -> any ExecutionTier { self == .jit ? JIT() : Interpreter() }
    }

    static func instantiate(_ wat: String, tier: Tier, manifest: String) throws -> (Instance, NativePlugin, WasmRuntime.Module) {
        let engine = Engine(tier: tier.make())
        let module = try WasmRuntime.Module(engine: engine, bytes: encodeModule(try parseModule(wat)))
        let store = Store(engine: engine)
        let plugin = try NativePlugin(manifestPath: manifest)
        var linker = Linker()
        plugin.define(in: &linker, store: store)
        try plugin.checkImports(of: module)
        return (try linker.instantiate(module, in: store), plugin, module)
    }

    @Test(arguments: Tier.allCases) func callsOnBothTiers(tier: Tier) throws {
        let directory = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        guard let manifest = buildExamplePlugin(in: directory) else { return }
        let (instance, _, _) = try Self.instantiate(Self.guest, tier: tier, manifest: manifest)
        #expect(try instance.function("add")!.call([.i32(40), .i32(2)]) == [.i32(42)])
        #expect(try instance.function("add")!.call([.i32(UInt32.max), .i32(2)]) == [.i32(1)])
        #expect(try instance.function("mul64")!.call([.i64(1 << 40), .i64(UInt64(bitPattern: -3))]) == [.i64(UInt64(bitPattern: -3 << 40))])
        #expect(try instance.function("scale")!.call([.f32(Float(1.5).bitPattern), .i32(4)]) == [.f32(Float(6).bitPattern)])
        #expect(try instance.function("average")!.call([.f64(Double(1).bitPattern), .f64(Double(2).bitPattern)]) == [.f64(Double(1.5).bitPattern)])
        // State lives in the library: the counter only grows.
        let first = try instance.function("tick3")!.call([])[0].i64!
        let second = try instance.function("tick3")!.call([])[0].i64!
        #expect(second == first + 3)
    }

    /// An import whose type is not the manifest's is a link error, from the
    /// plugin's check and from instantiation alike.
    @Test(arguments: Tier.allCases) func signatureMismatchIsRefused(tier: Tier) throws {
        let directory = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        guard let manifest = buildExamplePlugin(in: directory) else { return }
        let wrong = """
            (module
              (import "math" "add" (func $add (param i64 i64) (result i64)))
              (func (export "add") (param i64 i64) (result i64) (call $add (local.get 0) (local.get 1))))
            """
        let engine = Engine(tier: tier.make())
        let module = try WasmRuntime.Module(engine: engine, bytes: encodeModule(try parseModule(wrong)))
        let store = Store(engine: engine)
        let plugin = try NativePlugin(manifestPath: manifest)
        #expect(throws: PluginError.self) { try plugin.checkImports(of: module) }
        var linker = Linker()
        plugin.define(in: &linker, store: store)
        do {
            _ = try linker.instantiate(module, in: store)
            Issue.record("instantiated with a mismatched plugin import")
        } catch {
            guard case .unlinkable(let link) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(link.message == "incompatible import type")
        }
        // A function imported as a global is refused too.
        let global = try WasmRuntime.Module(engine: engine, bytes: encodeModule(try parseModule(#"(module (import "math" "add" (global i32)))"#)))
        #expect(throws: PluginError.self) { try plugin.checkImports(of: global) }
    }

    @Test func badManifestsAreErrors() throws {
        let directory = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        guard buildExamplePlugin(in: directory) != nil else { return }
        let entry = { (symbol: String, params: [String], results: [String]) in
            PluginManifest.FunctionEntry(module: "m", name: "f", symbol: symbol, params: params, results: results)
        }
        let cases: [PluginManifest] = [
            PluginManifest(library: "libmathplugin.so", functions: [entry("no_such_symbol", [], [])]),
            PluginManifest(library: "libmathplugin.so", functions: [entry("math_add", ["v128"], [])]),
            PluginManifest(library: "libmathplugin.so", functions: [entry("math_add", ["i32"], ["i32", "i32"])]),
            PluginManifest(library: "libmathplugin.so", functions: [entry("math_add", [], []), entry("math_add", [], [])]),
            PluginManifest(library: "no-such-library.so", functions: []),
        ]
        for manifest in cases {
            #expect(throws: PluginError.self) { try NativePlugin(manifest: manifest, directory: directory) }
        }
        try Data("{\"library\": 3}".utf8).write(to: URL(fileURLWithPath: directory + "/bad.json"))
        #expect(throws: PluginError.self) { try NativePlugin(manifestPath: directory + "/bad.json") }
    }
}
