import Foundation
import Testing
import WasmBinary
import WasmInterpreter
import WasmRuntime
import WasmSyntax
@testable import WasmGenerator

/// Running generated modules on the interpreter: with fuel instrumentation
/// every call ends, and in no-trap mode most calls return. Only features
/// the interpreter runs are used. The count is `SMITH_RUN_COUNT`.
@Suite("Generated modules run")
struct ExecutionTests {
    /// The features the interpreter runs today (`SMITH_RUN_FEATURES`, a
    /// comma-separated list of names, overrides them).
    static let runnableFeatures: Features = {
        if let names = ProcessInfo.processInfo.environment["SMITH_RUN_FEATURES"],
           let features = try? GeneratorConfig.parseFeatures(names.split(separator: ",").map(String.init)) {
            return features
        }
        return Features.wasm2.union([.tailCall, .extendedConst, .multiMemory, .memory64])
    }()

    /// What happened to the calls of exported functions.
    struct Outcomes {
        var returned = 0
        var trapped: [String: Int] = [:]
        var outOfEngineFuel = 0
        var compileFailures: [String] = []
        var instantiationTraps: [String] = []
        var calls: Int { returned + trapped.values.reduce(0, +) }
    }

    /// Generates `count` modules with `config` and calls every exported
    /// function with default arguments. The engine counts fuel too, with
    /// far more than the module's own fuel could use: running out of it
    /// means a module did not stop.
    func run(_ config: GeneratorConfig, count: Int) throws -> Outcomes {
        let generator = try ModuleGenerator(config: config)
        var engineConfiguration = EngineConfiguration()
        engineConfiguration.consumesFuel = true
        let engine = Engine(configuration: engineConfiguration, tier: Interpreter())
        var outcomes = Outcomes()
        for i in 0..<count {
            let generated = generator.generate(seedBytes(baseSeed, i))
            let module: WasmRuntime.Module
            do {
                module = try WasmRuntime.Module(engine: engine, bytes: encodeModule(generated.module))
            } catch {
                outcomes.compileFailures.append("case \(i): \(error)")
                continue
            }
            let store = Store(engine: engine)
            store.fuel = 1_000_000
            let instance: Instance
            do {
                instance = try Linker().instantiate(module, in: store)
            } catch {
                if case .trap(let t) = error, t.kind == .outOfFuel { outcomes.outOfEngineFuel += 1 }
                outcomes.instantiationTraps.append("case \(i): \(error)")
                continue
            }
            for (_, value) in instance.exports {
                guard case .function(let f) = value else { continue }
                let arguments = f.type.params.compactMap { Value.defaultValue(of: $0) }
                guard arguments.count == f.type.params.count else { continue }
                do {
                    _ = try f.call(arguments)
                    outcomes.returned += 1
                } catch {
                    if error.kind == .outOfFuel { outcomes.outOfEngineFuel += 1 }
                    outcomes.trapped["\(error.kind)", default: 0] += 1
                }
            }
        }
        return outcomes
    }

    @Test func fuelledModulesTerminate() throws {
        var config = GeneratorConfig()
        config.features = Self.runnableFeatures
        config.swarm = true
        config.fuel = 1_000
        config.exportAllFunctions = true
        config.allowImports = false
        let outcomes = try run(config, count: environmentInt("SMITH_RUN_COUNT", default: 200))
        print("fuel mode: \(outcomes.returned) of \(outcomes.calls) calls returned; traps: \(outcomes.trapped)")
        #expect(outcomes.compileFailures.isEmpty, "\(outcomes.compileFailures.prefix(5))")
        #expect(outcomes.outOfEngineFuel == 0)
        #expect(outcomes.calls > 0)
    }

    /// Without the instrumentation the same kind of modules do loop
    /// forever (and run out of the engine's fuel), so the test above
    /// measures something.
    @Test func modulesWithoutFuelCanLoopForever() throws {
        var config = GeneratorConfig()
        config.features = Self.runnableFeatures
        config.swarm = true
        config.exportAllFunctions = true
        config.allowImports = false
        let outcomes = try run(config, count: environmentInt("SMITH_RUN_COUNT", default: 200))
        print("no fuel: \(outcomes.returned) of \(outcomes.calls) calls returned; traps: \(outcomes.trapped)")
        #expect(outcomes.outOfEngineFuel > 0)
    }

    @Test func noTrapModulesMostlyReturn() throws {
        var config = GeneratorConfig.runnable(features: Self.runnableFeatures)
        config.swarm = true
        let outcomes = try run(config, count: environmentInt("SMITH_RUN_COUNT", default: 200))
        #expect(outcomes.compileFailures.isEmpty, "\(outcomes.compileFailures.prefix(5))")
        #expect(outcomes.outOfEngineFuel == 0)
        let rate = Double(outcomes.returned) / Double(max(1, outcomes.calls))
        print("no-trap mode: \(outcomes.returned) of \(outcomes.calls) calls returned (\(rate)); traps: \(outcomes.trapped); instantiation traps: \(outcomes.instantiationTraps.prefix(5))")
        #expect(rate > 0.9, "traps: \(outcomes.trapped)")
    }
}
