import Testing
import WasmBinary
import WasmRuntime
import WasmText

/// Compiles a module written in the text format for `tier`.
///
/// A tier that cannot compile the module yet (a JIT that names the
/// instruction it lacks) ends the test case with a known issue that names
/// it: the run's summary counts them, and the case runs in full as soon as
/// the tier can compile it. Every other failure fails the test.
func compile(on tier: TestTier, _ text: String, configuration: EngineConfiguration = EngineConfiguration()) throws -> WasmRuntime.Module {
    let syntax = try parseModule(text)
    let engine = Engine(configuration: configuration, tier: tier.make())
    let bytes = encodeModule(syntax)
    let module: WasmRuntime.Module
    do {
        module = try WasmRuntime.Module(engine: engine, bytes: bytes)
    } catch {
        if let unsupported = error as? CompileError, unsupported.kind == .unsupported, tier != .interpreter {
            // A known issue is counted in the run's summary ("with N known
            // issues"), so the gap stays visible; then the case stops.
            let reason = "\(tier.rawValue) cannot compile this yet: \(unsupported.message)"
            withKnownIssue(Comment(rawValue: reason)) { Issue.record(Comment(rawValue: reason)) }
            try Test.cancel(Comment(rawValue: reason))
        }
        throw error
    }
    return module
}

/// Compiles and instantiates, on `tier`, a module that has no imports.
func instantiate(on tier: TestTier, _ text: String, configuration: EngineConfiguration = EngineConfiguration()) throws -> Instance {
    let module = try compile(on: tier, text, configuration: configuration)
    let store = Store(engine: module.engine)
    return try Linker().instantiate(module, in: store)
}

extension Instance {
    /// Calls an exported function.
    func call(_ name: String, _ arguments: [Value] = []) throws -> [Value] {
        guard let function = function(name) else { throw TestFailure("no function export \(name)") }
        return try function.call(arguments)
    }

    /// Calls an exported function expected to trap, and returns the trap's kind.
    func trap(_ name: String, _ arguments: [Value] = []) -> TrapKind? {
        do {
            _ = try call(name, arguments)
            return nil
        } catch let trap as Trap {
            return trap.kind
        } catch {
            return nil
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func i32(_ v: Int32) -> Value { .i32(UInt32(bitPattern: v)) }
func i64(_ v: Int64) -> Value { .i64(UInt64(bitPattern: v)) }
func f32(_ v: Float) -> Value { .f32(v.bitPattern) }
func f64(_ v: Double) -> Value { .f64(v.bitPattern) }
