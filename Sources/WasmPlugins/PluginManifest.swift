import Foundation
import WasmSyntax

/// A native plugin's manifest (JSON): the shared library and, for each
/// host function it provides, the import it satisfies, its WebAssembly
/// signature and the C symbol that implements it.
///
/// ```json
/// {
///   "library": "libmathplugin.so",
///   "functions": [
///     { "module": "math", "name": "add", "symbol": "math_add",
///       "params": ["i32", "i32"], "results": ["i32"] }
///   ]
/// }
/// ```
///
/// `library` is relative to the manifest's directory unless absolute.
/// Types are numeric only (`i32`, `i64`, `f32`, `f64`), at most one
/// result; the C function takes and returns the matching C types
/// (`int32_t`, `int64_t`, `float`, `double`; no result: `void`).
public struct PluginManifest: Codable, Hashable, Sendable {
    public var library: String
    public var functions: [FunctionEntry]

    public struct FunctionEntry: Codable, Hashable, Sendable {
        /// The import's module and field names.
        public var module: String
        public var name: String
        /// The C function's name in the library.
        public var symbol: String
        public var params: [String]
        public var results: [String]

        public init(module: String, name: String, symbol: String, params: [String], results: [String]) {
            self.module = module
            self.name = name
            self.symbol = symbol
            self.params = params
            self.results = results
        }
    }

    public init(library: String, functions: [FunctionEntry]) {
        self.library = library
        self.functions = functions
    }

    /// Reads a manifest file.
    public init(contentsOf path: String) throws(PluginError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PluginError(path, "cannot read the manifest")
        }
        do {
            self = try JSONDecoder().decode(PluginManifest.self, from: data)
        } catch {
            throw PluginError(path, "not a plugin manifest (\(error))")
        }
    }

    /// The value types a plugin function may use: those C can pass by value.
    static func valueType(_ name: String) -> ValueType? {
        switch name {
        case "i32": return .i32
        case "i64": return .i64
        case "f32": return .f32
        case "f64": return .f64
        default: return nil
        }
    }

    /// The WebAssembly type an entry declares, or why it cannot be called.
    func functionType(of entry: FunctionEntry) throws(PluginError) -> FuncType {
        var params: [ValueType] = [], results: [ValueType] = []
        for name in entry.params {
            guard let type = Self.valueType(name) else {
                throw PluginError(entry.symbol, "parameter type \(name) is not one of i32, i64, f32, f64")
            }
            params.append(type)
        }
        for name in entry.results {
            guard let type = Self.valueType(name) else {
                throw PluginError(entry.symbol, "result type \(name) is not one of i32, i64, f32, f64")
            }
            results.append(type)
        }
        guard results.count <= 1 else { throw PluginError(entry.symbol, "a C function returns at most one value") }
        return FuncType(params: params, results: results)
    }
}

/// A plugin that cannot be loaded or linked: the manifest, the library, a
/// symbol, or an import whose type is not the manifest's.
public struct PluginError: Error, Hashable, CustomStringConvertible {
    /// The file, symbol or import concerned.
    public var subject: String
    public var reason: String

    public init(_ subject: String, _ reason: String) {
        self.subject = subject
        self.reason = reason
    }

    public var description: String { "plugin: \(subject): \(reason)" }
}
