import WasmBinary
import WasmSyntax

/// The WebAssembly frames that were active when a trap happened, innermost
/// first (the trapping function, then its caller, ...), as wasmtime's
/// `WasmBacktrace`. Host functions between WebAssembly frames (a host
/// function that called back into WebAssembly) do not appear; the frames
/// of every WebAssembly invocation on the way out do.
///
/// Tiers capture it only when a trap happens, never while code runs.
/// Which tiers do: the interpreter (function indices, names and byte
/// offsets). The JIT's traps carry none yet (`Trap.backtrace` is nil).
///
///     do {
///         _ = try instance.function("run")!.call([])
///     } catch let trap as Trap {
///         for frame in trap.backtrace?.frames ?? [] {
///             print(frame.functionIndex, frame.functionName ?? "?", frame.moduleOffset ?? -1)
///         }
///     }
public struct WasmBacktrace: Hashable, Sendable, CustomStringConvertible {
    /// Innermost first: `frames[0]` is the function that trapped (or that
    /// called the host function that trapped).
    public var frames: [WasmFrame]

    public init(frames: [WasmFrame] = []) {
        self.frames = frames
    }

    /// wasmtime's rendering (`WasmBacktrace`'s `Display`):
    ///
    ///     error while executing at wasm backtrace:
    ///         0:    0x1a2 - <unknown>!divide
    ///         1:    0x1c0 - <unknown>!main
    ///         2:    0x2f0 - <unknown>!<wasm function 7>
    ///
    /// The index is right-aligned in 3 columns, the module offset is hex
    /// right-aligned in 8 (left out when unknown), then the module's name
    /// (`<unknown>` without one) and the function's name (`<wasm function
    /// N>` without one), byte for byte what wasmtime 50 (PyPI) prints for
    /// the same frames. Names are printed as they are, not demangled.
    public var description: String {
        var lines = ["error while executing at wasm backtrace:"]
        for (i, frame) in frames.enumerated() {
            lines.append(Self.line(i, frame))
        }
        return lines.joined(separator: "\n")
    }

    /// One frame's line, as `description` shows it.
    public static func line(_ index: Int, _ frame: WasmFrame) -> String {
        var line = "  " + padded(String(index), 3) + ": "
        if let offset = frame.moduleOffset {
            line += padded("0x" + String(offset, radix: 16), 8) + " - "
        }
        return line + frame.symbol
    }

    private static func padded(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}

/// One WebAssembly frame of a `WasmBacktrace`.
public struct WasmFrame: Hashable, Sendable {
    /// The function's index in its module's function index space (imported
    /// functions first), as the name section and `call` count.
    public var functionIndex: UInt32
    /// The function's name from the module's `name` section; nil when the
    /// module has no name for it.
    public var functionName: String?
    /// The module's name from its `name` section (subsection 0); nil when
    /// it has none (most compilers give none).
    public var moduleName: String?
    /// The byte offset, from the start of the module's binary, of the
    /// instruction this frame was at: the one that trapped in the innermost
    /// frame, the call in the others. Nil when the tier does not know it.
    public var moduleOffset: Int?
    /// The byte offset, in the module's binary, of the function's code: its
    /// first instruction, after the local declarations (wasmtime's
    /// `func_offset` counts from the local declarations, a few bytes
    /// earlier). Nil when unknown.
    public var functionStart: Int?

    public init(functionIndex: UInt32, functionName: String? = nil, moduleName: String? = nil,
                moduleOffset: Int? = nil, functionStart: Int? = nil) {
        self.functionIndex = functionIndex
        self.functionName = functionName
        self.moduleName = moduleName
        self.moduleOffset = moduleOffset
        self.functionStart = functionStart
    }

    /// `moduleOffset` from the function's first instruction.
    public var functionOffset: Int? {
        guard let moduleOffset, let functionStart else { return nil }
        return moduleOffset - functionStart
    }

    /// `module!function` as wasmtime prints it: `<unknown>` for a module
    /// without a name, `<wasm function N>` for a function without one.
    public var symbol: String {
        "\(moduleName ?? "<unknown>")!\(functionName ?? "<wasm function \(functionIndex)>")"
    }
}

extension Trap {
    /// Adds frames (innermost first) below the ones the trap has: a tier
    /// calls this for the frames of each invocation the trap leaves, from
    /// the innermost invocation out.
    package mutating func appendFrames(_ frames: [WasmFrame]) {
        guard !frames.isEmpty else { return }
        if backtrace == nil { backtrace = WasmBacktrace() }
        backtrace!.frames.append(contentsOf: frames)
    }
}

/// Names for the frames of one capture: reads each module's `name`
/// section once (only traps pay for it).
package struct BacktraceSymbolizer {
    private var names: [ObjectIdentifier: NameSection?] = [:]

    package init() {}

    /// A frame of a function of `module`.
    package mutating func frame(in module: Module, functionIndex: UInt32, moduleOffset: Int?, functionStart: Int?) -> WasmFrame {
        let id = ObjectIdentifier(module)
        let section: NameSection?
        if let known = names[id] {
            section = known
        } else {
            section = NameSection(of: module.syntax)
            names[id] = .some(section)
        }
        return WasmFrame(functionIndex: functionIndex, functionName: section?.functionNames[functionIndex],
                         moduleName: section?.moduleName, moduleOffset: moduleOffset, functionStart: functionStart)
    }
}
