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

    public init(engine: any WasmEngine, description: String? = nil) {
        self.engine = engine
        self.engineDescription = description ?? engine.name
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
            return ([("features", WireProtocol.json(try engine.configure(features: features, fuelPerCall: fuel)))], false)
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
            return ([], false)
        case "quit":
            return ([], true)
        default:
            throw ServerError(.unknownOperation, "unknown op \"\(op)\"")
        }
    }

    /// Writes a line to standard output (fd 1, unbuffered); false when the
    /// client has gone.
    private static func writeLine(_ line: String) -> Bool {
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
        while let line = readLine(strippingNewline: true) {
            if line.isEmpty { continue }
            let (response, quit) = line.utf8.count > WireProtocol.maxLineBytes
                ? (Self.error(id: .null, .badRequest, "line too long"), false)
                : respond(to: line)
            guard Self.writeLine(response) else { return }
            if quit { return }
        }
    }
}
