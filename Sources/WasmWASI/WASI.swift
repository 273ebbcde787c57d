#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WasmRuntime
import WasmSyntax

/// `wasi_snapshot_preview1` for one program: host functions defined
/// through the embedding API (`Linker`, `Function`) over a `WASIContext`.
///
/// ```swift
/// let wasi = try WASI(context: context)
/// var linker = Linker()
/// wasi.define(in: &linker, store: store)
/// let instance = try linker.instantiate(module, in: store)
/// try wasi.start(instance)   // throws WASIExit on proc_exit, Trap on a trap
/// ```
public final class WASI {
    public static let moduleName = "wasi_snapshot_preview1"

    let context: WASIContext
    var descriptors = FileDescriptorTable()
    /// The memory guest pointers refer to: the instance's export "memory",
    /// bound by `start`/`bind` (host functions get no caller, so WASI
    /// remembers the one instance it serves, as WasmKit's WASI does).
    public private(set) var memory: Memory?
    /// The memory guest pointers refer to when it lives in another process
    /// (`bind(remote:)`), seen through a shadow copy during each call.
    var shadow: ShadowMemory?
    /// Set by `proc_exit`; the trap that unwinds the guest carries no code.
    /// An engine that runs the guest elsewhere reads it after a host trap.
    public internal(set) var exitCode: UInt32?

    /// Opens the preopened directories and sets up the standard streams.
    public init(context: WASIContext) throws(WASISetupError) {
        self.context = context
        for (index, output) in [(0, nil), (1, context.standardOutput), (2, context.standardError)] as [(Int32, WASIOutput?)] {
            let entry: FileDescriptor
            if index == 0, case .bytes(let bytes) = context.standardInput {
                entry = FileDescriptor(backing: .input(bytes), fileType: .characterDevice, rights: .stream, inheritingRights: [])
            } else if let output, case .inherit = output {
                entry = FileDescriptor(backing: .host(index, owned: false), fileType: Self.streamType(index), rights: .stream, inheritingRights: [])
            } else if let output {
                entry = FileDescriptor(backing: .output(output), fileType: .characterDevice, rights: .stream, inheritingRights: [])
            } else {
                entry = FileDescriptor(backing: .host(index, owned: false), fileType: Self.streamType(index), rights: .stream, inheritingRights: [])
            }
            _ = try? descriptors.insert(entry)
        }
        for preopen in context.preopens {
            let fd = open(preopen.hostPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0 else { throw WASISetupError(path: preopen.hostPath, errno: WASIErrno.last) }
            let entry = FileDescriptor(backing: .host(fd, owned: true), fileType: .directory,
                                       rights: .directory, inheritingRights: .all)
            entry.preopenName = preopen.guestPath
            do {
                _ = try descriptors.insert(entry)
            } catch {
                throw WASISetupError(path: preopen.hostPath, errno: error)
            }
        }
    }

    /// The type a host standard stream reports: a terminal or other
    /// character device as such, anything else (pipes, files) as unknown,
    /// as wasmtime does, so guests do not take a pipe for a terminal.
    static func streamType(_ fd: Int32) -> WASIFileType {
        var s = stat()
        guard fstat(fd, &s) == 0 else { return .unknown }
        let type = HostFile.fileType(mode: s.st_mode)
        return type == .characterDevice || type == .regularFile ? type : .unknown
    }

    /// Defines every function of `wasi_snapshot_preview1` in `linker`.
    public func define(in linker: inout Linker, store: Store) {
        for function in hostFunctions {
            let host = WasmRuntime.Function(store: store, type: function.type, body: function.body)
            linker.define(module: Self.moduleName, name: function.name, .function(host))
        }
    }

    /// Every function of `wasi_snapshot_preview1`, for an engine that calls
    /// host functions itself (the JIT's agent in another process, through
    /// `AgentEngine`); with the memory bound by `bind(remote:)`.
    public var hostFunctions: [WASIHostFunction] {
        var definer = Definer(wasi: self)
        defineArguments(&definer)
        defineClocks(&definer)
        defineFiles(&definer)
        definePaths(&definer)
        definePoll(&definer)
        defineSockets(&definer)
        return definer.functions
    }

    /// Binds the instance's exported memory (required by every function
    /// that takes a pointer).
    public func bind(_ instance: Instance) {
        memory = instance.memory("memory")
        shadow = nil
    }

    /// Binds a memory in another process (the instance's export "memory"
    /// in the agent): each call fetches the ranges it touches and writes
    /// back what it changed before it returns to the guest.
    public func bind(remote: any WASIRemoteMemory) {
        memory = nil
        shadow = ShadowMemory(remote: remote)
    }

    /// Runs a command: binds `instance` and calls its `_start`. Returns
    /// when `_start` returns (exit status 0); throws `WASIExit` when the
    /// program calls `proc_exit`, a `Trap` when it traps, and
    /// `WASIStartError` when there is no `_start`.
    public func start(_ instance: Instance) throws {
        guard let function = instance.function("_start") else { throw WASIStartError.noStart }
        bind(instance)
        _ = try call(function, [])
    }

    /// Calls a function of the bound instance, turning `proc_exit` into `WASIExit`.
    public func call(_ function: WasmRuntime.Function, _ arguments: [Value]) throws -> [Value] {
        do {
            return try function.call(arguments)
        } catch {
            if let code = exitCode { throw WASIExit(code: code) }
            throw error
        }
    }

    /// The bound memory for one host call, or a trap: a WASI function that
    /// needs memory cannot answer with an errno when there is none.
    func guestMemory() throws -> GuestMemory {
        if let shadow {
            guard let bytes = shadow.begin() else { throw Self.unreachableMemory(shadow.failure) }
            return GuestMemory(bytes: bytes, shadow: shadow)
        }
        guard let memory else { throw Trap(.host("wasi: the module does not export a memory named \"memory\"")) }
        return GuestMemory(bytes: memory.withUnsafeMutableBytes { $0 })
    }

    static func unreachableMemory(_ why: String?) -> Trap {
        Trap(.host("wasi: the guest's memory could not be read or written: \(why ?? "unknown failure")"))
    }

    /// Ends a host call: a remote memory's changes go back to the guest
    /// (a failure to do so traps the call).
    func finishCall() throws {
        guard let shadow, shadow.isActive else { return }
        if let failure = shadow.finish() { throw Self.unreachableMemory(failure) }
    }
}

/// A preopened directory could not be opened.
public struct WASISetupError: Error, CustomStringConvertible {
    public var path: String
    public var errno: WASIErrno
    public var description: String { "cannot open directory \(path) (\(errno))" }
}

public enum WASIStartError: Error, CustomStringConvertible {
    case noStart
    public var description: String { "the module exports no _start function" }
}

/// The arguments of a host call, by position (their types were checked by
/// the store against the function type).
struct HostArguments {
    let values: [Value]
    subscript(_ index: Int) -> UInt32 { values[index].i32 ?? 0 }
    func u64(_ index: Int) -> UInt64 { values[index].i64 ?? 0 }
}

/// One function of `wasi_snapshot_preview1` (`WASI.hostFunctions`).
public struct WASIHostFunction {
    public let name: String
    public let type: FuncType
    let body: HostFunctionBody

