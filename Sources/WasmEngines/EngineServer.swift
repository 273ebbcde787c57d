#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Serves an engine over the wire protocol (docs/engine-protocol.md):
/// `wasmcheck serve` puts our interpreter behind it, so that a crash of
/// the interpreter on some module takes down only its process.
public final class EngineServer {
    public let engine: any WasmEngine
    /// The engine's name and version in the `hello` answer.
    public let engineDescription: String
    private var version: Int64?
    /// The id of the request being answered: host calls it makes carry it.
    private var currentID: JSON = .null
    /// Host functions defined since the engine's store began.
    private var hostFunctionCount = 0
    /// Where requests (and answers to host calls) come from, and where
    /// answers (and host calls) go: standard input and output, or a test's.
    private let input: () -> String?
    private let output: (String) -> Bool

    public init(engine: any WasmEngine, description: String? = nil,
                input: @escaping () -> String? = { readLine(strippingNewline: true) },
                output: @escaping (String) -> Bool = EngineServer.writeLine) {
        self.engine = engine
        self.engineDescription = description ?? engine.name
        self.input = input
        self.output = output
    }

    /// Host functions the client defined: a call is a `host-call` line to
    /// the client, in the middle of the request that runs the code, and the
    /// client's `host-result` or `host-trap` line is its answer.
    private final class PipeHostCalls: HostCallHandler {
        unowned let server: EngineServer
        /// The position of this definition's first function among all the
        /// client defined (the client numbers them in one list).
        let offset: Int
        init(_ server: EngineServer, offset: Int) {
            self.server = server
            self.offset = offset
        }

        func call(_ index: Int, _ function: HostFunctionImport, arguments: [EngineValue]) -> HostCallOutcome {
            let call = JSON.object([("id", server.currentID),
                                    ("host-call", ["index": .int(Int64(offset + index)), "args": .array(arguments.map(WireProtocol.json))])])
            guard server.output(call.compact) else { return .trapped("the client has gone") }
            while let line = server.input() {
                if line.isEmpty { continue }
                guard let answer = try? JSON(parsing: line) else { return .trapped("the client answered a host call with non-JSON") }
                if let message = answer["host-trap"]?.string { return .trapped(message) }
                if let results = WireProtocol.values(answer["host-result"]) { return .returned(results) }
                return .trapped("the client answered a host call with neither host-result nor host-trap")
            }
            return .trapped("the client has gone")
        }
    }

    /// Answers one request line; nil after `quit` (the answer to it is
    /// sent by `serve`).
    public func respond(to line: String) -> (response: String, quit: Bool) {
        let request: JSON
        do {
            request = try JSON(parsing: line)
        } catch {
            return (Self.error(id: .null, .badRequest, "not JSON: \(error)"), false)
        }
        let id = request["id"] ?? .null
        currentID = id
        guard let op = request["op"]?.string else { return (Self.error(id: id, .badRequest, "no \"op\""), false) }
        do {
            let (fields, quit) = try handle(op, request)
            return (JSON.object([("id", id)] + fields).compact, quit)
        } catch let failure as ServerError {
            return (Self.error(id: id, failure.code, failure.message), false)
        } catch let failure as EngineFailure {
            return (Self.error(id: id, failure.kind == .badRequest ? .badRequest : .internalError, failure.message), false)
        } catch {
            return (Self.error(id: id, .internalError, "\(error)"), false)
        }
    }

    private struct ServerError: Error {
        var code: WireProtocol.ErrorCode
        var message: String
        init(_ code: WireProtocol.ErrorCode, _ message: String) {
            self.code = code
            self.message = message
        }
    }

    private static func error(id: JSON, _ code: WireProtocol.ErrorCode, _ message: String) -> String {
        JSON.object([("id", id), ("error", ["code": .string(code.rawValue), "message": .string(message)])]).compact
    }

