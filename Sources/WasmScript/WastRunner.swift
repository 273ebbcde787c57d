import Foundation
import WasmBinary
import WasmEngines
import WasmRuntime
import WasmSyntax
import WasmText

/// Runs `.wast` scripts against one engine, directive by directive, as the
/// spec reference interpreter does (interpreter/script/run.ml). Every
/// engine is reached through `WasmEngine`, so the same runner checks our
/// tiers in this process, `wasmcheck serve`, wasmtime's adapter and any
/// engine behind the wire protocol (docs/engine-protocol.md).
public struct WastRunner: Sendable {
    /// The features of the run (a script under `legacy/` or
    /// `proposals/NAME/` adds its own, see `addsFolderFeatures`).
    public var features: Features
    /// Makes an engine; each thread of a suite run makes one and
    /// configures it afresh for every script.
    public var makeEngine: @Sendable () -> any WasmEngine
    /// Whether rejection and link messages are compared (engines whose
    /// messages are not the reference interpreter's are checked on the
    /// kind of rejection only; see `EngineSpec.usesSpecMessages`).
    public var checksMessages = true
    public var skipList: SkipList
    /// Whether scripts under `legacy/` and `proposals/NAME/` run with their
    /// feature added to `features` (`SuiteFeatures`).
    public var addsFolderFeatures = true

    public init(features: Features = .wasm3, skipList: SkipList = SkipList(), makeEngine: @escaping @Sendable () -> any WasmEngine) {
        self.features = features
        self.makeEngine = makeEngine
        self.skipList = skipList
    }

    /// Runs one script file on a fresh engine. Never throws: whatever goes
    /// wrong is in the report.
    public func run(path: String) -> FileReport {
        run(path: path, on: makeEngine())
    }

    /// Runs one script file on `engine`, which it configures (a fresh store)
    /// first.
    public func run(path: String, on engine: any WasmEngine) -> FileReport {
        let start = Date()
        if let entry = skipList.fileEntry(for: path) {
            return FileReport(path: path, results: [DirectiveResult(line: 0, directive: "file", outcome: .skipped(entry.reason))])
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return FileReport(path: path, error: "cannot read file")
        }
        var features = self.features
        if addsFolderFeatures { features.formUnion(SuiteFeatures.additions(for: path)) }
        let script: Script
        do {
            script = try parseScript(utf8: [UInt8](data), fileName: path, features: features)
        } catch {
            return FileReport(path: path, error: "\(error.line):\(error.column): \(error.message)", seconds: Date().timeIntervalSince(start))
        }
        let prints = SpectestPrints()
        do {
            _ = try engine.configure(features: features, fuelPerCall: nil)
            try prints.define(on: engine)
        } catch {
            return FileReport(path: path, error: "engine \(engine.name): \(error)", seconds: Date().timeIntervalSince(start))
        }
        var session = ScriptSession(engine: engine, features: features, checksMessages: checksMessages)
        var results: [DirectiveResult] = []
        for command in script.commands {
            let t0 = Date()
            guard var result = session.execute(command) else { continue }
            result.seconds = Date().timeIntervalSince(t0)
            if let entry = skipList.directiveEntry(for: path, line: command.line) {
                switch (entry.action, result.outcome) {
                case (.skip, _): result.outcome = .skipped(entry.reason)
                case (.xfail, .failed): result.outcome = .expectedFailure(entry.reason)
                case (.xfail, .passed): result.outcome = .unexpectedPass("listed as an expected failure (\(entry.reason)) but passed: remove it from the skip list")
                case (.xfail, _): break
                }
            }
            results.append(result)
        }
        var report = FileReport(path: path, results: results, seconds: Date().timeIntervalSince(start))
        report.hostCalls = prints.calls
        return report
    }
}

/// The state of one script as it runs: the engine's handles of the
/// script's modules and instances, and the current one.
struct ScriptSession {
    let engine: any WasmEngine
    let features: Features
    let checksMessages: Bool
    /// Instances by `$id`.
    var instances: [String: InstanceHandle] = [:]
    /// Module definitions by `$id` (`module definition`).
    var definitions: [String: ModuleHandle] = [:]
    var lastDefinition: ModuleHandle?
    var current: InstanceHandle?

    init(engine: any WasmEngine, features: Features, checksMessages: Bool) {
        self.engine = engine
        self.features = features
        self.checksMessages = checksMessages
    }

