import Testing
import WasmSyntax
import WasmBinary
@testable import WasmValidation

@Suite("Module-level rules")
struct ModuleValidationTests {
    @Test func exportNamesAreUniqueAsBytes() {
        var m = Module()
        let f = m.addFunction([])
        m.exports = [Export(name: "a", descriptor: .function(f)), Export(name: "b", descriptor: .function(f))]
        #expect(moduleError(m) == nil)
        m.exports.append(Export(name: "a", descriptor: .function(f)))
        #expect(moduleError(m) == "duplicate export name")
        // Canonically equivalent, different bytes: two names.
        m.exports = [Export(name: "\u{212B}", descriptor: .function(f)), Export(name: "\u{00C5}", descriptor: .function(f))]
        #expect(moduleError(m) == nil)
    }

    @Test func exportsNameExistingDefinitions() {
        var m = Module()
        m.exports = [Export(name: "f", descriptor: .function(0))]
        #expect(moduleError(m) == "unknown function 0")
        m.exports = [Export(name: "t", descriptor: .table(0))]
        #expect(moduleError(m) == "unknown table 0")
        m.exports = [Export(name: "m", descriptor: .memory(0))]
        #expect(moduleError(m) == "unknown memory 0")
        m.exports = [Export(name: "g", descriptor: .global(0))]
        #expect(moduleError(m) == "unknown global 0")
        m.exports = [Export(name: "e", descriptor: .tag(0))]
        #expect(moduleError(m) == "unknown tag 0")
    }

    @Test func startFunctionTakesAndReturnsNothing() {
        var m = Module()
        let good = m.addFunction([])
        let bad = m.addFunction(results: [.i32], [i32(0)])
        m.start = good
        #expect(moduleError(m) == nil)
        m.start = bad
        #expect(moduleError(m)?.hasPrefix("start function") == true)
        m.start = 5
        #expect(moduleError(m) == "unknown function 5")
    }

    @Test func memoryLimits() {
        func check(_ t: MemoryType, _ features: Features = .all) -> String? {
            var m = Module()
            m.memories = [t]
            return moduleError(m, features: features)
        }
        #expect(check(MemoryType(limits: Limits(min: 65536))) == nil)
        #expect(check(MemoryType(limits: Limits(min: 65537))) == "memory size must be at most 65536 pages (4GiB)")
        #expect(check(MemoryType(limits: Limits(min: 0, max: 0x1_0000_0000))) == "memory size must be at most 65536 pages (4GiB)")
        #expect(check(MemoryType(limits: Limits(min: 2, max: 1))) == "size minimum must not be greater than maximum")
        #expect(check(MemoryType(limits: Limits(min: 1 << 48, addressType: .i64))) == nil)
        #expect(check(MemoryType(limits: Limits(min: 1 << 48 + 1, addressType: .i64)))?.hasPrefix("memory size") == true)
        #expect(check(MemoryType(limits: Limits(min: 1, addressType: .i64)), .wasm2) != nil)
        #expect(check(MemoryType(limits: Limits(min: 1, max: 2, shared: true))) == nil)
        #expect(check(MemoryType(limits: Limits(min: 1, shared: true))) == "shared memory must have maximum")
        #expect(check(MemoryType(limits: Limits(min: 0xFFFF_FFFF), pageSizeLog2: 0)) == nil)
        #expect(check(MemoryType(limits: Limits(min: 0x1_0000_0000), pageSizeLog2: 0))?.hasPrefix("memory size must be at most") == true)
        #expect(check(MemoryType(limits: Limits(min: 0), pageSizeLog2: 1)) == "invalid custom page size")
    }

    @Test func tableLimits() {
        func check(_ limits: Limits) -> String? {
            var m = Module()
            m.tables = [Table(type: TableType(elementType: .funcref, limits: limits))]
            return moduleError(m)
        }
        #expect(check(Limits(min: 0xFFFF_FFFF)) == nil)
        #expect(check(Limits(min: 0x1_0000_0000))?.hasPrefix("table size") == true)
        #expect(check(Limits(min: 0, max: 0x1_0000_0000))?.hasPrefix("table size") == true)
        #expect(check(Limits(min: 1, max: 0)) == "size minimum must not be greater than maximum")
        #expect(check(Limits(min: 0x1_0000_0000, addressType: .i64)) == nil)
    }

    @Test func importsAndFunctionsNeedFunctionTypes() {
        var m = Module()
        m.functions = [Function(typeIndex: 0, body: encodeBody([]))]
        #expect(moduleError(m) == "unknown type 0")
        m = Module()
        m.imports = [Import(module: "m", name: "f", descriptor: .function(2))]
        #expect(moduleError(m) == "unknown type 2")
        m = Module()
        let s = m.addType(.struct([]))
        m.imports = [Import(module: "m", name: "f", descriptor: .function(s))]
        #expect(moduleError(m)?.hasPrefix("type mismatch") == true)
    }

    @Test func tagsHaveNoResults() {
        var m = Module()
        let t = m.addType(FuncType(params: [.i32], results: [.i32]))
        m.tags = [TagType(typeIndex: t)]
        #expect(moduleError(m) == "non-empty tag result type")
        m.tags = []
        m.imports = [Import(module: "m", name: "t", descriptor: .tag(TagType(typeIndex: t)))]
        #expect(moduleError(m) == "non-empty tag result type")
    }

    @Test func localsMustHaveValidTypes() {
        var m = Module()
        m.addFunction(locals: [ref(.concrete(7))], [])
        #expect(moduleError(m) == "unknown type 7")
    }

    @Test func bodyBytesThatDoNotDecodeAreMalformed() {
        var m = Module()
        let t = m.addType(FuncType())
        m.functions = [Function(typeIndex: t, body: [0xFF, 0x0B][...])]
        #expect(isMalformed(m))
        m.functions = [Function(typeIndex: t, body: [0x01][...])]
        #expect(isMalformed(m))
        m.functions = [Function(typeIndex: t, body: [0x0B, 0x01][...])]
        #expect(isMalformed(m))
        m.functions = [Function(typeIndex: t, body: [0x41, 0x00, 0x0B][...])]
        #expect(!isMalformed(m))
        #expect(moduleError(m) == "type mismatch: block requires [] but stack has [i32]")
    }

    @Test func decodedModulesValidate() throws {
        // (module (func (export "f") (param i32) (result i32) local.get 0))
        let bytes: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00,
                              0x01, 0x06, 0x01, 0x60, 0x01, 0x7F, 0x01, 0x7F,
                              0x03, 0x02, 0x01, 0x00,
                              0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00,
                              0x0A, 0x06, 0x01, 0x04, 0x00, 0x20, 0x00, 0x0B]
        let module = try decodeModule(bytes)
        try validateModule(module)
    }

    @Test func errorsCarryTheOffsetOfTheInstruction() throws {
        var m = Module()
        m.addFunction([op(.nop), i64(1), op(.i32Eqz), op(.drop)])
        do {
            try validateModule(m)
            Issue.record("expected an error")
        } catch {
            // The body starts at 0: nop at 0, i64.const at 1, i32.eqz at 3.
            #expect(error.offset == 3)
        }
    }
}
