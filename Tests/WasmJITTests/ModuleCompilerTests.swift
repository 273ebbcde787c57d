import Foundation
import Testing
import WasmBinary
import WasmRuntime
import WasmSyntax
import WasmText
import WasmValidation
@testable import WasmJIT

/// The JIT compiles a module's functions in pieces on every core and links
/// them (`ModuleCompiler`, `CodeBuffer.link`): the pieces depend on the
/// module alone, calls between pieces land on their functions, and errors
/// are those of the sequential loop. (Every execution test also runs with
/// a piece per function: TestTier.jitPieces.)
@Suite("JIT: compiling a module in pieces")
struct ModuleCompilerTests {
    static func function(bodySize: Int) -> WasmSyntax.Function {
        WasmSyntax.Function(typeIndex: 0, body: ArraySlice(repeating: 0x01, count: bodySize))
    }

    @Test func piecesAreRunsOfFunctionsOfAboutThePieceSize() {
        let sizes = [10, 10, 10, 30, 5, 5, 5, 5, 1]
        let functions = sizes.map { Self.function(bodySize: $0) }
        let pieces = ModuleCompiler<X64MacroAssembler>.pieces(of: functions, pieceSize: 20)
        #expect(pieces == [0..<2, 2..<4, 4..<8, 8..<9])
        #expect(ModuleCompiler<X64MacroAssembler>.pieces(of: functions, pieceSize: 1000) == [0..<9])
        #expect(ModuleCompiler<X64MacroAssembler>.pieces(of: functions, pieceSize: 1).count == 9)
        #expect(ModuleCompiler<X64MacroAssembler>.pieces(of: [], pieceSize: 20) == [0..<0])
    }

    /// A chain of functions, each calling the next (directly, and the last
    /// one back to the first through a tail call that ends the recursion):
    /// function i returns i + f(i+1).
    static func chain(_ count: Int, padding: Int = 0) -> String {
        var text = "(module\n"
        for i in 0..<count {
            let pad = String(repeating: "(drop (i32.const \(i)))", count: padding)
            let next = i + 1 < count ? "(call \(i + 1) (local.get 0))" : "(i32.const 0)"
            text += "(func (export \"f\(i)\") (param i32) (result i32) \(pad) (i32.add (i32.const \(i)) \(next)))\n"
        }
        text += "(func (export \"tail\") (param i32) (result i32) (return_call 0 (local.get 0))))"
        return text
    }

    @Test(arguments: [1, 64, JIT.defaultPieceSize]) func callsBetweenPiecesReachTheirFunctions(pieceSize: Int) throws {
        let count = 40
        let bytes = encodeModule(try parseModule(Self.chain(count, padding: 200)))
        let engine = Engine(tier: JIT(pieceSize: pieceSize))
        let instance = try Linker().instantiate(try WasmRuntime.Module(engine: engine, bytes: bytes), in: Store(engine: engine))
        for start in [0, 17, count - 1] {
            let expected = (start..<count).reduce(0, +)
            #expect(try instance.function("f\(start)")!.call([.i32(0)]) == [.i32(UInt32(expected))])
        }
        #expect(try instance.function("tail")!.call([.i32(0)]) == [.i32(UInt32((0..<count).reduce(0, +)))])
    }

    static func artifact(_ text: String, target: JITTarget, pieceSize: Int) throws -> CodeArtifact {
        let module = try decodeModule(encodeModule(try parseModule(text)), features: .all)
        let validation = try ValidationContext(module: module, features: .all)
        try validation.validateDefinitions(of: module)
        let context = CompilationContext(configuration: EngineConfiguration(), validation: validation)
        return try JIT.compileArtifact(module, context: context, target: target, pieceSize: pieceSize)
    }