    /// Runs one command; nil for commands that are not checks of their own
    /// (`register` that works).
    mutating func execute(_ command: Command) -> DirectiveResult? {
        let line = command.line
        func result(_ directive: String, _ outcome: Outcome, expected: String? = nil, actual: String? = nil) -> DirectiveResult {
            DirectiveResult(line: line, directive: directive, outcome: outcome, expected: expected, actual: actual)
        }
        switch command.kind {
        case .module(let m):
            // Until a module is defined, the commands that follow must not
            // run on the one before (they would fail in misleading ways).
            if !m.isDefinition { current = nil }
            switch compile(m) {
            case .failure(let failure):
                return result("module", .failed(failure.description))
            case .success(let module):
                if m.isDefinition {
                    if let id = m.id { definitions[id] = module }
                    lastDefinition = module
                    return result("module", .passed)
                }
                switch instantiate(module) {
                case .failure(let failure): return result("module", .failed(failure.description))
                case .success(let instance):
                    current = instance
                    if let id = m.id { instances[id] = instance }
                    return result("module", .passed)
                }
            }

        case .instance(let id, let definitionID):
            current = nil
            guard let module = definitionID.flatMap({ definitions[$0] }) ?? lastDefinition else {
                return result("module instance", .failed("unknown module definition \(definitionID ?? "(last)")"))
            }
            switch instantiate(module) {
            case .failure(let failure): return result("module instance", .failed(failure.description))
            case .success(let instance):
                current = instance
                if let id { instances[id] = instance }
                return result("module instance", .passed)
            }

        case .register(let name, let moduleID):
            guard let instance = moduleID.flatMap({ instances[$0] }) ?? current else {
                return result("register", .failed("no module to register"))
            }
            do {
                try engine.register(instance, as: name)
            } catch {
                return result("register", .failed(Failure.engine(error).description))
            }
            return nil

        case .action(let action):
            switch perform(action) {
            case .success: return result("action", .passed)
            case .failure(let f): return result("action", .failed(f.description))
            }

        case .assertReturn(let action, let expected):
            let expectedText = expected.map(describe).joined(separator: " ")
            switch perform(action) {
            case .failure(let f):
                return result("assert_return", .failed(f.description), expected: expectedText, actual: f.description)
            case .success(let values):
                let actualText = values.map(describe).joined(separator: " ")
                if values.count == expected.count && zip(values, expected).allSatisfy({ matches($0, $1) }) {
                    return result("assert_return", .passed)
                }
                return result("assert_return", .failed("wrong result"), expected: expectedText, actual: actualText)
            }

        case .assertTrap(let action, let message), .assertExhaustion(let action, let message):
            let directive = if case .assertTrap = command.kind { "assert_trap" } else { "assert_exhaustion" }
            switch perform(action) {
            case .success(let values):
                return result(directive, .failed("expected a trap"), expected: message, actual: values.map(describe).joined(separator: " "))
            case .failure(.trap(let trap)), .failure(.exhausted(let trap)):
                return trap.message.hasPrefix(message)
                    ? result(directive, .passed)
                    : result(directive, .failed("wrong trap"), expected: message, actual: trap.message)
            case .failure(let f):
                return result(directive, .failed(f.description), expected: message, actual: f.description)
            }

        case .assertException(let action):
            switch perform(action) {
            case .failure(.trap(let trap)) where trap.kind == .uncaughtException: return result("assert_exception", .passed)
            case .failure(let f): return result("assert_exception", .failed("expected an exception"), expected: "exception", actual: f.description)
            case .success(let values): return result("assert_exception", .failed("expected an exception"), expected: "exception", actual: values.map(describe).joined(separator: " "))
            }

        case .assertModuleTrap(let m, let message), .assertUninstantiable(let m, let message):
            let directive = if case .assertModuleTrap = command.kind { "assert_trap" } else { "assert_uninstantiable" }
            switch compile(m) {
            case .failure(let f): return result(directive, .failed(f.description), expected: message, actual: f.description)
            case .success(let module):
                switch instantiate(module) {
                case .success: return result(directive, .failed("module instantiated"), expected: message, actual: "instance")
                case .failure(.trap(let trap)), .failure(.exhausted(let trap)):
                    return trap.message.hasPrefix(message)
                        ? result(directive, .passed)
                        : result(directive, .failed("wrong trap"), expected: message, actual: trap.message)
                case .failure(let f): return result(directive, .failed(f.description), expected: message, actual: f.description)
                }
            }

        case .assertUnlinkable(let m, let message):
            switch compile(m) {
            case .failure(let f): return result("assert_unlinkable", .failed(f.description), expected: message, actual: f.description)
            case .success(let module):
                switch instantiate(module) {
                case .success: return result("assert_unlinkable", .failed("module linked"), expected: message, actual: "instance")
                case .failure(.unlinkable(let error)):
                    return !checksMessages || error.hasPrefix(message)
                        ? result("assert_unlinkable", .passed)
                        : result("assert_unlinkable", .failed("wrong link error"), expected: message, actual: error)
                case .failure(let f): return result("assert_unlinkable", .failed(f.description), expected: message, actual: f.description)
                }
            }

        case .assertInvalid(let m, let message):
            return expectRejection("assert_invalid", m, kind: .invalid, message: message, line: line)

        case .assertMalformed(let m, let message):
            return expectRejection("assert_malformed", m, kind: .malformed, message: message, line: line)

        case .assertMalformedCustom(let m, let message):
            // A malformed annotation is a text error, like any other.
            return expectRejection("assert_malformed_custom", m, kind: .malformed, message: message, line: line)

        case .assertInvalidCustom(let m, let message):
            return expectInvalidCustomSection(m, message: message, line: line)

        case .thread:
            return result("thread", .skipped("threads are not supported yet"))
        case .wait:
            return result("wait", .skipped("threads are not supported yet"))
        }
    }

