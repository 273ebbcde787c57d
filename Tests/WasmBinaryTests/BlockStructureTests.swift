import Testing
import WasmBinary
import WasmSyntax

/// `decodeInstructions` and the module decoder check that blocks nest and
/// the body ends with its final `end`.
@Suite struct BlockStructureTests {
    func decode(_ bytes: [UInt8], features: Features = .all) throws(DecodingError) -> [Instruction] {
        try decodeInstructions(bytes[...], features: features)
    }

    @Test func wholeBodyIncludingTheFinalEnd() throws {
        let body: [UInt8] = [0x02, 0x40, 0x41, 0x01, 0x04, 0x40, 0x01, 0x05, 0x01, 0x0B, 0x0B, 0x0B]
        #expect(try decode(body) == [
            Instruction(.block, .block(.empty)), Instruction(.i32Const, .i32(1)), Instruction(.if, .block(.empty)),
            Instruction(.nop), Instruction(.else), Instruction(.nop), Instruction(.end), Instruction(.end), Instruction(.end),
        ])
    }

    @Test func misplacedSeparators() {
        #expect(decodingErrorMessage { try decode([0x05, 0x0B]) } == "END opcode expected")
        #expect(decodingErrorMessage { try decode([0x02, 0x40, 0x05, 0x0B, 0x0B]) } == "END opcode expected")
        #expect(decodingErrorMessage { try decode([0x04, 0x40, 0x05, 0x05, 0x0B, 0x0B]) } == "END opcode expected")
        #expect(decodingErrorMessage { try decode([0x19, 0x0B]) } == "END opcode expected")
        #expect(decodingErrorMessage { try decode([0x06, 0x40, 0x19, 0x07, 0x00, 0x0B, 0x0B]) } == "END opcode expected")
    }

    @Test func legacyTryCatchAndDelegate() throws {
        #expect(try decode([0x06, 0x40, 0x07, 0x00, 0x07, 0x01, 0x19, 0x0B, 0x0B]).count == 6)
        #expect(try decode([0x06, 0x40, 0x18, 0x00, 0x0B]).count == 3)
    }

    @Test func missingOrExtraEnd() {
        #expect(decodingErrorMessage { try decode([0x41, 0x01, 0x1A]) } == "unexpected end of section or function")
        #expect(decodingErrorMessage { try decode([0x02, 0x40, 0x0B]) } == "unexpected end of section or function")
        #expect(decodingErrorMessage { try decode([0x0B, 0x01]) } == "section size mismatch")
    }

    @Test func deepNestingNeedsNoRecursion() throws {
        let depth = 100_000
        let body = [UInt8](repeating: 0x02, count: depth).flatMap { [$0, 0x40] } + [UInt8](repeating: 0x0B, count: depth + 1)
        #expect(try decode(body).count == 2 * depth + 1)
    }

    /// In a module a body is read on past its declared size, as the
    /// reference decoder does, so a missing `end` before the next body
    /// reads that body's first byte.
    @Test func missingEndInAModule() {
        // Two bodies; the first lacks its end, the next entry starts with size 5 (0x05 = else).
        let bytes = Bin.module(
            Bin.voidType, Bin.section(3, [0x02, 0x00, 0x00]),
            Bin.section(10, [0x02, 0x04, 0x00, 0x41, 0x01, 0x1A, 0x05, 0x00, 0x41, 0x01, 0x1A, 0x0B]))
        #expect(decodingErrorMessage { try decodeModule(bytes) } == "END opcode expected")
        // The last body of the section: the file ends.
        let last = Bin.module(Bin.voidType, Bin.section(3, [0x01, 0x00]), Bin.section(10, [0x01, 0x04, 0x00, 0x41, 0x01, 0x1A]))
        #expect(decodingErrorMessage { try decodeModule(last) } == "unexpected end of section or function")
        // Content after the final end.
        #expect(decodingErrorMessage { try decodeModule(Bin.function(body: [0x0B, 0x01])) } == "section size mismatch")
    }
}
