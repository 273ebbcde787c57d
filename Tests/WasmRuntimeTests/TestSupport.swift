import Testing
import WasmBinary
import WasmInterpreter
import WasmRuntime
import WasmSyntax
import WasmText

/// A store and linker for tests, with the spec suite's `spectest` module.
struct Harness {
    let engine: Engine
    let store: Store
    var linker = Linker()

    init(configuration: EngineConfiguration = EngineConfiguration()) throws {
        engine = Engine(configuration: configuration, tier: Interpreter())
        store = Store(engine: engine)
        try Spectest.define(in: &linker, store: store)
    }

    func compile(_ text: String) throws -> WasmRuntime.Module {
        try WasmRuntime.Module(engine: engine, bytes: encodeModule(try parseModule(text)))
    }

    func instantiate(_ text: String) throws -> Instance {
        try linker.instantiate(try compile(text), in: store)
    }

    /// Instantiation's error, or nil when it succeeds.
    func instantiationError(_ text: String) throws -> InstantiationError? {
        let module = try compile(text)
        do {
            _ = try linker.instantiate(module, in: store)
            return nil
        } catch {
            return error
        }
    }
}

/// The `spectest` module of the official test suite's harness.
enum Spectest {
    static func define(in linker: inout Linker, store: Store) throws {
        let prints: [(String, [ValueType])] = [
            ("print", []), ("print_i32", [.i32]), ("print_i64", [.i64]), ("print_f32", [.f32]),
            ("print_f64", [.f64]), ("print_i32_f32", [.i32, .f32]), ("print_f64_f64", [.f64, .f64]),
        ]
        for (name, params) in prints {
            linker.define(module: "spectest", name: name, .function(WasmRuntime.Function(store: store, type: FuncType(params: params)) { _ in [] }))
        }
        let globals: [(String, ValueType, Value)] = [
            ("global_i32", .i32, .i32(666)), ("global_i64", .i64, .i64(666)),
            ("global_f32", .f32, .f32(Float(666.6).bitPattern)), ("global_f64", .f64, .f64(Double(666.6).bitPattern)),
        ]
        for (name, type, value) in globals {
            linker.define(module: "spectest", name: name, .global(try Global(store: store, type: GlobalType(valueType: type, mutable: false), value: value)))
        }
        linker.define(module: "spectest", name: "table", .table(try Table(store: store, type: TableType(elementType: .funcref, limits: Limits(min: 10, max: 20)))))
        linker.define(module: "spectest", name: "memory", .memory(try Memory(store: store, type: MemoryType(limits: Limits(min: 1, max: 2)))))
    }
}

extension Instance {
    func call(_ name: String, _ arguments: [Value] = []) throws -> [Value] {
        guard let function = function(name) else { throw Trap(.host("no function export \(name)")) }
        return try function.call(arguments)
    }
}

func i32(_ v: Int32) -> Value { .i32(UInt32(bitPattern: v)) }