    // MARK: Modules

    /// The binary of a script module: text goes through the encoder, so
    /// every engine is given bytes and every module is executed from its
    /// binary.
    func bytes(of m: ScriptModule) -> Result<[UInt8], Failure> {
        switch m.source {
        case .text(let module): return .success(encodeModule(module))
        case .binary(let b): return .success(b)
        case .quote(let text):
            do { return .success(encodeModule(try parseModule(utf8: text, features: features))) } catch { return .failure(.text(error)) }
        case .unsupported(let error): return .failure(.text(error))
        }
    }

    func compile(_ m: ScriptModule) -> Result<ModuleHandle, Failure> {
        let bytes: [UInt8]
        switch self.bytes(of: m) {
        case .success(let b): bytes = b
        case .failure(let f): return .failure(f)
        }
        do {
            switch try engine.compile(bytes) {
            case .compiled(let module): return .success(module)
            case .rejected(let rejection): return .failure(.rejected(rejection))
            }
        } catch {
            return .failure(.engine(error))
        }
    }

    func instantiate(_ module: ModuleHandle) -> Result<InstanceHandle, Failure> {
        do {
            switch try engine.instantiate(module, imports: .spectest) {
            case .instantiated(let instance): return .success(instance)
            case .unlinkable(let message): return .failure(.unlinkable(message))
            case .trapped(let kind, let detail): return .failure(.trap(Trap(kind, detail: detail)))
            case .exhausted(let kind): return .failure(.exhausted(Trap(kind)))
            }
        } catch {
            return .failure(.engine(error))
        }
    }

    /// `assert_invalid` / `assert_malformed`: the module must be rejected in
    /// the expected way, with a message that starts with the expected one (the
    /// reference interpreter's rule).
    func expectRejection(_ directive: String, _ m: ScriptModule, kind: Rejection.Kind, message: String, line: Int) -> DirectiveResult {
        func result(_ outcome: Outcome, actual: String? = nil) -> DirectiveResult {
            DirectiveResult(line: line, directive: directive, outcome: outcome, expected: message, actual: actual)
        }
        switch compile(m) {
        case .success:
            return result(.failed("module accepted"), actual: "valid module")
        case .failure(.text(let error)):
            // A text error is a malformed module (the text format's rules).
            guard kind == .malformed else { return result(.failed("text error instead of a validation error"), actual: error.message) }
            return messageMatches(error.message, expected: message) ? result(.passed) : result(.failed("wrong message"), actual: error.message)
        case .failure(.rejected(let rejection)):
            guard rejection.kind == kind || (!checksMessages && rejection.kind == .unknown) else {
                return result(.failed("\(rejection.kind.rawValue) instead of \(kind.rawValue)"), actual: rejection.message)
            }
            return !checksMessages || messageMatches(rejection.message, expected: message)
                ? result(.passed) : result(.failed("wrong message"), actual: rejection.message)
        case .failure(let f):
            return result(.failed(f.description), actual: f.description)
        }
    }

