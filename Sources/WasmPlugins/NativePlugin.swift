import CFFI
import Foundation
import WasmRuntime
import WasmSyntax
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A native plugin (Wasmer's plugins): host functions implemented in C in
/// a shared library named by a `PluginManifest`, called through libffi,
/// so any numeric C signature works without generated glue.
///
///     let plugin = try NativePlugin(manifestPath: "plugin.json")
///     try plugin.checkImports(of: module)   // signatures, before linking
///     plugin.define(in: &linker, store: store)
///
/// C has no run-time types, so the manifest is the signature's only
/// source: the library's symbols are checked to exist when loading, and
/// each import's type is checked against the manifest when linking, where a
/// mismatch is a link error (`checkImports`, and `Instance`'s own import
/// check), so a call never reaches C with the wrong arguments.
public final class NativePlugin: @unchecked Sendable {
    public let manifest: PluginManifest
    /// The library's path, as loaded.
    public let libraryPath: String
    private let handle: UnsafeMutableRawPointer
    /// The library's functions, by import; never unloaded while a store
    /// may call them (the plugin is retained by every host function).
    let functions: [NativeFunction]

    /// Loads the library a manifest file names (relative to the file's directory).
    public convenience init(manifestPath: String) throws(PluginError) {
        let manifest = try PluginManifest(contentsOf: manifestPath)
        let directory = (manifestPath as NSString).deletingLastPathComponent
        try self.init(manifest: manifest, directory: directory.isEmpty ? "." : directory)
    }

    /// Loads the library of `manifest`, resolving a relative library path
    /// against `directory`, and prepares a libffi call for every function.
    public init(manifest: PluginManifest, directory: String) throws(PluginError) {
        self.manifest = manifest
        let path = manifest.library.hasPrefix("/") ? manifest.library : directory + "/" + manifest.library
        libraryPath = path
        // A path with a slash never searches LD_LIBRARY_PATH: the manifest
        // says exactly which file runs.
        guard let handle = dlopen(path.contains("/") ? path : "./" + path, RTLD_NOW | RTLD_LOCAL) else {
            throw PluginError(path, "cannot load (\(String(cString: dlerror())))")
        }
        var functions: [NativeFunction] = []
        do throws(PluginError) {
            var seen = Set<[String]>()
            for entry in manifest.functions {
                guard seen.insert([entry.module, entry.name]).inserted else {
                    throw PluginError("\(entry.module).\(entry.name)", "defined twice in the manifest")
                }
                let type = try manifest.functionType(of: entry)
                guard let symbol = dlsym(handle, entry.symbol) else {
                    throw PluginError(entry.symbol, "no such symbol in \(path)")
                }
                functions.append(try NativeFunction(entry: entry, type: type, address: symbol))
            }
        } catch {
            dlclose(handle)
            throw error
        }
        self.handle = handle
        self.functions = functions
    }

    deinit { dlclose(handle) }

    /// Checks that every import of `module` that this plugin provides has
    /// exactly the manifest's type (a function import with that signature).
    public func checkImports(of module: WasmRuntime.Module) throws(PluginError) {
        let types = module.syntax.definedTypes
        for item in module.imports {
            guard let function = functions.first(where: { $0.entry.module == item.module && $0.entry.name == item.name }) else { continue }
            let subject = "\(item.module).\(item.name)"
            guard case .function(let index) = item.descriptor else {
                throw PluginError(subject, "imported as something other than a function; the plugin provides a function")
            }
            guard Int(index) < types.count, case .func(let imported) = types[Int(index)].composite else {
                throw PluginError(subject, "imported with a type that is not a function type")
            }
            guard imported == function.type else {
                throw PluginError(subject, "the module imports it as \(Self.text(imported)), the plugin's manifest declares \(Self.text(function.type))")
            }
        }
    }

    /// Defines every function of the plugin in `linker`, as host functions of `store`.
    public func define(in linker: inout Linker, store: Store) {
        for function in functions {
            let host = WasmRuntime.Function(store: store, type: function.type) { [self] arguments in
                // Keeps the library loaded while the store can call it.
                withExtendedLifetime(self) { function.call(arguments) }
            }
            linker.define(module: function.entry.module, name: function.entry.name, .function(host))
        }
    }

    static func text(_ type: FuncType) -> String {
        "(\(type.params.map { "\($0)" }.joined(separator: ", "))) -> (\(type.results.map { "\($0)" }.joined(separator: ", ")))"
    }
}

/// One plugin function: its C address and a prepared libffi call
/// interface, whose argument type array lives as long as it does.
final class NativeFunction: @unchecked Sendable {
    let entry: PluginManifest.FunctionEntry
    let type: FuncType
    private let address: UnsafeMutableRawPointer
    private let cif: UnsafeMutablePointer<ffi_cif>
    private let argumentTypes: UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>

    init(entry: PluginManifest.FunctionEntry, type: FuncType, address: UnsafeMutableRawPointer) throws(PluginError) {
        self.entry = entry
        self.type = type
        self.address = address
        cif = .allocate(capacity: 1)
        argumentTypes = .allocate(capacity: Swift.max(type.params.count, 1))
        for (i, t) in type.params.enumerated() { argumentTypes[i] = Self.ffiType(t) }
        let result = type.results.first.map(Self.ffiType) ?? wasmcheck_ffi_type_void()
        let status = ffi_prep_cif(cif, FFI_DEFAULT_ABI, UInt32(type.params.count), result, argumentTypes)
        guard status == FFI_OK else {
            cif.deallocate()
            argumentTypes.deallocate()
            throw PluginError(entry.symbol, "libffi cannot prepare the call (status \(status.rawValue))")
        }
    }

    deinit {
        cif.deallocate()
        argumentTypes.deallocate()
    }

    private static func ffiType(_ type: ValueType) -> UnsafeMutablePointer<ffi_type> {
        switch type {
        case .i32: return wasmcheck_ffi_type_sint32()
        case .i64: return wasmcheck_ffi_type_sint64()
        case .f32: return wasmcheck_ffi_type_float()
        default: return wasmcheck_ffi_type_double()
        }
    }

    /// Calls the C function. The store has checked the arguments against
    /// `type`, which the manifest fixed when the plugin was loaded.
    func call(_ arguments: [Value]) -> [Value] {
        let count = type.params.count
        // One 8-byte slot per argument (every numeric type fits), and a
        // result slot at least as large as libffi's ffi_arg.
        let slots = UnsafeMutableRawPointer.allocate(byteCount: 8 * (count + 1), alignment: 8)
        let pointers = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: Swift.max(count, 1))
        defer {
            slots.deallocate()
            pointers.deallocate()
        }
        for (i, value) in arguments.prefix(count).enumerated() {
            let slot = slots + 8 * i
            switch value {
            case .i32(let v): slot.storeBytes(of: v, as: UInt32.self)
            case .i64(let v): slot.storeBytes(of: v, as: UInt64.self)
            case .f32(let v): slot.storeBytes(of: v, as: UInt32.self)
            case .f64(let v): slot.storeBytes(of: v, as: UInt64.self)
            default: slot.storeBytes(of: 0, as: UInt64.self)
            }
            pointers[i] = slot
        }
        let result = slots + 8 * count
        result.storeBytes(of: 0, as: UInt64.self)
        let function = unsafeBitCast(address, to: (@convention(c) () -> Void).self)
        ffi_call(cif, function, result, pointers)
        guard let resultType = type.results.first else { return [] }
        switch resultType {
        // libffi widens integer results narrower than a register to
        // ffi_arg: the low bits are the value (little-endian hosts).
        case .i32: return [.i32(UInt32(truncatingIfNeeded: result.load(as: UInt64.self)))]
        case .i64: return [.i64(result.load(as: UInt64.self))]
        case .f32: return [.f32(result.load(as: UInt32.self))]
        default: return [.f64(result.load(as: UInt64.self))]
        }
    }
}
