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
/// - `jit-agent`: the JIT's x86-64 code run by `wasmcheck-agent` in a child
///   process (docs/agent-protocol.md), so a crash of generated code is a
///   finding, not the end of the run;
/// - `jit-aarch64`: the JIT's AArch64 code run by the agent built for
///   AArch64 (`ci/build-agent.sh`) under `qemu-aarch64`;
/// - `process:COMMAND ARGS...`: any program that speaks the wire protocol;
/// - `jit-aarch64!a64-rotl-slip`: the AArch64 backend with a planted bug
///   (`PlantedBackendFault`), which only that architecture has;
/// - `interpreter!FAULT`, `jit!FAULT`, `serve!FAULT`: test-only variants with a planted
///   bug (`InjectedFault`; `serve` also takes `crash` and `hang`), for the
///   gate's and the fuzzer's self-tests.
public enum EngineCatalog {
    /// The engines CI gates on the official suites, in the order reports
    /// show them (each has baselines in testsuite/baselines/).
    public static let gated = ["interpreter", "jit", "jit-agent", "jit-aarch64", "serve"]

    /// Every name `EngineSpec.parse` takes, for help texts.
    public static let names = ["interpreter", "interp", "jit", "jit-agent", "jit-aarch64", "serve", "wasmtime", "wasmtime:cranelift", "wasmtime:winch", "process:COMMAND"]
}

/// An engine named on the command line (`--engine serve`, `--engines
/// interp,wasmtime`; see `EngineCatalog`), from which each script or
/// fuzzing job makes its own instance.
public struct EngineSpec: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// One of our tiers in this process.
        case inProcess(InProcessTier, fault: InjectedFault?)
        case process(command: [String])
        /// The JIT's code for `target` in the agent that `command` starts
        /// (with a bug planted in the backend, for self-tests).
        case agent(JITTarget, command: [String], fault: PlantedBackendFault?)
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

        /// How to start the agent for each architecture, when it was found.
        public var agentCommands: [JITTarget: [String]]

        public init(selfCommand: [String], wasmtimeScript: String?, python: String = "python3",
                    agentCommands: [JITTarget: [String]] = [:]) {
            self.selfCommand = selfCommand
            self.wasmtimeScript = wasmtimeScript
            self.python = python
            self.agentCommands = agentCommands
        }

        /// The agents: `WASMCHECK_AGENT` (x86-64) and `WASMCHECK_AGENT_AARCH64`
        /// if set; else `wasmcheck-agent` beside this executable (SwiftPM
        /// builds it there) and `.build/agent/wasmcheck-agent-aarch64` of the
        /// package (`ci/build-agent.sh`), run under `WASMCHECK_QEMU_AARCH64`
        /// or `qemu-aarch64`.
        static func agentCommands(executable: String) -> [JITTarget: [String]] {
            let environment = ProcessInfo.processInfo.environment
            let directory = (executable as NSString).deletingLastPathComponent
            // .build/release is a link to .build/<triple>/release, which
            // /proc/self/exe resolves: ci/build-agent.sh's .build/agent is
            // one or two folders up.
            var agentDirectories: [String] = []
            var parent = directory
            for _ in 0..<2 {
                parent = (parent as NSString).deletingLastPathComponent
                agentDirectories.append(parent + "/agent")
            }
            func first(_ paths: [String]) -> String? { paths.first { FileManager.default.isExecutableFile(atPath: $0) } }
            var commands: [JITTarget: [String]] = [:]
            if let native = environment["WASMCHECK_AGENT"]
                ?? first([directory + "/wasmcheck-agent"] + agentDirectories.map { $0 + "/wasmcheck-agent-x86_64" }) {
                commands[.x86_64] = [native]
            }
            if let arm = environment["WASMCHECK_AGENT_AARCH64"] ?? first(agentDirectories.map { $0 + "/wasmcheck-agent-aarch64" }) {
                commands[.aarch64] = [environment["WASMCHECK_QEMU_AARCH64"] ?? "qemu-aarch64", arm]
            }
            return commands
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
            return Environment(selfCommand: [executable], wasmtimeScript: script,
                               agentCommands: agentCommands(executable: executable))
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
                guard !(f.isInterpreterOnly && tier != .interpreter) else {
                    throw ParseError(description: "fault \"\(faultName)\" is planted in the interpreter's executor; the JIT does not have it")
                }
                fault = f
            }
            return EngineSpec(name: text, kind: .inProcess(tier, fault: fault), canonicalName: tier.rawValue)
        case "jit-agent", "jit-aarch64":
            let target: JITTarget = base == "jit-agent" ? .x86_64 : .aarch64
            var fault: PlantedBackendFault?
            if let faultName {
                let known = PlantedBackendFault.allCases.filter { $0.target == target }
                guard let f = known.first(where: { $0.rawValue == faultName }) else {
                    throw ParseError(description: "unknown fault \"\(faultName)\" for \(base); known: \(known.map(\.rawValue).joined(separator: ", "))")
                }
                fault = f
            }
            guard let command = environment.agentCommands[target] else {
                let how = target == .x86_64 ? "swift build builds wasmcheck-agent; or set WASMCHECK_AGENT"
                    : "ci/build-agent.sh builds it; or set WASMCHECK_AGENT_AARCH64"
                throw ParseError(description: "\(base): the agent for \(target) was not found (\(how))")
            }
            var spec = EngineSpec(name: text, kind: .agent(target, command: command, fault: fault), canonicalName: base)
            // Code under qemu-user runs 10-50 times slower.
            spec.timeout = target == .aarch64 ? 120 : 30
            return spec
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

    /// The same engine in a child process: one of our in-process tiers
    /// becomes `wasmcheck serve --tier TIER` (with its planted fault), so a
    /// tier that crashes or hangs is a finding and is restarted, as the
    /// out-of-process engines are (`wasmcheck fuzz --fork N`, and `repro`
    /// of a crash). Other engines are already out of process. The name
    /// stays, so records and signatures are the same either way.
    public func isolated(environment: Environment) -> EngineSpec {
        guard case .inProcess(let tier, let fault) = kind, !environment.selfCommand.isEmpty else { return self }
        var command = environment.selfCommand + ["serve", "--tier", tier.rawValue]
        if let fault { command += ["--inject-fault", fault.rawValue] }
        var spec = EngineSpec(name: name, kind: .process(command: command), canonicalName: canonicalName,
                              usesSpecMessages: usesSpecMessages)
        spec.timeout = timeout
        return spec
    }

    /// Whether the engine runs in this process (a crash of it is ours).
    public var isInProcess: Bool {
        if case .inProcess = kind { return true }
        return false
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
        case .agent(let target, let command, let fault):
            return AgentEngine(name: name, target: target, command: command, timeout: timeout, plantedFault: fault)
        }
    }
}
