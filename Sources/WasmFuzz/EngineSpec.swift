import Foundation

/// An engine named on the command line (`--engines interp,wasmtime`), from
/// which each fuzzing job makes its own instance.
///
/// Names:
/// - `interp`: our interpreter, in this process;
/// - `serve`: our interpreter in a child process (`wasmcheck serve`);
/// - `wasmtime`, `wasmtime:winch`: wasmtime through ci/engines/wasmtime_engine.py
///   (Cranelift, or its baseline compiler Winch);
/// - `process:COMMAND ARGS...`: any program that speaks the wire protocol;
/// - `interp!FAULT`, `serve!FAULT`: test-only variants with a planted bug
///   (`InjectedFault`; `serve` also takes `crash` and `hang`).
public struct EngineSpec: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case interpreter(fault: InjectedFault?)
        case process(command: [String])
    }

    public var name: String
    public var kind: Kind
    /// Seconds a child may take per request.
    public var timeout: Double = 10

    public var description: String { name }

    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }

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

        /// This process's executable, and the adapter found from the
        /// current directory or the executable's (a SwiftPM build directory
        /// inside the repository); `WASMCHECK_WASMTIME_ENGINE` overrides it.
        public static func current() -> Environment {
            let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? CommandLine.arguments.first ?? "wasmcheck"
            var script = ProcessInfo.processInfo.environment["WASMCHECK_WASMTIME_ENGINE"]
            if script == nil {
                var candidates = [FileManager.default.currentDirectoryPath]
                var directory = (executable as NSString).deletingLastPathComponent
                for _ in 0..<6 {
                    candidates.append(directory)
                    directory = (directory as NSString).deletingLastPathComponent
                }
                script = candidates.map { $0 + "/ci/engines/wasmtime_engine.py" }
                    .first { FileManager.default.fileExists(atPath: $0) }
            }
            return Environment(selfCommand: [executable], wasmtimeScript: script)
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
        case "interp", "interpreter":
            var fault: InjectedFault?
            if let faultName {
                guard let f = InjectedFault(rawValue: faultName) else {
                    throw ParseError(description: "unknown fault \"\(faultName)\"; known: \(InjectedFault.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                fault = f
            }
            return EngineSpec(name: text, kind: .interpreter(fault: fault))
        case "serve":
            var command = environment.selfCommand + ["serve"]
            if let faultName {
                let known = InjectedFault.allCases.map(\.rawValue) + MisbehavingEngine.Behaviour.allCases.map(\.rawValue)
                guard known.contains(faultName) else {
                    throw ParseError(description: "unknown fault \"\(faultName)\"; known: \(known.joined(separator: ", "))")
                }
                command += ["--inject-fault", faultName]
            }
            return EngineSpec(name: text, kind: .process(command: command))
        case "wasmtime", "wasmtime:cranelift", "wasmtime:winch":
            guard faultName == nil else { throw ParseError(description: "wasmtime has no faults to inject") }
            guard let script = environment.wasmtimeScript else {
                throw ParseError(description: "wasmtime: ci/engines/wasmtime_engine.py not found (set WASMCHECK_WASMTIME_ENGINE)")
            }
            var command = [environment.python, script]
            if base == "wasmtime:winch" { command += ["--strategy", "winch"] }
            return EngineSpec(name: text, kind: .process(command: command))
        default:
            throw ParseError(description: "unknown engine \"\(text)\"; known: interp, serve, wasmtime, wasmtime:winch, process:COMMAND")
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
        case .interpreter(let fault): return InterpreterEngine(name: name, fault: fault)
        case .process(let command): return ProcessEngine(name: name, command: command, timeout: timeout)
        }
    }
}
