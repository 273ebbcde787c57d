import Foundation
import WasmBinary
import WasmRuntime
import WasmSyntax
import WasmText

/// Runs `.wast` scripts against one engine configuration and tier, directive
/// by directive, as the spec reference interpreter does (interpreter/script/run.ml).
public struct WastRunner: Sendable {
    public var configuration: EngineConfiguration
    /// Makes the tier for each script (a script gets its own engine and store).
    public var makeTier: @Sendable () -> any ExecutionTier
    public var skipList: SkipList
    /// Whether scripts under `legacy/` and `proposals/NAME/` run with their
    /// feature added to `configuration.features` (`SuiteFeatures`).
    public var addsFolderFeatures = true

    public init(configuration: EngineConfiguration = EngineConfiguration(), skipList: SkipList = SkipList(), makeTier: @escaping @Sendable () -> any ExecutionTier) {
        self.configuration = configuration
        self.makeTier = makeTier
        self.skipList = skipList
    }

    /// Runs one script file. Never throws: whatever goes wrong is in the report.
    public func run(path: String) -> FileReport {
        let start = Date()
        if let entry = skipList.fileEntry(for: path) {
            return FileReport(path: path, results: [DirectiveResult(line: 0, directive: "file", outcome: .skipped(entry.reason))])
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return FileReport(path: path, error: "cannot read file")
        }
        var configuration = self.configuration
        if addsFolderFeatures { configuration.features.formUnion(SuiteFeatures.additions(for: path)) }
        let script: Script
        do {
            script = try parseScript(utf8: [UInt8](data), fileName: path, features: configuration.features)
        } catch {
            return FileReport(path: path, error: "\(error.line):\(error.column): \(error.message)", seconds: Date().timeIntervalSince(start))
        }
        var session = ScriptSession(engine: Engine(configuration: configuration, tier: makeTier()))
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
        return FileReport(path: path, results: results, seconds: Date().timeIntervalSince(start))
    }
}

/// The state of one script as it runs: the store, the registered modules and
/// the current one.
struct ScriptSession {
    let engine: Engine
    let store: Store
    var linker = Linker()
    /// Instances by `$id`.
    var instances: [String: Instance] = [:]
    /// Module definitions by `$id` (`module definition`).
    var definitions: [String: WasmRuntime.Module] = [:]
    var lastDefinition: WasmRuntime.Module?
    var current: Instance?

    init(engine: Engine) {
        self.engine = engine
        self.store = Store(engine: engine)
        Spectest.define(in: &linker, store: store)
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
            linker.define(module: name, instance: instance)
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
            case .failure(.trap(let trap)):
                return trap.message.hasPrefix(message)
                    ? result(directive, .passed)
                    : result(directive, .failed("wrong trap"), expected: message, actual: trap.message)
            case .failure(let f):
                return result(directive, .failed(f.description), expected: message, actual: f.description)
            }

        case .assertException(let action):
            switch perform(action) {
            case .failure(.exception): return result("assert_exception", .passed)
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
                case .failure(.trap(let trap)):
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
                    return error.message.hasPrefix(message)
                        ? result("assert_unlinkable", .passed)
                        : result("assert_unlinkable", .failed("wrong link error"), expected: message, actual: error.message)
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

    /// Compiles a script module: text goes through the encoder, so every
    /// module is executed from its binary.
    func compile(_ m: ScriptModule) -> Result<WasmRuntime.Module, Failure> {
        let bytes: [UInt8]
        switch m.source {
        case .text(let module): bytes = encodeModule(module)
        case .binary(let b): bytes = b
        case .quote(let text):
            do { bytes = encodeModule(try parseModule(utf8: text, features: engine.configuration.features)) } catch { return .failure(.text(error)) }
        case .unsupported(let error): return .failure(.text(error))
        }
        do {
            return .success(try WasmRuntime.Module(engine: engine, bytes: bytes))
        } catch {
            return .failure(.compile(error))
        }
    }

    func instantiate(_ module: WasmRuntime.Module) -> Result<Instance, Failure> {
        do {
            return .success(try linker.instantiate(module, in: store))
        } catch {
            switch error {
            case .unlinkable(let e): return .failure(.unlinkable(e))
            case .trap(let t): return .failure(.trap(t))
            }
        }
    }

    /// `assert_invalid` / `assert_malformed`: the module must be rejected in
    /// the expected way, with a message that starts with the expected one (the
    /// reference interpreter's rule).
    func expectRejection(_ directive: String, _ m: ScriptModule, kind: CompileError.Kind, message: String, line: Int) -> DirectiveResult {
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
        case .failure(.compile(let error)):
            guard error.kind == kind else { return result(.failed("\(error.kind) instead of \(kind)"), actual: error.message) }
            return messageMatches(error.message, expected: message) ? result(.passed) : result(.failed("wrong message"), actual: error.message)
        case .failure(let f):
            return result(.failed(f.description), actual: f.description)
        }
    }