    /// `assert_invalid_custom`: the module is valid, but a custom section
    /// (that an annotation produced) does not fit it. The spec lets engines
    /// ignore custom sections, so this is not validation: the reference
    /// interpreter checks them after validating, and so do we, with
    /// `checkCustomSections` on the binary, once the engine accepted it.
    func expectInvalidCustomSection(_ m: ScriptModule, message: String, line: Int) -> DirectiveResult {
        func result(_ outcome: Outcome, actual: String? = nil) -> DirectiveResult {
            DirectiveResult(line: line, directive: "assert_invalid_custom", outcome: outcome, expected: message, actual: actual)
        }
        let bytes: [UInt8]
        switch self.bytes(of: m) {
        case .success(let b): bytes = b
        case .failure(let f): return result(.failed(f.description), actual: f.description)
        }
        if case .failure(let f) = compile(m) { return result(.failed(f.description), actual: f.description) }
        do {
            try checkCustomSections(bytes, features: features)
            return result(.failed("custom sections accepted"), actual: "valid custom sections")
        } catch {
            return messageMatches(error.message, expected: message) ? result(.passed) : result(.failed("wrong message"), actual: error.message)
        }
    }

    // MARK: Actions

    func perform(_ action: Action) -> Result<[EngineValue], Failure> {
        guard let instance = action.module.flatMap({ instances[$0] }) ?? current else {
            return .failure(.missing("no module instance \(action.module ?? "")"))
        }
        do {
            switch action {
            case .invoke(_, let name, let arguments):
                switch try engine.invoke(instance, export: name, arguments: arguments.map(value)) {
                case .returned(let values): return .success(values)
                case .trapped(let kind, let detail): return .failure(.trap(Trap(kind, detail: detail)))
                case .exhausted(let kind): return .failure(.exhausted(Trap(kind)))
                }
            case .get(_, let name):
                return .success([try engine.global(instance, export: name)])
            }
        } catch {
            return .failure(.engine(error))
        }
    }

    func value(_ argument: Argument) -> EngineValue {
        switch argument {
        case .i32(let v): return .i32(v)
        case .i64(let v): return .i64(v)
        case .f32(let v): return .f32(v)
        case .f64(let v): return .f64(v)
        case .v128(let v): return .v128(v)
        // The engine gives a null argument the parameter's type.
        case .refNull(let h): return .ref(.null(RefHierarchy(h, types: [])))
        case .refExtern(let n), .refHost(let n): return .ref(.host(n))
        }
    }
}

/// Whether an error message is the one a script expects: the expected text
/// is a prefix of ours (the reference interpreter's rule), or the two are
/// known wordings of the same rule in different versions of the suite.
func messageMatches(_ actual: String, expected: String) -> Bool {
    if actual.hasPrefix(expected) { return true }
    return equivalentMessages.contains { $0.contains(expected) && $0.contains { actual.hasPrefix($0) } }
}

/// Messages the official suite worded differently over time for the same
/// rule; we give the newest wording and accept either.
private let equivalentMessages: [Set<String>] = [
    // A SIMD lane index over 255 in the text format: 2.0 said "malformed lane
    // index", 3.0 says "i8 constant out of range".
    ["malformed lane index", "i8 constant out of range"],
    // `global.set` of an immutable global: 2.0 "global is immutable", 3.0 "immutable global".
    ["global is immutable", "immutable global"],
]

/// Why a step of a directive did not do what the script asked.
enum Failure: Error, CustomStringConvertible {
    case text(TextError)
    case rejected(Rejection)
    case unlinkable(String)
    case trap(Trap)
    case exhausted(Trap)
    case missing(String)
    /// The engine itself failed (crashed, hung, broke the protocol, or
    /// refused the request).
    case engine(EngineFailure)

    var description: String {
        switch self {
        case .text(let e): return "text error at \(e.line):\(e.column): \(e.message)"
        case .rejected(let r): return "\(r.kind.rawValue) module: \(r.message)"
        case .unlinkable(let e): return "unlinkable: \(e)"
        case .trap(let trap) where trap.kind == .uncaughtException: return "exception: uncaught exception"
        case .trap(let trap): return "trap: \(trap.message)"
        case .exhausted(let trap): return "exhausted: \(trap.message)"
        case .missing(let m): return m
        case .engine(let failure): return "engine failure: \(failure)"
        }
    }
}
