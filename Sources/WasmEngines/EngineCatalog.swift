import Foundation
import WasmInterpreter
import WasmJIT
import WasmRuntime

/// The one catalog of engine names, used by every command that runs
/// modules (`wast`, `fuzz`, `invoke`, `repro`, `reduce`):
/// - `interpreter` (alias `interp`): our interpreter, in this process;
/// - `jit`: our single-pass JIT for the host (x86-64), in this process;
/// - `serve`: our interpreter in a child process (`wasmcheck serve`), over
///   the wire protocol;
/// - `wasmtime` (alias `wasmtime:cranelift`), `wasmtime:winch`: wasmtime
///   through ci/engines/wasmtime_engine.py (Cranelift, or its baseline
///   compiler Winch);
/// - `process:COMMAND ARGS...`: any program that speaks the wire protocol;
/// - `interpreter!FAULT`, `jit!FAULT`, `serve!FAULT`: test-only variants with a planted
///   bug (`InjectedFault`; `serve` also takes `crash` and `hang`), for the
///   gate's and the fuzzer's self-tests.
public enum EngineCatalog {
    /// The engines CI gates on the official suites, in the order reports
    /// show them (each has baselines in testsuite/baselines/).
    public static let gated = ["interpreter", "jit", "serve"]

    /// Every name `EngineSpec.parse` takes, for help texts.
    public static let names = ["interpreter", "interp", "jit", "serve", "wasmtime", "wasmtime:cranelift", "wasmtime:winch", "process:COMMAND"]
}

