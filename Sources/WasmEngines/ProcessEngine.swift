import Foundation
import WasmSyntax

/// An engine in another process, spoken to over the wire protocol
/// (docs/engine-protocol.md): `wasmcheck serve`, the wasmtime adapter, or
/// any user's engine.
///
/// A child that dies or does not answer within `timeout` is an
/// `EngineFailure` (`.crash`, `.timeout`): the fuzzer records it as a
/// finding and carries on, because the next request starts a fresh child
/// (`restarts` counts them). Handles do not survive a restart; the oracle
/// resets engines before every case anyway.
public final class ProcessEngine: WasmEngine {
    public let name: String
    /// The program and its arguments.
    public let command: [String]
    /// Seconds one request may take.
    public var timeout: Double
    /// Seconds the child may take to start and answer `hello`.
    public var startupTimeout: Double

    /// The engine's description from `hello` ("wasmtime 50.0.1").
    public private(set) var engineDescription: String?
    /// How many times a child was started after the first.
    public private(set) var restarts = 0
    /// The negotiated protocol version.
    public private(set) var version: Int64?

    private var child: ChildProcess?
    private var started = 0
    private var nextID: Int64 = 1
    private var cachedFeatures: Features?
    /// The last `configure` request's fields, sent again to a restarted
    /// child so that a crash does not change the features of the run.
    private var configuration: [(String, JSON)]?
    /// The host functions defined since the last `configure`, in the
    /// order the child numbers them, each with the client's side of its
    /// calls and its index in its own definition; sent again to a
    /// restarted child after `configure`.
    private var hostFunctions: [(function: HostFunctionImport, handler: any HostCallHandler, index: Int)] = []

    public init(name: String, command: [String], timeout: Double = 10, startupTimeout: Double = 30) {
        self.name = name
        self.command = command
        self.timeout = timeout
        self.startupTimeout = startupTimeout
    }

    deinit {
        if let child {
            try? child.send(JSON.object([("id", .int(0)), ("op", "quit")]).compact, deadline: Date(timeIntervalSinceNow: 0.2))
            child.stop()
        }
    }

    /// Stops the child (the next request starts a new one).
    public func stop() {
        child?.stop()
        child = nil
    }

    // MARK: WasmEngine

    public func features() throws(EngineFailure) -> Features {
        if let cachedFeatures { return cachedFeatures }
        try ensureStarted()
        return cachedFeatures ?? []
    }

    public func configure(features: Features, fuelPerCall: UInt64?) throws(EngineFailure) -> Features {
        try ensureStarted()
        guard version ?? 1 >= 2 else {
            throw EngineFailure(.unavailable, "\(name) speaks protocol version \(version ?? 1), configure needs version 2")
        }
        var fields: [(String, JSON)] = [("features", WireProtocol.json(features))]
        if let fuelPerCall { fields.append(("fuel", .string(String(fuelPerCall)))) }
        let r = try request("configure", fields)
        guard let enabled = WireProtocol.features(r["features"]) else { throw violation("configure", r) }
        cachedFeatures = enabled
        configuration = fields
        hostFunctions = []
        return enabled
    }

    public func defineHostFunctions(_ functions: [HostFunctionImport], handler: any HostCallHandler) throws(EngineFailure) {
        try ensureStarted()
        guard version ?? 1 >= 2 else {
            throw EngineFailure(.unsupported, "\(name) speaks protocol version \(version ?? 1), define-host needs version 2")
        }
        _ = try request("define-host", [("functions", .array(functions.map(WireProtocol.json)))])
        hostFunctions += functions.enumerated().map { (function: $1, handler: handler, index: $0) }
    }

    public func global(_ instance: InstanceHandle, export: String) throws(EngineFailure) -> EngineValue {
        try ensureStarted()
        guard version ?? 1 >= 2 else {
            // Version 1 engines show globals only in snapshots.
            guard case .global(let v)? = try snapshot(instance).exports.first(where: { $0.name == export })?.state else {
                throw EngineFailure(.badRequest, "no exported global \"\(export)\"")
            }
            return v
        }
        let r = try request("get-global", [("instance", .int(Int64(instance.id))), ("export", .string(export))])
        guard let v = r["value"].flatMap(WireProtocol.value) else { throw violation("get-global", r) }
        return v
    }

    public func compile(_ bytes: [UInt8]) throws(EngineFailure) -> CompileOutcome {
        let r = try request("compile", [("bytes", WireProtocol.base64(bytes))])
        guard let outcome = WireProtocol.compileOutcome(r) else { throw violation("compile", r) }
        return outcome
    }

    public func instantiate(_ module: ModuleHandle, imports: ImportPolicy) throws(EngineFailure) -> InstantiateOutcome {
        let r = try request("instantiate", [("module", .int(Int64(module.id))), ("imports", .string(imports.rawValue))])
        guard let outcome = WireProtocol.instantiateOutcome(r) else { throw violation("instantiate", r) }
        return outcome
    }

    public func register(_ instance: InstanceHandle, as name: String) throws(EngineFailure) {
        _ = try request("register", [("instance", .int(Int64(instance.id))), ("name", .string(name))])
    }

    public func invoke(_ instance: InstanceHandle, export: String, arguments: [EngineValue]) throws(EngineFailure) -> InvokeOutcome {
        let r = try request("invoke", [("instance", .int(Int64(instance.id))), ("export", .string(export)),
                                       ("args", .array(arguments.map(WireProtocol.json)))])
        guard let outcome = WireProtocol.invokeOutcome(r) else { throw violation("invoke", r) }
        return outcome
    }

