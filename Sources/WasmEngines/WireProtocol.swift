import Foundation
import WasmRuntime
import WasmSyntax

/// The engine protocol on the wire (docs/engine-protocol.md): JSON objects,
/// one per line, on the engine's stdin (requests) and stdout (responses).
/// This file maps the protocol's messages to the Swift types of
/// `WasmEngine` and back, for the client (`ProcessEngine`), the server
/// (`EngineServer`) and tests.
public enum WireProtocol {
    /// The protocol versions this implementation speaks, oldest first.
    /// Version 2 adds `configure`, `get-global` and host references
    /// (`host:N`), which the spec runner needs.
    public static let versions: [Int64] = [1, 2]

    /// The longest line either side accepts (a module travels in one line).
    public static let maxLineBytes = 64 << 20

    /// Error codes of `{"error": {"code": ...}}` responses.
    public enum ErrorCode: String, Sendable {
        case badRequest = "bad-request"
        case unknownOperation = "unknown-op"
        case unsupportedVersion = "unsupported-version"
        case internalError = "internal"
    }

    // MARK: Values

    public static func json(_ v: EngineValue) -> JSON {
        let value: String
        switch v {
        case .i32(let x): value = String(x)
        case .i64(let x): value = String(x)
        case .f32(let x): value = String(x)
        case .f64(let x): value = String(x)
        case .v128(let x): value = V128Hex.string(x)
        case .ref(let r): value = r.wireName
        }
        return ["type": .string(v.typeName), "value": .string(value)]
    }

    public static func value(_ j: JSON) -> EngineValue? {
        guard let type = j["type"]?.string, let text = j["value"]?.string else { return nil }
        switch type {
        case "i32": return UInt32(text).map(EngineValue.i32)
        case "i64": return UInt64(text).map(EngineValue.i64)
        case "f32": return UInt32(text).map(EngineValue.f32)
        case "f64": return UInt64(text).map(EngineValue.f64)
        case "v128": return V128Hex.parse(text).map(EngineValue.v128)
        case "ref": return ReferenceKind(wireName: text).map(EngineValue.ref)
        default: return nil
        }
    }

