import Testing
import WasmSyntax
import WasmText

@Suite struct ScriptParsingTests {
    private func commands(_ text: String) throws -> [Command.Kind] {
        try parseScript(text, fileName: "test.wast").commands.map(\.kind)
    }

    @Test func modulesInEveryForm() throws {
        let script = try parseScript("""
            (module $M (func (export "f")))
            (module binary "\\00asm" "\\01\\00\\00\\00")
            (module $Q quote "(func" ")")
            (module definition $D (memory 1))
            (module instance $I $D)
            (register "m" $M)
            """, fileName: "modules.wast")
        #expect(script.fileName == "modules.wast")
        #expect(script.commands.map(\.line) == [1, 2, 3, 4, 5, 6])
        let kinds = script.commands.map(\.kind)
        guard case .module(let text) = kinds[0], case .text(let m) = text.source else { Issue.record("text module"); return }
        #expect(text.id == "M")
        #expect(m.exports == [Export(name: "f", descriptor: .function(0))])
        #expect(kinds[1] == .module(ScriptModule(id: nil, source: .binary([0, 0x61, 0x73, 0x6D, 1, 0, 0, 0]))))
        #expect(kinds[2] == .module(ScriptModule(id: "Q", source: .quote(Array("(func)".utf8)))))
        guard case .module(let definition) = kinds[3] else { Issue.record("definition"); return }
        #expect(definition.isDefinition && definition.id == "D")
        #expect(kinds[4] == .instance(instance: "I", definition: "D"))
        #expect(kinds[5] == .register(name: "m", module: "M"))
    }

    @Test func actionsAndArguments() throws {
        let kinds = try commands("""
            (invoke "f" (i32.const -1) (i64.const 0x10) (f32.const -0.5) (f64.const nan:0x1) (v128.const i16x8 1 2 3 4 5 6 7 -1))
            (invoke $M "g" (ref.null extern) (ref.extern 7) (ref.host 3) (ref.null func))
            (get "glob")
            """)
        #expect(kinds[0] == .action(.invoke(module: nil, name: "f", arguments: [
            .i32(0xFFFF_FFFF), .i64(16), .f32(0xBF00_0000), .f64(0x7FF0_0000_0000_0001),
            .v128(V128(bytes: [1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0xFF, 0xFF])),
        ])))
        #expect(kinds[1] == .action(.invoke(module: "M", name: "g", arguments: [
            .refNull(.extern), .refExtern(7), .refHost(3), .refNull(.func),
        ])))
        #expect(kinds[2] == .action(.get(module: nil, name: "glob")))
    }

    @Test func expectedResults() throws {
        let kinds = try commands("""
            (assert_return (invoke "f")
              (i32.const 1) (f32.const nan:canonical) (f64.const nan:arithmetic) (f64.const -inf)
              (v128.const f32x4 nan:canonical 1 nan:arithmetic -0)
              (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)
              (ref.null) (ref.null any) (ref.func) (ref.extern) (ref.extern 2) (ref.host 1)
              (ref.struct) (ref.array) (ref.eq) (ref.i31) (ref.any) (ref.exn)
              (either (i32.const 1) (i32.const 2)))
            """)
        guard case .assertReturn(let action, let results) = kinds[0] else { Issue.record("assert_return"); return }
        #expect(action == .invoke(module: nil, name: "f", arguments: []))
        #expect(results == [
            .i32(1), .f32NaN(.canonical), .f64NaN(.arithmetic), .f64(0xFFF0_0000_0000_0000),
            .v128Lanes([.f32NaN(.canonical), .f32(0x3F80_0000), .f32NaN(.arithmetic), .f32(0x8000_0000)]),
            .v128(V128(bytes: Array(0..<16))),
            .refNull(nil), .refNull(.any), .refFunc, .refExtern(nil), .refExtern(2), .refHost(1),
            .refStruct, .refArray, .refEq, .refI31, .refAny, .refExn,
            .either([.i32(1), .i32(2)]),
        ])
    }

    @Test func assertions() throws {
        let kinds = try commands("""
            (assert_trap (invoke "f") "unreachable")
            (assert_trap (module (func $f unreachable) (start $f)) "unreachable")
            (assert_exhaustion (invoke "r") "call stack exhausted")
            (assert_exception (invoke "t"))
            (assert_invalid (module (func (result i32))) "type mismatch")
            (assert_malformed (module quote "(func") "unexpected end")
            (assert_unlinkable (module (import "m" "f" (func))) "unknown import")
            (assert_uninstantiable (module binary "") "x")
            (assert_malformed_custom (module quote "(@custom)") "@custom annotation: missing section name")
            """)
        #expect(kinds[0] == .assertTrap(.invoke(module: nil, name: "f", arguments: []), message: "unreachable"))
        guard case .assertModuleTrap(let trapping, "unreachable") = kinds[1], case .text(let m) = trapping.source else {
            Issue.record("module trap"); return
        }
        #expect(m.start == 0)
        #expect(kinds[2] == .assertExhaustion(.invoke(module: nil, name: "r", arguments: []), message: "call stack exhausted"))
        #expect(kinds[3] == .assertException(.invoke(module: nil, name: "t", arguments: [])))
        guard case .assertInvalid(let invalid, "type mismatch") = kinds[4], case .text = invalid.source else {
            Issue.record("invalid"); return
        }
        #expect(kinds[5] == .assertMalformed(ScriptModule(id: nil, source: .quote(Array("(func".utf8))), message: "unexpected end"))
        guard case .assertUnlinkable(_, "unknown import") = kinds[6] else { Issue.record("unlinkable"); return }
        #expect(kinds[7] == .assertUninstantiable(ScriptModule(id: nil, source: .binary([])), message: "x"))
        guard case .assertMalformedCustom = kinds[8] else { Issue.record("custom"); return }
    }

    @Test func threadsAreParsedButInert() throws {
        let kinds = try commands("""
            (module $Mem (memory 1 1 shared))
            (thread $T1 (shared (module $Mem))
              (register "mem" $Mem)
              (module (memory (import "mem" "shared") 1 1 shared))
              (assert_return (invoke "run")))
            (wait $T1)
            """)
        guard case .thread("T1", ["Mem"], let inner) = kinds[1] else { Issue.record("thread"); return }
        #expect(inner.count == 3)
        #expect(inner.map(\.line) == [3, 4, 5])
        #expect(kinds[2] == .wait(thread: "T1"))
    }

    @Test func inlineModuleScript() throws {
        let kinds = try commands("(func) (memory 0) (func (export \"f\"))")
        guard kinds.count == 1, case .module(let m) = kinds[0], case .text(let module) = m.source else {
            Issue.record("inline module"); return
        }
        #expect(module.functions.count == 2)
    }

    @Test func unsupportedModulesDoNotStopTheScript() throws {
        let kinds = try commands("""
            (module (rec (type (descriptor 1) (struct)) (type (describes 0) (struct))))
            (assert_return (invoke "f"))
            """)
        guard case .module(let m) = kinds[0], case .unsupported(let error) = m.source else { Issue.record("unsupported"); return }
        #expect(error.isUnsupported)
        #expect(error.line == 1)
        #expect(kinds.count == 2)
    }

    @Test func errorsPointIntoTheScript() {
        do {
            _ = try parseScript("(module)\n(assert_return (invoke \"f\") (i32.const 1x))", fileName: "bad.wast")
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "unknown operator 1x")
            #expect(error.line == 2)
            #expect(error.column == 40)
        }
    }
}
