import ArgumentParser
import Foundation
import WasmWASI
import WasmInterpreter
import WasmJIT
import WasmPlugins
import WasmEngines
import WasmRuntime
import WasmSyntax

/// `wasmcheck run`: runs a WASI program on any tier of ours (in process, or
/// the JIT's code in the agent: Run+Agent.swift), shaped like
/// `wasmtime run` so scripts and the WASI test suite's adapter can use
/// either: everything after the module goes to the program, the exit
/// status is the program's, and a trap exits with 134 (128 + SIGABRT, what
/// wasmtime returns on Unix for a trap).
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a WebAssembly program with WASI (preview 1), like `wasmtime run`.",
        discussion: """
            The program sees only the directories given with --dir, the variables given with --env, \
            and the arguments after the module (the module's path is argv[0]). The exit status is the \
            program's (proc_exit, or 0 when _start returns); a trap prints the trap and exits with 134.
            """
    )

    @Option(name: .customLong("invoke"), help: "Call this export instead of _start (arguments after the module are its parameters); prints the results.")
    var invoke: String?

    @Option(name: .customLong("dir"), help: "Give the program a host directory: HOST[::GUEST] (repeatable).")
    var directories: [String] = []

    @Option(name: .customLong("env"), help: "Set an environment variable for the program: NAME=VALUE, or NAME to pass the host's value (repeatable).")
    var environment: [String] = []

    @Option(help: "The tier: interpreter, jit, or the JIT's code in the agent process: jit-agent (x86-64), jit-aarch64 (under qemu-aarch64).")
    var engine: String = "interpreter"

    @Option(name: .customLong("argv0"), help: "The program's argv[0] (default: the module's file name without its folder, as wasmtime).")
    var argv0: String?

    @Option(name: .customShort("W", allowingJoined: true), help: "WebAssembly options, as wasmtime spells them: fuel=N (units: function entries and loop iterations).")
    var wasmOptions: [String] = []

    @Option(name: .customLong("max-memory"), help: "The most bytes any memory may grow to.")
    var maxMemory: UInt64?

    @Option(name: .customLong("max-stack"), help: "The most active WebAssembly frames; one more call traps with \"call stack exhausted\".")
    var maxStack: Int?

    @OptionGroup var features: FeatureOptions

    @OptionGroup var cacheOptions: CacheOptions

    @Option(name: .customLong("plugin"), help: "Load host functions from a native plugin: the path of its JSON manifest (repeatable).")
    var plugins: [String] = []

    @Argument(help: "The module (.wasm or .wat).") var file: String
    @Argument(parsing: .captureForPassthrough, help: "The program's arguments.") var arguments: [String] = []

    /// wasmtime's exit status for a trap on Unix: 128 + SIGABRT.
    static let trapStatus: Int32 = 134

    mutating func validate() throws {
        guard ["interpreter", "interp", "jit"].contains(engine) || Self.agentTiers.contains(engine) else {
            throw ArgumentParser.ValidationError("--engine must be interpreter, jit, jit-agent or jit-aarch64, not \(engine)")
        }
        _ = try fuel()
        if Self.agentTiers.contains(engine) {
            // What the agent tiers cannot do is refused, never ignored.
            if !plugins.isEmpty {
                throw ArgumentParser.ValidationError("--plugin is not supported with --engine \(engine): native plugins are called in this process, the agent runs the code in another")
            }
            if cacheOptions.directory != nil {
                throw ArgumentParser.ValidationError("--cache is not supported with --engine \(engine): the compiled-module cache holds code for --engine jit")
            }
        }
    }

    func fuel() throws -> UInt64? {
        var fuel: UInt64?
        for option in wasmOptions {
            let parts = option.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[0] == "fuel", let value = UInt64(parts[1]) else {
                throw ArgumentParser.ValidationError("unknown -W option \(option); supported: fuel=N")
            }
            fuel = value
        }
        return fuel
    }

    func run() throws {
        let bytes = try loadModuleBytes(file)
        if Self.agentTiers.contains(engine) { runOnAgent(bytes) }
        var configuration = EngineConfiguration()
        configuration.features = features.features
        let fuel = try fuel()
        configuration.consumesFuel = fuel != nil
        if let maxMemory { configuration.maxMemoryBytes = maxMemory }
        if let maxStack { configuration.maxCallDepth = Swift.max(maxStack, 1) }
        // The cache holds JIT code; the interpreter's translation is cheap.
        let tier: any ExecutionTier = engine == "jit" ? JIT(cache: try cacheOptions.open()) : Interpreter()
        let engine = Engine(configuration: configuration, tier: tier)
        let store = Store(engine: engine)
        if let fuel { store.fuel = fuel }

        let module: WasmRuntime.Module
        do {
            module = try WasmRuntime.Module(engine: engine, bytes: bytes)
        } catch {
            fail("failed to compile `\(file)`: \(error)")
        }

        let wasi = makeWASI()
        var linker = Linker()
        wasi.define(in: &linker, store: store)
        // Plugins after WASI: a plugin may replace a WASI function. Their
        // signatures are checked against the module's imports first, so a
        // mismatch is a link error, never a call with the wrong arguments.
        for manifest in plugins {
            do {
                let plugin = try NativePlugin(manifestPath: manifest)
                try plugin.checkImports(of: module)
                plugin.define(in: &linker, store: store)
            } catch {
                fail("failed to instantiate `\(file)`: \(error)")
            }
        }

        do {
            let instance: Instance
            do {
                instance = try linker.instantiate(module, in: store)
            } catch {
                fail("failed to instantiate `\(file)`: \(error)")
            }
            wasi.bind(instance)
            if let initialize = instance.function("_initialize") {
                _ = try wasi.call(initialize, [])
            }
            if let invoke {
                try call(invoke, in: instance, wasi: wasi)
            } else {
                guard instance.function("_start") != nil else {
                    fail("`\(file)` exports no _start function; use --invoke to call another export")
                }
                try wasi.start(instance)
            }
        } catch let exit as WASIExit {
            self.exit(with: exit.code)
        } catch let trap as Trap {
            exit(with: trap, fuel: fuel, maxStack: configuration.maxCallDepth)
        }
    }

    /// The program's WASI: its arguments, environment and preopens.
    func makeWASI() -> WASI {
        // argv[0] is the module's base name, as `wasmtime run` gives it
        // (src/commands/run.rs, compute_argv: no path information leaks).
        let argv0 = self.argv0 ?? file.split(separator: "/").last.map(String.init) ?? file
        var context = WASIContext(arguments: [argv0] + (invoke == nil ? arguments : []))
        for item in environment {
            if let eq = item.firstIndex(of: "=") {
                context.environment.append((String(item[..<eq]), String(item[item.index(after: eq)...])))
            } else if let value = ProcessInfo.processInfo.environment[item] {
                context.environment.append((item, value))
            }
        }
        context.preopens = directories.map { WASIContext.Preopen(argument: $0) }
        do {
            return try WASI(context: context)
        } catch {
            fail("\(error)")
        }
    }

    /// `proc_exit`'s status as the exit status of this process.
    func exit(with code: UInt32) -> Never { Foundation.exit(status(exit: code)) }

    /// The exit status for `proc_exit(code)` (reported when refused).
    func status(exit code: UInt32) -> Int32 {
        // As wasmtime: statuses of 126 and above are reserved by shells
        // (not found, signals), so a program cannot claim them.
        // wasmtime-wasi's proc_exit returns an error that is no I32Exit, so
        // `wasmtime run` reports it and exits with 1 (crates/wasi/src/p1.rs).
        guard code < 126 else {
            printError("Error: failed to run main module `\(file)`: exit with invalid exit status outside of [0..126): \(code)")
            return 1
        }
        return Int32(code)
    }

    /// A trap ends the run with wasmtime's status for a trap.
    func exit(with trap: Trap, fuel: UInt64?, maxStack: Int) -> Never {
        Foundation.exit(status(trap: trap, fuel: fuel, maxStack: maxStack))
    }

    /// Reports a trap; wasmtime's exit status for it.
    func status(trap: Trap, fuel: UInt64?, maxStack: Int) -> Int32 {
        printError("Error: failed to run main module `\(file)`: wasm trap: \(trap.message)\(Self.explanation(trap.kind, fuel: fuel, maxStack: maxStack))")
        if let report = backtraceReport(trap) { printError(report) }
        return Self.trapStatus
    }

    /// Why a limit trap happened, in the options' terms.
    static func explanation(_ kind: TrapKind, fuel: UInt64?, maxStack: Int) -> String {
        switch kind {
        case .outOfFuel: return " (the program used all \(fuel ?? 0) units of fuel given with -W fuel=N)"
        case .callStackExhausted: return " (more than \(maxStack) active wasm frames; see --max-stack)"
        default: return ""
        }
    }

    /// `--invoke`: calls an export with arguments typed by its parameters.
    func call(_ name: String, in instance: Instance, wasi: WASI) throws {
        let function = instance.function(name)
        let values: [EngineValue]
        do {
            values = try invokeArguments(name, params: function?.type.params) {
                instance.exports.compactMap { if case .function = $0.value { return $0.name }; return nil }
            }
        } catch let error as InvokeError {
            fail(error.message)
        }
        // invokeArguments refuses a missing function and arguments that do not fit.
        let arguments = zip(values, function!.type.params).compactMap { InProcessEngine.value($0, as: $1) }
        for result in try wasi.call(function!, arguments) {
            print(EngineValue(plain: result).map(Self.text) ?? "\(result)")
        }
    }

    /// Why `--invoke` cannot make the call (reported as `Error: message`).
    struct InvokeError: Error {
        var message: String
    }

    /// `--invoke NAME ARGS...`: the arguments read as the parameters of the
    /// export (`params`, nil when the module exports no such function) type
    /// them; every tier calls with these.
    func invokeArguments(_ name: String, params: [ValueType]?,
                         exportedFunctions: () throws -> [String]) throws -> [EngineValue] {
        guard let params else {
            let names = try exportedFunctions()
            throw InvokeError(message: "`\(file)` exports no function \"\(name)\"; exported functions: \(names.joined(separator: ", "))")
        }
        guard params.count == arguments.count else {
            throw InvokeError(message: "\(name) takes \(params.count) argument(s), got \(arguments.count)")
        }
        return try zip(arguments, params).map { text, type in
            guard let value = parseArgument(text, as: type), InProcessEngine.value(value, as: type) != nil else {
                throw InvokeError(message: "cannot read \"\(text)\" as \(type)")
            }
            return value
        }
    }

    /// Results as wasmtime prints them: integers signed, floats as numbers.
    static func text(_ value: EngineValue) -> String {
        switch value {
        case .i32(let v): return "\(Int32(bitPattern: v))"
        case .i64(let v): return "\(Int64(bitPattern: v))"
        case .f32(let v): return "\(Float(bitPattern: v))"
        case .f64(let v): return "\(Double(bitPattern: v))"
        default: return "\(value)"
        }
    }

    func fail(_ message: String) -> Never {
        printError("Error: \(message)")
        Foundation.exit(1)
    }
}
