import ArgumentParser

@main
struct WasmCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wasmcheck",
        abstract: "A WebAssembly reference runtime and the tools that prove engines right.",
        subcommands: [Wast.self, MergeReports.self, Validate.self, Inspect.self, Invoke.self, Run.self, Compile.self, Smith.self, Fuzz.self, Serve.self, Reduce.self, Repro.self]
    )
}

/// Exit codes shared by the subcommands, so scripts can tell failures apart.
enum ExitStatus {
    /// A test or assertion failed, or the module was rejected.
    static let failure = ExitCode(1)
    /// The input could not be read or used at all.
    static let usage = ExitCode(2)
    /// The WebAssembly code trapped.
    static let trap = ExitCode(3)
}
