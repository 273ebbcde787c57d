import WasmRuntime
import WasmSyntax

/// The machines the JIT writes code for.
public enum JITTarget: String, Sendable, CaseIterable {
    case x86_64
    case aarch64

    /// The machine this process runs on, if the JIT has a backend for it.
    public static var host: JITTarget? {
        #if arch(x86_64)
        return .x86_64
        #elseif arch(arm64)
        return .aarch64
        #else
        return nil
        #endif
    }
}

/// A module's compiled code, as bytes (docs/architecture.md, decision 4):
/// position-independent (branches and calls within the module are
/// PC-relative, everything else is reached through the vmctx), so it needs
/// no relocations and runs wherever it is mapped, in this process or in
/// the agent (docs/agent-protocol.md).
public struct CodeArtifact: Sendable, Hashable {
    public var target: JITTarget
    public var code: [UInt8]
    /// The offset of each defined function's C entry in `code`.
    public var entries: [Int]

    public init(target: JITTarget, code: [UInt8], entries: [Int]) {
        self.target = target
        self.code = code
        self.entries = entries
    }
}

/// The JIT as a compiler for another process: it validates and compiles
/// modules like the `JIT` tier, but keeps the code as a `CodeArtifact`
/// instead of mapping it, for `AgentEngine` to load into the agent. Its
/// modules cannot be instantiated in this process.
package final class JITArtifactCompiler: TierImplementation {
    package let target: JITTarget
    /// A planted bug in the backend (test-only engine names).
    package let plantedFault: PlantedBackendFault?
    /// As `JIT.pieceSize`.
    package let pieceSize: Int
    package var name: String { "jit-\(target.rawValue)" }

    package init(target: JITTarget, plantedFault: PlantedBackendFault? = nil, pieceSize: Int = JIT.defaultPieceSize) {
        self.target = target
        self.plantedFault = plantedFault
        self.pieceSize = pieceSize
    }

    package func compile(_ module: WasmSyntax.Module, context: CompilationContext) throws(CompileError) -> any CompiledCode {
        ArtifactCode(artifact: try JIT.compileArtifact(module, context: context, target: target, plantedFault: plantedFault,
                                                            pieceSize: pieceSize))
    }

    package func invoke(_ function: UnsafeMutablePointer<FunctionHeader>, slots: UnsafeMutablePointer<UInt64>, store: Store) throws(Trap) {
        throw Trap(.host("\(name): code compiled for the agent runs in the agent, not in this process"))
    }
}

/// A module's artifact, held by its `WasmRuntime.Module`.
package final class ArtifactCode: CompiledCode {
    package let artifact: CodeArtifact

    init(artifact: CodeArtifact) { self.artifact = artifact }

    package func entry(ofDefinedFunction index: Int) -> UnsafeRawPointer {
        preconditionFailure("an agent artifact is not mapped in this process")
    }
}
