/// What a WASI program is given: its arguments, environment, the host
/// directories it may use (and nothing else of the file system), its
/// standard streams, and where time and randomness come from. The host
/// decides all of it; the guest has no ambient access.
public struct WASIContext {
    /// The program's arguments, the program name first (`argv[0]`).
    public var arguments: [String] = []
    /// Environment variables, in order, as `NAME=VALUE` pairs.
    public var environment: [(name: String, value: String)] = []
    /// The directories the program may open files in.
    public var preopens: [Preopen] = []
    public var standardInput: WASIInput = .inherit
    public var standardOutput: WASIOutput = .inherit
    public var standardError: WASIOutput = .inherit
    /// Time by clock; nil uses the host's clocks. Lets tests and
    /// deterministic runs fix what `clock_time_get` sees.
    public var clock: (@Sendable (WASIClock) -> UInt64)?
    /// Fills a buffer with random bytes; nil uses the system generator.
    public var random: (@Sendable (UnsafeMutableRawBufferPointer) -> Void)?

    public init(arguments: [String] = [], environment: [(name: String, value: String)] = [], preopens: [Preopen] = []) {
        self.arguments = arguments
        self.environment = environment
        self.preopens = preopens
    }

    /// A host directory and the name the guest sees it under
    /// (`--dir HOST[::GUEST]`, as wasmtime spells it).
    public struct Preopen: Hashable, Sendable {
        public var hostPath: String
        public var guestPath: String

        public init(hostPath: String, guestPath: String? = nil) {
            self.hostPath = hostPath
            self.guestPath = guestPath ?? hostPath
        }

        /// Reads `HOST[::GUEST]`.
        public init(argument: String) {
            let bytes = Array(argument.utf8)
            if let i = bytes.indices.dropLast().first(where: { bytes[$0] == UInt8(ascii: ":") && bytes[$0 + 1] == UInt8(ascii: ":") }) {
                self.init(hostPath: String(decoding: bytes[..<i], as: UTF8.self),
                          guestPath: String(decoding: bytes[(i + 2)...], as: UTF8.self))
            } else {
                self.init(hostPath: argument)
            }
        }
    }
}

/// The clocks of `$clockid`.
public enum WASIClock: UInt32, Sendable {
    case realtime = 0, monotonic, processCPUTime, threadCPUTime
}

/// Where standard input comes from.
public enum WASIInput {
    /// The host process's standard input.
    case inherit
    /// These bytes, then end of file.
    case bytes([UInt8])
}

/// Where standard output or error goes.
public enum WASIOutput {
    /// The host process's stream.
    case inherit
    /// Into a buffer the host reads afterwards (tests, embedders).
    case capture(CapturedOutput)
    /// Nowhere.
    case discard
}

/// Bytes a guest wrote to a captured stream.
public final class CapturedOutput: @unchecked Sendable {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    public var text: String { String(decoding: bytes, as: UTF8.self) }
    func append(_ buffer: UnsafeRawBufferPointer) { bytes.append(contentsOf: buffer) }
}

/// The program called `proc_exit`: the run is over with this status.
/// `WASI.start` throws it instead of exiting the host process, so an
/// embedder (and `wasmcheck run`) decides what an exit means.
public struct WASIExit: Error, Hashable, Sendable {
    public var code: UInt32
    public init(code: UInt32) { self.code = code }
}
