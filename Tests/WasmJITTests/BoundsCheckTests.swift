import Foundation
import Testing
import WasmBinary
import WasmRuntime
import WasmSyntax
import WasmText
import WasmValidation
@testable import WasmJIT

/// The frontend checks an access through a local once and leaves the
/// check out of later accesses through the same local that end no further
/// (`CheckedAccesses`); the execution tests (MemoryAccessTests) show the
/// checks that must stay. Here, the code: how many bounds checks each
/// backend emits.
@Suite("JIT: bounds checks known to hold", .enabled(if: LLVMMC.path != nil, "llvm-mc-15 is not installed (apt-get install llvm-15)"))
struct BoundsCheckTests {
    /// The compare-and-branch pairs against memory 0's size in the code of
    /// `text`'s first function.
    static func checks(_ text: String, target: JITTarget) throws -> Int {
        let module = try decodeModule(encodeModule(try parseModule(text)), features: .all)
        let validation = try ValidationContext(module: module, features: .all)
        try validation.validateDefinitions(of: module)
        let artifact = try JIT.compileArtifact(module, context: CompilationContext(configuration: EngineConfiguration(), validation: validation),
                                               target: target)
        let end = artifact.entries.count > 1 ? artifact.entries[1] : artifact.code.count
        let code = Array(artifact.code[artifact.entries[0]..<end])
        switch target {
        case .x86_64:
            let lines = try LLVMMC.disassemble([code.map { String(format: "0x%02x", $0) }.joined(separator: " ")])
            return lines.filter { $0 == "cmp rcx, r15" }.count
        case .aarch64:
            let words = stride(from: 0, to: code.count, by: 4).map { at in (0..<4).reduce(UInt32(0)) { $0 | UInt32(code[at + $1]) << (8 * $1) } }
            // x23 holds memory 0's byte count.
            return try A64LLVMMC.disassemble(words).filter { $0.hasPrefix("cmp x17, x23") }.count
        }
    }

    @Test(arguments: JITTarget.allCases) func aReadModifyWriteIsCheckedOnce(target: JITTarget) throws {
        let count = try Self.checks("""
            (module (memory 1)
              (func (param i32)
                (i32.store offset=4 (local.get 0) (i32.add (i32.load offset=4 (local.get 0)) (i32.const 1)))
                (i32.store (local.get 0) (i32.load offset=2 (local.get 0)))))
            """, target: target)
        #expect(count == 1)
    }

    @Test(arguments: JITTarget.allCases) func checksStayWhereTheyDoNotHold(target: JITTarget) throws {
        // A wider access, another local, the local written, a merge: each checks.
        let count = try Self.checks("""
            (module (memory 1)
              (func (param i32 i32)
                (drop (i32.load (local.get 0)))
                (drop (i64.load (local.get 0)))
                (drop (i64.load (local.get 1)))
                (local.set 0 (local.get 1))
                (drop (i32.load (local.get 0)))
                (block (br_if 0 (local.get 1)))
                (drop (i32.load (local.get 0)))))
            """, target: target)
        #expect(count == 5)
    }
}
