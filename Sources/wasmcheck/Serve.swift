import WasmEngines
import ArgumentParser
import WasmFuzz

/// `wasmcheck serve`: our interpreter behind the engine protocol on
/// stdin/stdout (docs/engine-protocol.md), so that the fuzzer can run it
/// in a child process and survive its crashes.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the interpreter over the engine wire protocol on standard input and output.",
        discussion: "One JSON request per line in, one JSON answer per line out; see docs/engine-protocol.md."
    )

    @Option(help: "Fuel per call from the host (0: unlimited).") var fuel: UInt64 = 10_000_000

    /// Test-only: plant a bug (an interpreter fault, or crash/hang on some calls).
    @Option(help: .hidden) var injectFault: String?

    func run() throws {
        var engine: any WasmEngine = InProcessEngine.interpreter(name: "serve", fuelPerCall: fuel == 0 ? nil : fuel)
        if let name = injectFault {
            if let fault = InjectedFault(rawValue: name) {
                engine = InProcessEngine.interpreter(name: "serve", fuelPerCall: fuel == 0 ? nil : fuel, fault: fault)
            } else if let behaviour = MisbehavingEngine.Behaviour(rawValue: name) {
                engine = MisbehavingEngine(wrapping: engine, behaviour: behaviour)
            } else {
                printError("serve: unknown fault \(name)")
                throw ExitStatus.usage
            }
        }
        EngineServer(engine: engine, description: "wasmcheck interpreter").serve()
    }
}
