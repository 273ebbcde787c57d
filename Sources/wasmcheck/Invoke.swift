import Foundation
import ArgumentParser
import WasmBinary
import WasmEngines
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

    @Option(help: "The engine: \(EngineCatalog.names.joined(separator: ", ")).")
    var engine: String = "interpreter"

    @Flag(help: "Print the call's wall time to stderr (compilation and instantiation excluded; for an engine in another process, one round trip included).")
    var time = false

    func run() throws {
        let bytes = try loadModuleBytes(file)
        // The export's signature, read here so that arguments are typed
        // the same way whatever engine runs the call.
        let params: [ValueType]
        do {
            let module = try decodeModule(bytes, features: features.features)
            guard let type = Self.exportedFunctionType(module, export) else {
                let names = module.exports.compactMap { if case .function = $0.descriptor { return $0.name }; return nil }
                printError("\(file): no exported function \"\(export)\"; exported functions: \(names.joined(separator: ", "))")
                throw ExitStatus.usage
            }
            params = type.params
        } catch let error as DecodingError {
            printError("\(file): malformed module at offset \(error.offset): \(error.message)")
            throw ExitStatus.failure
        }
        guard params.count == arguments.count else {
            printError("\(export) takes \(params.count) argument(s) (\(params.map { "\($0)" }.joined(separator: ", "))), got \(arguments.count)")
            throw ExitStatus.usage
        }
        var values: [EngineValue] = []
        for (text, type) in zip(arguments, params) {
            guard let v = parseArgument(text, as: type) else {
                printError("cannot read \"\(text)\" as \(type)")
                throw ExitStatus.usage
            }
            values.append(v)
        }

        let spec: EngineSpec
        do { spec = try EngineSpec.parse(engine, environment: .current()) } catch {
            throw ArgumentParser.ValidationError(error.description)
        }
        let engine = spec.make()
        do {
            _ = try engine.configure(features: features.features, fuelPerCall: fuel)
            let module: ModuleHandle
            switch try engine.compile(bytes) {
            case .compiled(let m): module = m
            case .rejected(let r):
                printError("\(file): \(r.kind.rawValue) module: \(r.message)")
                throw ExitStatus.failure
            }
            let instance: InstanceHandle
            switch try engine.instantiate(module, imports: .registered) {
            case .instantiated(let i): instance = i
            case .unlinkable(let message):
                printError("\(file): unlinkable: \(message)")
                throw ExitStatus.failure
            case .trapped(let kind, let detail):
                printError("\(file): trap during instantiation: \(Trap(kind, detail: detail).message)")
                throw ExitStatus.trap
            case .exhausted(let kind):
                printError("\(file): \(kind.message) during instantiation")
                throw ExitStatus.trap
            }
            let start = ContinuousClock.now
            let outcome = try engine.invoke(instance, export: export, arguments: values)
            if time {
                let elapsed = ContinuousClock.now - start
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                printError("time: \(String(format: "%.6f", seconds)) s")
            }
            switch outcome {
            case .returned(let results):
                for result in results { print(format(result)) }
            case .trapped(let kind, let detail):
                printError("trap: \(Trap(kind, detail: detail).message)")
                throw ExitStatus.trap
            case .exhausted(let kind):
                printError("trap: \(kind.message)")
                throw ExitStatus.trap
            }
        } catch let failure as EngineFailure {
            printError("engine \(spec.name): \(failure)")
            throw ExitStatus.failure
        }
    }

    /// The type of the exported function `name` (imported functions come
    /// first in the index space).
    static func exportedFunctionType(_ module: WasmSyntax.Module, _ name: String) -> FuncType? {
        guard let export = module.exports.first(where: { $0.name == name }), case .function(let index) = export.descriptor else {
            return nil
        }
        var typeIndices: [UInt32] = module.imports.compactMap { if case .function(let t) = $0.descriptor { return t }; return nil }
        typeIndices += module.functions.map(\.typeIndex)
        let types = module.definedTypes
        guard Int(index) < typeIndices.count, Int(typeIndices[Int(index)]) < types.count,
              case .func(let f) = types[Int(typeIndices[Int(index)])].composite else { return nil }
        return f
    }
}

/// Parses a command-line argument as a value of a parameter type.
func parseArgument(_ text: String, as type: ValueType) -> EngineValue? {
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
    case .ref(let r) where r.nullable && (text == "null" || text == "ref.null"):
        return .ref(.null(RefHierarchy(r.heapType, types: [])))
    case .v128, .ref: return nil
    }
}

/// Formats a result for people: integers unsigned and signed, floats in
/// their shortest exact decimal form.
func format(_ value: EngineValue) -> String {
    switch value {
    case .i32(let v): return Int32(bitPattern: v) < 0 ? "\(v) (i32, signed \(Int32(bitPattern: v)))" : "\(v) (i32)"
    case .i64(let v): return Int64(bitPattern: v) < 0 ? "\(v) (i64, signed \(Int64(bitPattern: v)))" : "\(v) (i64)"
    case .f32(let v): return "\(Float(bitPattern: v)) (f32)"
    case .f64(let v): return "\(Double(bitPattern: v)) (f64)"
    case .v128, .ref: return "\(value)"
    }
}
