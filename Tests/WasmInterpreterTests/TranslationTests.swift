import Testing
@testable import WasmInterpreter
import WasmRuntime

/// The shape of the IR: the translator's optimisations must hold.
@Suite struct TranslationTests {
    func ir(_ text: String, function: Int = 0) throws -> [String] {
        let module = try compile(text)
        let code = try #require(module.code as? InterpreterCode)
        return code.disassemble(function)
    }

    func ops(_ lines: [String]) -> [String] {
        lines.map { String($0.split(separator: " ")[1]) }
    }

    @Test func localsAreOperandsNotCopies() throws {
        let lines = try ir("""
        (module (func (param i32 i32) (local i32)
          (local.set 2 (i32.add (local.get 0) (local.get 1)))))
        """)
        #expect(ops(lines) == ["i32Add", "ret"])
        #expect(lines[0].hasPrefix("0: i32Add 2 0 [1]"))
    }

    @Test func constantsBecomeImmediates() throws {
        let lines = try ir("""
        (module (func (param i32) (result i32) (i32.sub (local.get 0) (i32.const 1))))
        """)
        #expect(ops(lines) == ["i32AddImm_ret1_a", "ret1"])
        #expect(lines[0].hasSuffix("[-1]") || lines[0].hasSuffix("[4294967295]"))
    }

    @Test func comparisonsFuseWithBranches() throws {
        let lines = try ir("""
        (module (func (param i32 i32) (result i32)
          (block (br_if 0 (i32.lt_s (local.get 0) (local.get 1))) (return (i32.const 1)))
          (i32.const 0)))
        """)
        #expect(ops(lines).first == "brIfI32LtS")
        #expect(!ops(lines).contains("i32LtS"))
    }

    @Test func loopsWithFuelCheckOnlyBackEdges() throws {
        var configuration = EngineConfiguration()
        configuration.consumesFuel = true
        let module = try compile("""
        (module (func (param i32) (loop (br_if 0 (local.get 0)))))
        """, configuration: configuration)
        let code = try #require(module.code as? InterpreterCode)
        let lines = code.disassemble(0)
        #expect(ops(lines) == ["consumeFuel", "br", "consumeFuel", "brIfNez", "ret"])
    }

    @Test func malformedAndInvalidBodiesAreTold() throws {
        let engine = Engine(tier: Interpreter())
        // (func (result i32) i64.const 0 end): invalid.
        let invalid: [UInt8] = [0, 0x61, 0x73, 0x6D, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7F, 3, 2, 1, 0, 10, 6, 1, 4, 0, 0x42, 0, 0x0B]
        #expect(throws: CompileError.self) { try Module(engine: engine, bytes: invalid) }
        do {
            _ = try Module(engine: engine, bytes: invalid)
        } catch {
            #expect(error.kind == .invalid)
            #expect(error.message.hasPrefix("type mismatch"))
        }
        // An illegal opcode in the body: malformed.
        let malformed: [UInt8] = [0, 0x61, 0x73, 0x6D, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, 5, 1, 3, 0, 0xFF, 0x0B]
        do {
            _ = try Module(engine: engine, bytes: malformed)
            Issue.record("malformed module compiled")
        } catch {
            #expect(error.kind == .malformed)
            #expect(error.offset > 0)
        }
    }
}