    /// Runs the function as a call from the guest does: its results, or a
    /// thrown `Trap` that ends the guest (after `proc_exit`,
    /// `WASI.exitCode` holds the status).
    public func call(_ arguments: [Value]) throws -> [Value] { try body(arguments) }
}

/// Collects the host functions, each answering an errno.
struct Definer {
    weak var wasi: WASI?
    var functions: [WASIHostFunction] = []

    init(wasi: WASI) { self.wasi = wasi }

    /// Runs `body` as one host call: a remote memory's shadow is written
    /// back whatever the outcome.
    private static func hostCall(_ owner: WASI?, _ values: [Value], _ body: (WASI, HostArguments) throws -> [Value]) throws -> [Value] {
        guard let wasi = owner else { throw Trap(.host("wasi: the WASI context is gone")) }
        let outcome = Result { try body(wasi, HostArguments(values: values)) }
        try wasi.finishCall()
        return try outcome.get()
    }

    /// A function returning `$errno`: a thrown `WASIErrno` is the result;
    /// any other error (a trap, `proc_exit`) ends the call.
    mutating func define(_ name: String, _ params: [ValueType], _ body: @escaping (WASI, HostArguments) throws -> Void) {
        let owner = wasi
        functions.append(WASIHostFunction(name: name, type: FuncType(params: params, results: [.i32])) { [weak owner] values in
            try Self.hostCall(owner, values) { wasi, arguments in
                do {
                    try body(wasi, arguments)
                    return [.i32(0)]
                } catch let error as WASIErrno {
                    return [.i32(UInt32(error.rawValue))]
                }
            }
        })
    }

    /// A function with no result (`proc_exit`).
    mutating func defineNoResult(_ name: String, _ params: [ValueType], _ body: @escaping (WASI, HostArguments) throws -> Void) {
        let owner = wasi
        functions.append(WASIHostFunction(name: name, type: FuncType(params: params, results: [])) { [weak owner] values in
            try Self.hostCall(owner, values) { wasi, arguments in
                try body(wasi, arguments)
                return []
            }
        })
    }
}
