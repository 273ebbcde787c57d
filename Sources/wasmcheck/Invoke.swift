import WasmEngines
import ArgumentParser
import WasmInterpreter
import WasmRuntime
import WasmSyntax

struct Invoke: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Instantiate a module and call one of its exported functions.",
        discussion: """
            Arguments are parsed by the function's parameter types: integers in decimal or 0x hex \
            (negative allowed), floats as decimals, hex floats, inf or nan. Results are printed one per \
            line; a trap is printed to stderr with exit status 3.
            """
    )

    @Argument(help: "The module (.wasm or .wat).") var file: String
    @Argument(help: "The exported function to call.") var export: String
    @Argument(parsing: .allUnrecognized, help: "The function's arguments.") var arguments: [String] = []

    @OptionGroup var features: FeatureOptions

    @Option(help: "Fuel for the call (units: function entries and loop iterations); unlimited if absent.")
    var fuel: UInt64?

    func run() throws {
        var configuration = EngineConfiguration()
        configuration.features = features.features
        configuration.consumesFuel = fuel != nil
        let engine = Engine(configuration: configuration, tier: Interpreter())
        let bytes = try loadModuleBytes(file)
        let module: WasmRuntime.Module
        do {
            module = try WasmRuntime.Module(engine: engine, bytes: bytes)
        } catch {
            printError("\(file): \(error)")
            throw ExitStatus.failure
        }
        let store = Store(engine: engine)
        if let fuel { store.fuel = fuel }
        let instance: Instance
        do {
            instance = try Linker().instantiate(module, in: store)
        } catch {
            printError("\(file): \(error)")
            throw ExitStatus.failure
        }
        guard let function = instance.function(export) else {
            printError("\(file): no exported function \"\(export)\"; exported functions: \(instance.exports.compactMap { if case .function = $0.value { return $0.name }; return nil }.joined(separator: ", "))")
            throw ExitStatus.usage
        }
        let params = function.type.params
        guard params.count == arguments.count else {
            printError("\(export) takes \(params.count) argument(s) (\(params.map { "\($0)" }.joined(separator: ", "))), got \(arguments.count)")
            throw ExitStatus.usage
        }
        var values: [Value] = []
        for (text, type) in zip(arguments, params) {
            guard let v = parseArgument(text, as: type) else {
                printError("cannot read \"\(text)\" as \(type)")
                throw ExitStatus.usage
            }
            values.append(v)
        }
        do {
            for result in try function.call(values) { print(format(result)) }
        } catch {
            printError("trap: \(error.message)")
            throw ExitStatus.trap
        }
    }
}

/// Parses a command-line argument as a value of a parameter type.
func parseArgument(_ text: String, as type: ValueType) -> Value? {
    func integer(bits: Int) -> UInt64? {
        var s = Substring(text.replacingOccurrences(of: "_", with: ""))
        let negative = s.hasPrefix("-")
        if negative || s.hasPrefix("+") { s = s.dropFirst() }
        let radix = s.hasPrefix("0x") ? 16 : 10
        if radix == 16 { s = s.dropFirst(2) }
        guard let magnitude = UInt64(s, radix: radix) else { return nil }
        let limit: UInt64 = bits == 64 ? .max : (1 << UInt64(bits)) - 1
        if negative {
            guard magnitude <= (limit >> 1) + 1 else { return nil }
            return (0 &- magnitude) & limit
        }
        return magnitude <= limit ? magnitude : nil
    }
    switch type {
    case .i32: return integer(bits: 32).map { .i32(UInt32($0)) }
    case .i64: return integer(bits: 64).map { .i64($0) }
    case .f32: return Float(text).map { .f32($0.bitPattern) }
    case .f64: return Double(text).map { .f64($0.bitPattern) }
    case .v128, .ref: return nil
    }
}

/// Formats a result for people: integers unsigned and signed, floats in
/// their shortest exact decimal form.
func format(_ value: Value) -> String {
    switch value {
    case .i32(let v): return Int32(bitPattern: v) < 0 ? "\(v) (i32, signed \(Int32(bitPattern: v)))" : "\(v) (i32)"
    case .i64(let v): return Int64(bitPattern: v) < 0 ? "\(v) (i64, signed \(Int64(bitPattern: v)))" : "\(v) (i64)"
    case .f32(let v): return "\(Float(bitPattern: v)) (f32)"
    case .f64(let v): return "\(Double(bitPattern: v)) (f64)"
    case .v128, .ref: return "\(value)"
    }
}