/// An engine named on the command line (`--engine serve`, `--engines
/// interp,wasmtime`; see `EngineCatalog`), from which each script or
/// fuzzing job makes its own instance.
public struct EngineSpec: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// One of our tiers in this process.
        case inProcess(InProcessTier, fault: InjectedFault?)
        case process(command: [String])
    }

    /// Our tiers, by their catalog names.
    public enum InProcessTier: String, Sendable, Hashable, CaseIterable {
        case interpreter, jit

        public func make() -> any ExecutionTier {
            switch self {
            case .interpreter: return Interpreter()
            case .jit: return JIT()
            }
        }
    }

    /// The name as given (`interp!nan-bits`).
    public var name: String
    public var kind: Kind
    /// Seconds a child may take per request.
    public var timeout: Double = 10
    /// The engine's name in reports and baselines: one name per engine
    /// (`interp` is `interpreter`), and a faulty variant keeps the real
    /// engine's, so that the gate compares it with the real baseline.
    public var canonicalName: String
    /// Whether the engine's rejection and link messages are the reference
    /// interpreter's wording (ours are; wasmtime's are its own), so that the
    /// spec runner compares them rather than only the kind of rejection.
    public var usesSpecMessages: Bool

    public init(name: String, kind: Kind, canonicalName: String? = nil, usesSpecMessages: Bool = true) {
        self.name = name
        self.kind = kind
        self.canonicalName = canonicalName ?? name
        self.usesSpecMessages = usesSpecMessages
    }

    public var description: String { name }

    /// Where to find the programs engine names refer to.
    public struct Environment: Sendable {
        /// How to run `wasmcheck` itself (for `serve`).
        public var selfCommand: [String]
        /// The wasmtime adapter script, if found.
        public var wasmtimeScript: String?
        /// The Python interpreter for the adapter.
        public var python: String

        public init(selfCommand: [String], wasmtimeScript: String?, python: String = "python3") {
            self.selfCommand = selfCommand
            self.wasmtimeScript = wasmtimeScript
            self.python = python
        }

        /// This process's executable, and the adapter found wherever the
        /// command runs from: `WASMCHECK_WASMTIME_ENGINE` if set; else an
        /// installed copy (`share/wasmcheck/engines/` beside the
        /// executable's `bin/`); else the package this was built from
        /// (its `ci/engines/`, found from this source file's path and from
        /// the executable's, which SwiftPM puts inside the package).
        public static func current() -> Environment {
            let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? CommandLine.arguments.first ?? "wasmcheck"
            let script = ProcessInfo.processInfo.environment["WASMCHECK_WASMTIME_ENGINE"]
                ?? adapterCandidates(executable: executable).first { FileManager.default.fileExists(atPath: $0) }
            return Environment(selfCommand: [executable], wasmtimeScript: script)
        }

        /// Where the wasmtime adapter may be, most specific first.
        static func adapterCandidates(executable: String, sourceFile: String = #filePath) -> [String] {
            let executableDirectory = (executable as NSString).deletingLastPathComponent
            var candidates = [((executableDirectory as NSString).deletingLastPathComponent as NSString)
                .appendingPathComponent("share/wasmcheck/engines/wasmtime_engine.py")]
            // Sources/WasmEngines/EngineCatalog.swift -> the package root.
            var root = sourceFile
            for _ in 0..<3 { root = (root as NSString).deletingLastPathComponent }
            candidates.append(root + "/ci/engines/wasmtime_engine.py")
            var directory = executableDirectory
            for _ in 0..<6 {
                candidates.append(directory + "/ci/engines/wasmtime_engine.py")
                directory = (directory as NSString).deletingLastPathComponent
            }
            return candidates
        }
    }

    public struct ParseError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Parses one engine name.
    public static func parse(_ text: String, environment: Environment) throws(ParseError) -> EngineSpec {
        if text.hasPrefix("process:") {
            let command = text.dropFirst("process:".count).split(separator: " ").map(String.init)
            guard !command.isEmpty else { throw ParseError(description: "process: needs a command") }
            return EngineSpec(name: text, kind: .process(command: command))
        }
        let parts = text.split(separator: "!", maxSplits: 1).map(String.init)
        let base = parts.first ?? ""
        let faultName = parts.count > 1 ? parts[1] : nil
        switch base {
        case "interp", "interpreter", "jit":
            let tier: InProcessTier = base == "jit" ? .jit : .interpreter
            var fault: InjectedFault?
            if let faultName {
                guard let f = InjectedFault(rawValue: faultName) else {
                    throw ParseError(description: "unknown fault \"\(faultName)\"; known: \(InjectedFault.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                fault = f
            }
            return EngineSpec(name: text, kind: .inProcess(tier, fault: fault), canonicalName: tier.rawValue)
        case "serve":
            var command = environment.selfCommand + ["serve"]
            if let faultName {
                let known = InjectedFault.allCases.map(\.rawValue) + MisbehavingEngine.Behaviour.allCases.map(\.rawValue)
                guard known.contains(faultName) else {
                    throw ParseError(description: "unknown fault \"\(faultName)\"; known: \(known.joined(separator: ", "))")
                }
                command += ["--inject-fault", faultName]
            }
            return EngineSpec(name: text, kind: .process(command: command), canonicalName: "serve")
        case "wasmtime", "wasmtime:cranelift", "wasmtime:winch":
            guard faultName == nil else { throw ParseError(description: "wasmtime has no faults to inject") }
            guard let script = environment.wasmtimeScript else {
                throw ParseError(description: "wasmtime: ci/engines/wasmtime_engine.py not found (set WASMCHECK_WASMTIME_ENGINE)")
            }
            var command = [environment.python, script]
            if base == "wasmtime:winch" { command += ["--strategy", "winch"] }
            return EngineSpec(name: text, kind: .process(command: command),
                              canonicalName: base == "wasmtime:winch" ? base : "wasmtime", usesSpecMessages: false)
        default:
            throw ParseError(description: "unknown engine \"\(text)\"; known: \(EngineCatalog.names.joined(separator: ", "))")
        }
    }

    /// Parses a comma-separated list.
    public static func parseList(_ text: String, environment: Environment) throws(ParseError) -> [EngineSpec] {
        var specs: [EngineSpec] = []
        for item in text.split(separator: ",") {
            specs.append(try parse(String(item).trimmingCharacters(in: .whitespaces), environment: environment))
        }
        guard !specs.isEmpty else { throw ParseError(description: "no engines") }
        return specs
    }

    /// A fresh engine.
    public func make() -> any WasmEngine {
        switch kind {
        case .inProcess(let tier, let fault):
            return InProcessEngine(name: name, features: .all, fuelPerCall: 10_000_000, fault: fault) { tier.make() }
        case .process(let command): return ProcessEngine(name: name, command: command, timeout: timeout)
        }
    }
}