    static func values(_ j: JSON?) -> [EngineValue]? {
        guard let items = j?.array else { return nil }
        var out: [EngineValue] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard let v = value(item) else { return nil }
            out.append(v)
        }
        return out
    }

    // MARK: Host functions

    /// `{"module", "name", "params": [types], "results": [types]}`.
    public static func json(_ f: HostFunctionImport) -> JSON {
        ["module": .string(f.module), "name": .string(f.name),
         "params": .array(f.type.params.map { .string($0.textName) }),
         "results": .array(f.type.results.map { .string($0.textName) })]
    }

    public static func hostFunction(_ j: JSON) -> HostFunctionImport? {
        func types(_ key: String) -> [ValueType]? {
            guard let items = j[key]?.array else { return nil }
            var out: [ValueType] = []
            for item in items {
                switch item.string {
                case "i32": out.append(.i32)
                case "i64": out.append(.i64)
                case "f32": out.append(.f32)
                case "f64": out.append(.f64)
                case "v128": out.append(.v128)
                default: return nil
                }
            }
            return out
        }
        guard let module = j["module"]?.string, let name = j["name"]?.string,
              let params = types("params"), let results = types("results") else { return nil }
        return HostFunctionImport(module: module, name: name, type: FuncType(params: params, results: results))
    }

    // MARK: Bytes

    public static func base64(_ bytes: [UInt8]) -> JSON { .string(Data(bytes).base64EncodedString()) }

    public static func bytes(_ j: JSON?) -> [UInt8]? {
        guard let s = j?.string, let data = Data(base64Encoded: s) else { return nil }
        return [UInt8](data)
    }

    // MARK: Features

    public static func json(_ features: Features) -> JSON {
        .array(Features.names.filter { features.contains($0.1) }.map { .string($0.0) })
    }

    /// Feature names this side does not know are ignored: an engine may
    /// support more than we generate.
    public static func features(_ j: JSON?) -> Features? {
        guard let items = j?.array else { return nil }
        var set: Features = []
        for item in items {
            if let name = item.string, let f = Features.names.first(where: { $0.0 == name })?.1 { set.formUnion(f) }
        }
        return set
    }

    // MARK: Outcomes

    public static func json(_ outcome: CompileOutcome) -> [(String, JSON)] {
        switch outcome {
        case .compiled(let m): return [("module", .int(Int64(m.id)))]
        case .rejected(let r): return [("rejected", ["kind": .string(r.kind.rawValue), "message": .string(r.message)])]
        }
    }

    public static func compileOutcome(_ j: JSON) -> CompileOutcome? {
        if let id = j["module"]?.int { return .compiled(ModuleHandle(Int(id))) }
        guard let r = j["rejected"] else { return nil }
        let kind = r["kind"]?.string.flatMap(Rejection.Kind.init(rawValue:)) ?? .unknown
        return .rejected(Rejection(kind, r["message"]?.string ?? ""))
    }

    public static func json(_ outcome: InstantiateOutcome) -> [(String, JSON)] {
        switch outcome {
        case .instantiated(let i): return [("instance", .int(Int64(i.id)))]
        case .unlinkable(let m): return [("unlinkable", .string(m))]
        case .trapped(let k, let detail): return [("trap", .string(k.message))] + (detail.map { [("detail", JSON.string($0))] } ?? [])
        case .exhausted(let k): return [("exhausted", .string(k.message))]
        }
    }

    public static func instantiateOutcome(_ j: JSON) -> InstantiateOutcome? {
        if let id = j["instance"]?.int { return .instantiated(InstanceHandle(Int(id))) }
        if let m = j["unlinkable"]?.string { return .unlinkable(m) }
        if let t = j["trap"]?.string { return .trapped(TrapKind(wireName: t), detail: j["detail"]?.string) }
        if let t = j["exhausted"]?.string { return .exhausted(TrapKind(wireName: t)) }
        return nil
    }

    public static func json(_ outcome: InvokeOutcome) -> [(String, JSON)] {
        switch outcome {
        case .returned(let values): return [("results", .array(values.map(json)))]
        case .trapped(let k, let detail): return [("trap", .string(k.message))] + (detail.map { [("detail", JSON.string($0))] } ?? [])
        case .exhausted(let k): return [("exhausted", .string(k.message))]
        }
    }

    public static func invokeOutcome(_ j: JSON) -> InvokeOutcome? {
        if j["results"] != nil { return values(j["results"]).map(InvokeOutcome.returned) }
        if let t = j["trap"]?.string { return .trapped(TrapKind(wireName: t), detail: j["detail"]?.string) }
        if let t = j["exhausted"]?.string { return .exhausted(TrapKind(wireName: t)) }
        return nil
    }

    public static func json(_ snapshot: InstanceSnapshot) -> [(String, JSON)] {
        let exports: [JSON] = snapshot.exports.map { e in
            switch e.state {
            case .function: return ["name": .string(e.name), "kind": "function"]
            case .tag: return ["name": .string(e.name), "kind": "tag"]
            case .global(let v): return ["name": .string(e.name), "kind": "global", "value": json(v)]
            case .memory(let size, let hash):
                return ["name": .string(e.name), "kind": "memory", "size": .int(Int64(size)), "hash": .string(hash.hex16)]
            case .table(let size, let entries):
                return ["name": .string(e.name), "kind": "table", "size": .int(Int64(size)), "entries": .string(entries)]
            }
        }
        return [("exports", .array(exports))]
    }

    public static func snapshot(_ j: JSON) -> InstanceSnapshot? {
        guard let items = j["exports"]?.array else { return nil }
        var exports: [ExportState] = []
        for item in items {
            guard let name = item["name"]?.string, let kind = item["kind"]?.string else { return nil }
            switch kind {
            case "function": exports.append(ExportState(name: name, state: .function))
            case "tag": exports.append(ExportState(name: name, state: .tag))
            case "global":
                guard let v = item["value"].flatMap(value) else { return nil }
                exports.append(ExportState(name: name, state: .global(v)))
            case "memory":
                guard let size = item["size"]?.int, let hash = item["hash"]?.string.flatMap({ UInt64($0, radix: 16) }) else { return nil }
                exports.append(ExportState(name: name, state: .memory(size: Int(size), hash: hash)))
            case "table":
                guard let size = item["size"]?.int, let entries = item["entries"]?.string else { return nil }
                exports.append(ExportState(name: name, state: .table(size: Int(size), entries: entries)))
            default:
                return nil
            }
        }
        return InstanceSnapshot(exports: exports)
    }
}
