import WasmSyntax

/// The `spectest` host module that the official test suite imports from, as the
/// spec reference interpreter defines it (interpreter/host/spectest.ml): print
/// functions that do nothing observable, constant globals holding 666, a
/// 10..20 funcref table (and its i64-addressed twin) and a 1..2 page memory.
///
/// One definition for every harness: the `.wast` runner, the fuzzer's
/// engines and the tests.
public enum Spectest {
    /// The print functions by name (no results). A harness that runs an
    /// engine in another process defines these itself, so that the calls
    /// cross the pipe as the suite's host calls (docs/engine-protocol.md).
    public static let printFunctions: [(name: String, type: FuncType)] = [
        ("print", FuncType(params: [], results: [])),
        ("print_i32", FuncType(params: [.i32], results: [])),
        ("print_i64", FuncType(params: [.i64], results: [])),
        ("print_f32", FuncType(params: [.f32], results: [])),
        ("print_f64", FuncType(params: [.f64], results: [])),
        ("print_i32_f32", FuncType(params: [.i32, .f32], results: [])),
        ("print_f64_f64", FuncType(params: [.f64, .f64], results: [])),
    ]

    public static func define(in linker: inout Linker, store: Store) {
        for (name, type) in printFunctions {
            linker.define(module: "spectest", name: name, .function(Function(store: store, type: type) { _ in [] }))
        }

        func global(_ name: String, _ type: ValueType, _ value: Value) {
            // Creating a constant global of a matching value cannot trap.
            if let g = try? Global(store: store, type: GlobalType(valueType: type, mutable: false), value: value) {
                linker.define(module: "spectest", name: name, .global(g))
            }
        }
        global("global_i32", .i32, .i32(666))
        global("global_i64", .i64, .i64(666))
        global("global_f32", .f32, .f32(Float(666.6).bitPattern))
        global("global_f64", .f64, .f64(Double(666.6).bitPattern))

        if let t = try? Table(store: store, type: TableType(elementType: .funcref, limits: Limits(min: 10, max: 20))) {
            linker.define(module: "spectest", name: "table", .table(t))
        }
        if let t = try? Table(store: store, type: TableType(elementType: .funcref, limits: Limits(min: 10, max: 20, addressType: .i64))) {
            linker.define(module: "spectest", name: "table64", .table(t))
        }
        if let m = try? Memory(store: store, type: MemoryType(limits: Limits(min: 1, max: 2))) {
            linker.define(module: "spectest", name: "memory", .memory(m))
        }
        if let m = try? Memory(store: store, type: MemoryType(limits: Limits(min: 1, max: 2, shared: true))) {
            linker.define(module: "spectest", name: "shared_memory", .memory(m))
        }
    }
}
