import Foundation
import Testing
import WasmSyntax

@Suite struct OpcodeTableTests {
    @Test func everyOpcodeRoundTripsThroughItsEncoding() {
        for op in Opcode.allCases {
            let back = op.prefix == 0 ? Opcode(byte: UInt8(op.code)) : Opcode(prefix: op.prefix, code: op.code)
            #expect(back == op, "\(op.mnemonic)")
        }
    }

    @Test func everyMnemonicIsUnique() {
        for op in Opcode.allCases {
            #expect(Opcode(mnemonic: op.mnemonic) == op, "\(op.mnemonic)")
        }
    }

    @Test func simpleSignaturesMatchTheSpec() {
        #expect(Opcode.i32Add.signature == FuncType(params: [.i32, .i32], results: [.i32]))
        #expect(Opcode.f64ConvertI64U.signature == FuncType(params: [.i64], results: [.f64]))
        #expect(Opcode.v128Bitselect.signature == FuncType(params: [.v128, .v128, .v128], results: [.v128]))
        #expect(Opcode.i32Load.signature == nil)
        #expect(Opcode.i8x16Shuffle.code == 13 && Opcode.i8x16Shuffle.prefix == 0xFD)
    }

    /// The generated table must match its source: regenerate rather than edit.
    @Test func generatedTableIsUpToDate() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = root.appendingPathComponent("Utilities/generate_opcodes.py").path
        guard FileManager.default.fileExists(atPath: "/usr/bin/python3") else { return }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = [script, "--check"]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "run python3 Utilities/generate_opcodes.py")
    }
}
