import WasmSyntax

/// A `.wast` script: a sequence of commands that define modules, run
/// actions and check assertions.
public struct Script: Hashable, Sendable {
    public var fileName: String
    public var commands: [Command]

    public init(fileName: String, commands: [Command]) {
        self.fileName = fileName
        self.commands = commands
    }
}

/// One script command and the 1-based line where it starts.
public struct Command: Hashable, Sendable {
    public var line: Int
    public var kind: Kind

    public init(line: Int, kind: Kind) {
        self.line = line
        self.kind = kind
    }

    public enum Kind: Hashable, Sendable {
        /// `(module ...)`, or `(module definition ...)` which only compiles.
        case module(ScriptModule)
        /// `(module instance $I? $M?)`: instantiates a module definition.
        case instance(instance: String?, definition: String?)
        /// `(register "name" $M?)`: makes a module's exports importable.
        case register(name: String, module: String?)
        case action(Action)
        case assertReturn(Action, [ExpectedValue])
        case assertTrap(Action, message: String)
        /// `(assert_trap (module ...) "msg")`: instantiation traps.
        case assertModuleTrap(ScriptModule, message: String)
        case assertExhaustion(Action, message: String)
        case assertException(Action)
        case assertInvalid(ScriptModule, message: String)
        case assertMalformed(ScriptModule, message: String)
        case assertUnlinkable(ScriptModule, message: String)
        case assertUninstantiable(ScriptModule, message: String)
        /// Checks of custom-section annotations; engines may ignore them.
        case assertMalformedCustom(ScriptModule, message: String)
        case assertInvalidCustom(ScriptModule, message: String)
        /// `(thread $T (shared (module $M))* command*)`, parsed but not run.
        case thread(name: String, sharedModules: [String], commands: [Command])
        /// `(wait $T)`, parsed but not run.
        case wait(thread: String)
    }
}

/// A module as a script defines it.
public struct ScriptModule: Hashable, Sendable {
    /// The `$id` that later commands use to refer to it.
    public var id: String?
    /// `(module definition ...)`: compiled, instantiated only by
    /// `(module instance ...)`.
    public var isDefinition: Bool
    public var source: ModuleSource

    public init(id: String?, isDefinition: Bool = false, source: ModuleSource) {
        self.id = id
        self.isDefinition = isDefinition
        self.source = source
    }
}

public enum ModuleSource: Hashable, Sendable {
    /// A module in the text format, parsed.
    case text(Module)
    /// `(module binary "...")`: the bytes of a binary module.
    case binary([UInt8])
    /// `(module quote "...")`: text to parse when the command runs (with
    /// `parseModule(utf8:)`); it may be malformed on purpose, or not even
    /// valid UTF-8.
    case quote([UInt8])
    /// A text module that uses syntax the AST cannot represent (the error
    /// says which, with `isUnsupported` set).
    case unsupported(TextError)
}

/// An action: call an exported function, or read an exported global.
public enum Action: Hashable, Sendable {
    case invoke(module: String?, name: String, arguments: [Argument])
    case get(module: String?, name: String)

    public var module: String? {
        switch self {
        case .invoke(let m, _, _), .get(let m, _): return m
        }
    }

    public var name: String {
        switch self {
        case .invoke(_, let n, _), .get(_, let n): return n
        }
    }
}

/// A value passed to an invoked function. Numbers are bit patterns.
public enum Argument: Hashable, Sendable {
    case i32(UInt32)
    case i64(UInt64)
    case f32(UInt32)
    case f64(UInt64)
    case v128(V128)
    case refNull(HeapType)
    /// `(ref.extern n)`: a host reference the embedder makes up, wrapped as
    /// an external reference.
    case refExtern(UInt32)
    /// `(ref.host n)`: a host reference (any reference type).
    case refHost(UInt32)
}

/// How a float result may be a NaN.
public enum NaNPattern: Hashable, Sendable {
    /// The canonical NaN of either sign (payload: only the top mantissa bit).
    case canonical
    /// Any NaN with the top mantissa bit set (either sign).
    case arithmetic
}

/// An expected result of `assert_return`.
public enum ExpectedValue: Hashable, Sendable {
    case i32(UInt32)
    case i64(UInt64)
    /// An exact bit pattern.
    case f32(UInt32)
    case f64(UInt64)
    case f32NaN(NaNPattern)
    case f64NaN(NaNPattern)
    /// All lanes exact.
    case v128(V128)
    /// A float vector with at least one NaN-pattern lane: one entry per lane
    /// (`.f32`/`.f32NaN` for f32x4, `.f64`/`.f64NaN` for f64x2).
    case v128Lanes([ExpectedValue])
    /// A null reference of this heap type; nil for `(ref.null)`, any null.
    case refNull(HeapType?)
    /// Any non-null function reference.
    case refFunc
    /// `(ref.extern n)`, or any non-null external reference when nil.
    case refExtern(UInt32?)
    /// `(ref.host n)`.
    case refHost(UInt32)
    /// Any non-null reference of the given abstract kind.
    case refStruct
    case refArray
    case refEq
    case refI31
    case refAny
    case refExn
    /// Any one of the alternatives (relaxed instructions).
    case either([ExpectedValue])
}