    /// The artifact is a function of the module: compiled again (with the
    /// pieces on other threads, in another order), it is the same bytes.
    @Test(arguments: JITTarget.allCases) func theCodeDoesNotDependOnTheThreads(target: JITTarget) throws {
        let text = Self.chain(300, padding: 30)
        let first = try Self.artifact(text, target: target, pieceSize: 512)
        for _ in 0..<5 { #expect(try Self.artifact(text, target: target, pieceSize: 512) == first) }
        #expect(first.entries.count == 301)
        #expect(first.entries == first.entries.sorted())
    }

    /// Every direct call in a linked AArch64 artifact lands on a function's
    /// body (its `bl` is the prologue's own or a call site's), checked on
    /// the words llvm-mc-15 decodes.
    @Test(.enabled(if: A64LLVMMC.path != nil, "llvm-mc-15 is not installed (apt-get install llvm-15)"))
    func aarch64CallsBetweenPiecesLandOnFunctions() throws {
        let artifact = try Self.artifact(Self.chain(12, padding: 20), target: .aarch64, pieceSize: 1)
        let code = artifact.code
        let words = stride(from: 0, to: code.count, by: 4).map { offset in
            (0..<4).reduce(UInt32(0)) { $0 | UInt32(code[offset + $1]) << (8 * $1) }
        }
        // bl: 100101 imm26. (offset, target) of each.
        let calls = words.enumerated().compactMap { (index, word) -> (at: Int, target: Int)? in
            guard word >> 26 == 0b100101 else { return nil }
            let imm = Int(Int32(bitPattern: word << 6) >> 6)
            return (index * 4, index * 4 + imm * 4)
        }
        // Each function's C entry calls its own body first: that call says
        // where the body is. Every other call must land on one of them.
        let bodies = artifact.entries.map { entry in calls.first { $0.at >= entry }!.target }
        #expect(Set(bodies).count == 13, "a body per function")
        for (entry, body) in zip(artifact.entries, bodies) { #expect(body > entry) }
        for call in calls { #expect(bodies.contains(call.target), "bl at \(call.at) to \(call.target) is not a function's body") }
        // The chain: function i calls function i + 1 (and the twelfth none).
        let chainCalls = calls.filter { call in !artifact.entries.contains { call.at >= $0 && call.at < $0 + 16 } }
        #expect(chainCalls.count >= 11)
        let disassembly = try A64LLVMMC.disassemble(words.filter { $0 >> 26 == 0b100101 })
        #expect(disassembly.allSatisfy { $0.hasPrefix("bl") })
    }

    /// The linked AArch64 code runs: the chain's calls and the tail call
    /// cross pieces (a piece per function), under qemu.
    @Test(.enabled(if: A64Qemu.available, "qemu-aarch64 or aarch64-linux-gnu-gcc is not installed"))
    func aarch64CallsBetweenPiecesRun() throws {
        let count = 12
        let text = Self.chain(count, padding: 5)
        let module = try decodeModule(encodeModule(try parseModule(text)), features: .all)
        let artifact = try Self.artifact(text, target: .aarch64, pieceSize: 1)
        let path = try A64QemuSmokeTests.artifactFile(module, code: artifact.code, entries: artifact.entries)
        defer { try? FileManager.default.removeItem(atPath: path) }
        for function in [0, 5, count] {
            let output = try A64Qemu.run([path, String(function), "1", "0"], fuel: nil)
            let expected = function == count ? (0..<count).reduce(0, +) : (function..<count).reduce(0, +)
            #expect(output.split(separator: " ").prefix(2) == ["0", "\(expected)"], "function \(function): \(output)")
        }
    }

    /// The first invalid function fails the module, wherever its piece is
    /// compiled and whatever the other pieces found.
    @Test func theFirstInvalidFunctionIsReported() throws {
        var text = "(module\n"
        for i in 0..<20 {
            text += i == 7 || i == 15 ? "(func (result i32) (i64.const \(i)))\n" : "(func (result i32) (i32.const \(i)))\n"
        }
        text += ")"
        let bytes = encodeModule(try parseModule(text))
        let expected = try #require(throws: CompileError.self) { try WasmRuntime.Module(engine: Engine(tier: JIT()), bytes: bytes) }
        for _ in 0..<5 {
            let error = try #require(throws: CompileError.self) {
                try WasmRuntime.Module(engine: Engine(tier: JIT(pieceSize: 1)), bytes: bytes)
            }
            #expect(error.kind == .invalid)
            #expect(error.offset == expected.offset)
            #expect(error.message == expected.message)
        }
    }
}
