import WasmBinary
import WasmSyntax
import WasmValidation

/// A compiled module: decoded, validated and translated by the engine's
/// tier. Instantiate it with a `Linker` (or `Instance.init`) any number of
/// times, in any store of the same engine. It is immutable, so threads may
/// share it.
public final class Module: @unchecked Sendable {
    public let engine: Engine
    /// The decoded module.
    public let syntax: WasmSyntax.Module
    package let validation: ValidationContext
    package let code: any CompiledCode
    /// The bytes of every data segment, at stable addresses for `DataSegmentState`.
    package let dataSegments: [UnsafeMutableRawBufferPointer]

    /// Decodes, validates and compiles a binary module. Errors say whether
    /// the module is malformed or invalid, with the byte offset.
    public init(engine: Engine, bytes: [UInt8]) throws(CompileError) {
        let features = engine.configuration.features
        let syntax: WasmSyntax.Module
        let validation: ValidationContext
        do {
            // The tier reads every body in full as it validates it; the
            // decoder does not scan them first.
            (syntax, validation, code) = try Self.compile(bytes, engine: engine)
        } catch {
            // A malformed body beats every other error: decode again, scanning.
            do {
                _ = try decodeModule(bytes, features: features)
            } catch {
                throw CompileError(.malformed, error.message, offset: error.offset)
            }
            throw error
        }
        self.engine = engine
        self.syntax = syntax
        self.validation = validation
        self.dataSegments = syntax.datas.map { segment in
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Swift.max(segment.bytes.count, 1), alignment: 8)
            segment.bytes.withUnsafeBytes { source in
                if let base = source.baseAddress { buffer.baseAddress!.copyMemory(from: base, byteCount: source.count) }
            }
            return buffer
        }
    }

    deinit {
        for buffer in dataSegments { buffer.deallocate() }
    }

    /// Decodes (without scanning bodies), validates and compiles.
    private static func compile(_ bytes: [UInt8], engine: Engine) throws(CompileError)
        -> (WasmSyntax.Module, ValidationContext, any CompiledCode) {
        let features = engine.configuration.features
        let syntax: WasmSyntax.Module
        do {
            syntax = try decodeModuleForCompilation(bytes, features: features)
        } catch {
            throw CompileError(.malformed, error.message, offset: error.offset)
        }
        // Module-level rules here; function bodies are validated by the tier
        // while it translates them (one pass over the code, docs/architecture.md, decision 1).
        let validation: ValidationContext
        do {
            validation = try ValidationContext(module: syntax, features: features)
            try validation.validateDefinitions(of: syntax)
        } catch {
            throw CompileError(validationError: error)
        }
        let context = CompilationContext(configuration: engine.configuration, validation: validation)
        let code = try engine.implementation.compile(syntax, context: context)
        do {
            try validation.validateStartAndExports(of: syntax)
        } catch {
            throw CompileError(validationError: error)
        }
        return (syntax, validation, code)
    }

    /// The imports the module declares, in order.
    public var imports: [Import] { syntax.imports }
    /// The exports the module declares, in order.
    public var exports: [Export] { syntax.exports }
}