    public func snapshot(_ instance: InstanceHandle) throws(EngineFailure) -> InstanceSnapshot {
        let r = try request("snapshot", [("instance", .int(Int64(instance.id)))])
        guard let snapshot = WireProtocol.snapshot(r) else { throw violation("snapshot", r) }
        return snapshot
    }

    public func readMemory(_ instance: InstanceHandle, export: String, offset: Int, count: Int) throws(EngineFailure) -> [UInt8] {
        let r = try request("read-memory", [("instance", .int(Int64(instance.id))), ("export", .string(export)),
                                            ("offset", .int(Int64(offset))), ("length", .int(Int64(count)))])
        guard let bytes = WireProtocol.bytes(r["bytes"]) else { throw violation("read-memory", r) }
        return bytes
    }

    public func reset() throws(EngineFailure) {
        hostFunctions = []
        // A dead child is reset by starting a new one.
        guard child != nil else { return try ensureStarted() }
        _ = try request("reset", [])
    }

    // MARK: Transport

    private func violation(_ op: String, _ r: JSON) -> EngineFailure {
        EngineFailure(.protocolViolation, "\(name): bad answer to \(op): \(r.compact.prefix(200))")
    }

    private func ensureStarted() throws(EngineFailure) {
        guard child == nil else { return }
        let process = try ChildProcess(command: command)
        if started > 0 { restarts += 1 }
        started += 1
        child = process
        let r = try exchange(process, "hello", [("versions", .array(WireProtocol.versions.map(JSON.int)))],
                             limit: startupTimeout)
        guard let v = r["version"]?.int, WireProtocol.versions.contains(v), let f = WireProtocol.features(r["features"]) else {
            stop()
            throw EngineFailure(.protocolViolation, "\(name): bad answer to hello: \(r.compact.prefix(200))")
        }
        version = v
        engineDescription = r["engine"]?.string
        cachedFeatures = f
        if let configuration, v >= 2 {
            let answer = try exchange(process, "configure", configuration, limit: timeout)
            cachedFeatures = WireProtocol.features(answer["features"]) ?? f
            if !hostFunctions.isEmpty {
                _ = try exchange(process, "define-host", [("functions", .array(hostFunctions.map { WireProtocol.json($0.function) }))], limit: timeout)
            }
        }
    }

    private func request(_ op: String, _ fields: [(String, JSON)]) throws(EngineFailure) -> JSON {
        try ensureStarted()
        guard let child else { throw EngineFailure(.unavailable, "\(name) is not running") }
        return try exchange(child, op, fields, limit: timeout)
    }

    /// Sends one request and reads its answer; a dead or silent child is
    /// stopped and reported.
    private func exchange(_ process: ChildProcess, _ op: String, _ fields: [(String, JSON)], limit: Double) throws(EngineFailure) -> JSON {
        let deadline = Date(timeIntervalSinceNow: limit)
        let id = nextID
        nextID += 1
        var line = JSON.object([("id", .int(id)), ("op", .string(op))] + fields).compact
        var r: JSON
        while true {
            let answer: String
            do {
                try process.send(line, deadline: deadline)
                answer = try process.receive(deadline: deadline, maxBytes: WireProtocol.maxLineBytes)
            } catch {
                let failure: EngineFailure
                switch error {
                case .timedOut: failure = EngineFailure(.timeout, "\(name) did not answer \(op) within \(limit) s")
                case .exited(let how): failure = EngineFailure(.crash, "\(name) \(how) during \(op)")
                case .tooLong: failure = EngineFailure(.protocolViolation, "\(name) sent a line over \(WireProtocol.maxLineBytes) bytes")
                }
                stop()
                throw failure
            }
            do {
                r = try JSON(parsing: answer)
            } catch {
                stop()
                throw EngineFailure(.protocolViolation, "\(name) answered \(op) with non-JSON (\(error)): \(answer.prefix(200))")
            }
            guard r["id"]?.int == id else {
                stop()
                throw EngineFailure(.protocolViolation, "\(name) answered request \(id) with id \(r["id"]?.compact ?? "none")")
            }
            // A host function called by the code this request runs: answer
            // it, then wait for the request's own answer.
            guard let call = r["host-call"] else { break }
            guard let index = call["index"]?.int, hostFunctions.indices.contains(Int(index)),
                  let arguments = WireProtocol.values(call["args"]) else {
                stop()
                throw EngineFailure(.protocolViolation, "\(name) made a bad host call during \(op): \(answer.prefix(200))")
            }
            let host = hostFunctions[Int(index)]
            switch host.handler.call(host.index, host.function, arguments: arguments) {
            case .returned(let results):
                line = JSON.object([("id", .int(id)), ("host-result", .array(results.map(WireProtocol.json)))]).compact
            case .trapped(let message):
                line = JSON.object([("id", .int(id)), ("host-trap", .string(message))]).compact
            }
        }
        if let error = r["error"] {
            let code = error["code"]?.string ?? "?"
            let message = error["message"]?.string ?? ""
            let kind: EngineFailure.Kind
            switch WireProtocol.ErrorCode(rawValue: code) {
            case .badRequest: kind = .badRequest
            case .unknownOperation: kind = .unsupported
            default: kind = .protocolViolation
            }
            throw EngineFailure(kind, "\(name): \(code): \(message)")
        }
        return r
    }
}
