import WasmEngines
import ArgumentParser
import WasmFuzz

/// `wasmcheck serve`: one of our tiers behind the engine protocol on
/// stdin/stdout (docs/engine-protocol.md), so that the fuzzer can run it
/// in a child process and survive its crashes.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve one of our tiers (the interpreter by default) over the engine wire protocol on standard input and output.",
        discussion: "One JSON request per line in, one JSON answer per line out; see docs/engine-protocol.md."
    )

    @Option(help: "Fuel per call from the host (0: unlimited).") var fuel: UInt64 = 10_000_000

    @Option(help: "The tier to serve: interpreter or jit.") var tier: String = "interpreter"

    /// Test-only: plant a bug (an interpreter fault, or crash/hang on some calls).
    @Option(help: .hidden) var injectFault: String?

    func run() throws {
        guard let tier = EngineSpec.InProcessTier(rawValue: tier == "interp" ? "interpreter" : tier) else {
            printError("serve: --tier must be interpreter or jit, not \(tier)")
            throw ExitStatus.usage
        }
        let fuelPerCall = fuel == 0 ? nil : fuel
        func make(_ fault: InjectedFault?) -> any WasmEngine {
            InProcessEngine(name: "serve", fuelPerCall: fuelPerCall, fault: fault) { tier.make() }
        }
        var engine = make(nil)
        if let name = injectFault {
            if let fault = InjectedFault(rawValue: name) {
                guard !(fault.isInterpreterOnly && tier != .interpreter) else {
                    printError("serve: fault \(name) is planted in the interpreter; the \(tier.rawValue) tier does not have it")
                    throw ExitStatus.usage
                }
                engine = make(fault)
            } else if let behaviour = MisbehavingEngine.Behaviour(rawValue: name) {
                engine = MisbehavingEngine(wrapping: engine, behaviour: behaviour)
            } else {
                printError("serve: unknown fault \(name)")
                throw ExitStatus.usage
            }
        }
        EngineServer(engine: engine, description: "wasmcheck \(tier.rawValue)").serve()
    }
}