    /// `assert_invalid_custom`: the module is valid, but a custom section
    /// (that an annotation produced) does not fit it. The spec lets engines
    /// ignore custom sections, so this is not validation: the reference
    /// interpreter checks them after validating, and so do we, with
    /// `checkCustomSections` on the binary.
    func expectInvalidCustomSection(_ m: ScriptModule, message: String, line: Int) -> DirectiveResult {
        func result(_ outcome: Outcome, actual: String? = nil) -> DirectiveResult {
            DirectiveResult(line: line, directive: "assert_invalid_custom", outcome: outcome, expected: message, actual: actual)
        }
        let bytes: [UInt8]
        switch m.source {
        case .text(let module): bytes = encodeModule(module)
        case .binary(let b): bytes = b
        case .quote(let text):
            do { bytes = encodeModule(try parseModule(utf8: text, features: engine.configuration.features)) } catch {
                return result(.failed(Failure.text(error).description), actual: error.message)
            }
        case .unsupported(let error): return result(.failed(Failure.text(error).description), actual: error.message)
        }
        do {
            _ = try WasmRuntime.Module(engine: engine, bytes: bytes)
        } catch {
            return result(.failed(Failure.compile(error).description), actual: error.message)
        }
        do {
            try checkCustomSections(bytes, features: engine.configuration.features)
            return result(.failed("custom sections accepted"), actual: "valid custom sections")
        } catch {
            return messageMatches(error.message, expected: message) ? result(.passed) : result(.failed("wrong message"), actual: error.message)
        }
    }

    // MARK: Actions

    func perform(_ action: Action) -> Result<[Value], Failure> {
        guard let instance = action.module.flatMap({ instances[$0] }) ?? current else {
            return .failure(.missing("no module instance \(action.module ?? "")"))
        }
        switch action {
        case .invoke(_, let name, let arguments):
            guard let function = instance.function(name) else { return .failure(.missing("no exported function \"\(name)\"")) }
            do {
                return .success(try function.call(arguments.map(value)))
            } catch where error.kind == .uncaughtException {
                return .failure(.exception(error.message))
            } catch {
                return .failure(.trap(error))
            }
        case .get(_, let name):
            guard let global = instance.global(name) else { return .failure(.missing("no exported global \"\(name)\"")) }
            return .success([global.value])
        }
    }

    func value(_ argument: Argument) -> Value {
        switch argument {
        case .i32(let v): return .i32(v)
        case .i64(let v): return .i64(v)
        case .f32(let v): return .f32(v)
        case .f64(let v): return .f64(v)
        case .v128(let v): return .v128(v)
        case .refNull(let h): return .ref(.null(h))
        case .refExtern(let n): return .ref(.extern(UInt64(n)))
        case .refHost(let n): return .ref(.extern(UInt64(n)))
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
    case compile(CompileError)
    case unlinkable(LinkError)
    case trap(Trap)
    case exception(String)
    case missing(String)

    var description: String {
        switch self {
        case .text(let e): return "text error at \(e.line):\(e.column): \(e.message)"
        case .compile(let e): return "\(e.kind) module: \(e.message) (offset \(e.offset))"
        case .unlinkable(let e): return "unlinkable: \(e)"
        case .trap(let t): return "trap: \(t.message)"
        case .exception(let e): return "exception: \(e)"
        case .missing(let m): return m
        }
    }
}