    private func handle(_ op: String, _ r: JSON) throws -> ([(String, JSON)], Bool) {
        if op != "hello" && version == nil { throw ServerError(.badRequest, "the first request must be \"hello\"") }
        func moduleHandle() throws -> ModuleHandle {
            guard let id = r["module"]?.int else { throw ServerError(.badRequest, "no \"module\"") }
            return ModuleHandle(Int(id))
        }
        func instanceHandle() throws -> InstanceHandle {
            guard let id = r["instance"]?.int else { throw ServerError(.badRequest, "no \"instance\"") }
            return InstanceHandle(Int(id))
        }
        func text(_ key: String) throws -> String {
            guard let s = r[key]?.string else { throw ServerError(.badRequest, "no \"\(key)\"") }
            return s
        }
        switch op {
        case "hello":
            let offered = r["versions"]?.array?.compactMap(\.int) ?? []
            guard let chosen = offered.filter(WireProtocol.versions.contains).max() else {
                throw ServerError(.unsupportedVersion, "this engine speaks versions \(WireProtocol.versions)")
            }
            version = chosen
            return ([("version", .int(chosen)), ("engine", .string(engineDescription)),
                     ("features", WireProtocol.json(try engine.features()))], false)
        case "configure":
            guard version ?? 1 >= 2 else { throw ServerError(.unknownOperation, "configure needs protocol version 2") }
            guard let features = WireProtocol.features(r["features"]) else { throw ServerError(.badRequest, "no \"features\"") }
            var fuel: UInt64?
            if let f = r["fuel"], f != .null {
                guard let text = f.string, let n = UInt64(text) else { throw ServerError(.badRequest, "bad \"fuel\"") }
                fuel = n
            }
            let enabled = try engine.configure(features: features, fuelPerCall: fuel)
            hostFunctionCount = 0
            return ([("features", WireProtocol.json(enabled))], false)
        case "define-host":
            guard version ?? 1 >= 2 else { throw ServerError(.unknownOperation, "define-host needs protocol version 2") }
            guard let items = r["functions"]?.array else { throw ServerError(.badRequest, "no \"functions\"") }
            var functions: [HostFunctionImport] = []
            for item in items {
                guard let f = WireProtocol.hostFunction(item) else { throw ServerError(.badRequest, "bad host function \(item.compact)") }
                functions.append(f)
            }
            try engine.defineHostFunctions(functions, handler: PipeHostCalls(self, offset: hostFunctionCount))
            hostFunctionCount += functions.count
            return ([], false)
        case "get-global":
            guard version ?? 1 >= 2 else { throw ServerError(.unknownOperation, "get-global needs protocol version 2") }
            return ([("value", WireProtocol.json(try engine.global(try instanceHandle(), export: try text("export"))))], false)
        case "compile":
            guard let bytes = WireProtocol.bytes(r["bytes"]) else { throw ServerError(.badRequest, "no base64 \"bytes\"") }
            return (WireProtocol.json(try engine.compile(bytes)), false)
        case "instantiate":
            let policy = try r["imports"].map { j -> ImportPolicy in
                guard let p = j.string.flatMap(ImportPolicy.init(rawValue:)) else { throw ServerError(.badRequest, "unknown \"imports\"") }
                return p
            } ?? .registered
            return (WireProtocol.json(try engine.instantiate(try moduleHandle(), imports: policy)), false)
        case "register":
            try engine.register(try instanceHandle(), as: try text("name"))
            return ([], false)
        case "invoke":
            let args = r["args"] == nil ? [] : WireProtocol.values(r["args"])
            guard let args else { throw ServerError(.badRequest, "bad \"args\"") }
            return (WireProtocol.json(try engine.invoke(try instanceHandle(), export: try text("export"), arguments: args)), false)
        case "snapshot":
            return (WireProtocol.json(try engine.snapshot(try instanceHandle())), false)
        case "read-memory":
            guard let offset = r["offset"]?.int, let count = r["length"]?.int, offset >= 0, count >= 0, count <= Int64(WireProtocol.maxLineBytes / 2) else {
                throw ServerError(.badRequest, "bad \"offset\" or \"length\"")
            }
            let bytes = try engine.readMemory(try instanceHandle(), export: try text("export"), offset: Int(offset), count: Int(count))
            return ([("bytes", WireProtocol.base64(bytes))], false)
        case "reset":
            try engine.reset()
            hostFunctionCount = 0
            return ([], false)
        case "quit":
            return ([], true)
        default:
            throw ServerError(.unknownOperation, "unknown op \"\(op)\"")
        }
    }

    /// Writes a line to standard output (fd 1, unbuffered); false when the
    /// client has gone.
    public static func writeLine(_ line: String) -> Bool {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(1, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }

    /// Reads requests from standard input until `quit` or end of input,
    /// answering each on standard output.
    public func serve() {
        while let line = input() {
            if line.isEmpty { continue }
            let (response, quit) = line.utf8.count > WireProtocol.maxLineBytes
                ? (Self.error(id: .null, .badRequest, "line too long"), false)
                : respond(to: line)
            guard output(response) else { return }
            if quit { return }
        }
    }
}
