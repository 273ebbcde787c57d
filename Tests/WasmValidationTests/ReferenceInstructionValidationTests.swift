import Testing
import WasmSyntax
@testable import WasmValidation

@Suite("Reference instructions")
struct ReferenceInstructionValidationTests {
    @Test func nullAndIsNull() {
        #expect(bodyError([op(.refNull, .heapType(.extern)), op(.refIsNull)], results: [.i32]) == nil)
        #expect(bodyError([i32(0), op(.refIsNull)], results: [.i32])
                == "type mismatch: instruction requires reference type but stack has i32")
        #expect(bodyError([op(.refNull, .heapType(.concrete(3))), op(.drop)]) == "unknown type 3")
        #expect(bodyError([op(.unreachable), op(.refIsNull)], results: [.i32]) == nil)
    }

    @Test func refFuncNeedsADeclaration() {
        var module = Module()
        let f = module.addFunction([])
        #expect(bodyError([local(.refFunc, f), op(.drop)], in: module) == "undeclared function reference 0")
        #expect(bodyError([local(.refFunc, 9), op(.drop)], in: module) == "unknown function 9")

        var exported = module
        exported.exports = [Export(name: "f", descriptor: .function(f))]
        #expect(bodyError([local(.refFunc, f), op(.drop)], in: exported) == nil)

        var declared = module
        declared.elements = [ElementSegment(type: .funcref, mode: .declarative, items: .functions([f]))]
        #expect(bodyError([local(.refFunc, f)], results: [.funcref], in: declared) == nil)

        var inGlobal = module
        inGlobal.globals = [Global(type: GlobalType(valueType: .funcref, mutable: false), initializer: [local(.refFunc, f)])]
        #expect(bodyError([local(.refFunc, f), op(.drop)], in: inGlobal) == nil)
        #expect(moduleError(inGlobal) == nil)
    }

    @Test func refFuncHasTheFunctionsExactType() {
        var module = Module()
        let f = module.addFunction(params: [.i32], [])
        module.exports = [Export(name: "f", descriptor: .function(f))]
        let t = module.functions[0].typeIndex
        #expect(bodyError([local(.refFunc, f)], results: [ref(.concrete(t), null: false)], in: module) == nil)
        #expect(bodyError([i32(1), local(.refFunc, f), local(.callRef, t)], in: module) == nil)
        let other = module.addType(FuncType(params: [.i64]))
        #expect(bodyError([i64(1), local(.refFunc, f), local(.callRef, other)], in: module)?.hasPrefix("type mismatch") == true)
    }

    @Test func nonNullablesAndNullBranches() {
        let ext = ref(.extern)
        #expect(bodyError([local(.localGet, 0), op(.refAsNonNull)], params: [ext], results: [ref(.extern, null: false)]) == nil)
        #expect(bodyError([local(.localGet, 0)], params: [ext], results: [ref(.extern, null: false)])
                == "type mismatch: instruction requires [(ref extern)] but stack has [externref]")
        let brOnNull = [block(.block), local(.localGet, 0), local(.brOnNull, 0), op(.drop), end]
        #expect(bodyError(brOnNull, params: [ext]) == nil)
        let brOnNonNull = [block(.block, .value(ref(.extern, null: false))), local(.localGet, 0),
                           local(.brOnNonNull, 0), op(.unreachable), end]
        #expect(bodyError(brOnNonNull, params: [ext], results: [ref(.extern, null: false)]) == nil)
        let noRefLabel = [block(.block), local(.localGet, 0), local(.brOnNonNull, 0), end]
        #expect(bodyError(noRefLabel, params: [ext])?.hasPrefix("type mismatch") == true)
        // ref.as_non_null of a bottom operand is still a reference.
        #expect(bodyError([op(.unreachable), op(.refAsNonNull), op(.i32Eqz), op(.drop)])?.hasPrefix("type mismatch") == true)
        #expect(bodyError([op(.unreachable), op(.refAsNonNull), op(.refIsNull), op(.drop)]) == nil)
    }

    @Test func nonDefaultableLocalsMustBeSetBeforeUse() {
        let ext = ref(.extern, null: false)
        #expect(bodyError([local(.localGet, 1), op(.drop)], params: [ext], locals: [ext]) == "uninitialized local 1")
        #expect(bodyError([local(.localGet, 0), local(.localSet, 1), local(.localGet, 1), op(.drop)],
                          params: [ext], locals: [ext]) == nil)
        // Initialisation inside a block is forgotten at its end.
        let inBlock = [block(.block), local(.localGet, 0), local(.localSet, 1), end, local(.localGet, 1), op(.drop)]
        #expect(bodyError(inBlock, params: [ext], locals: [ext]) == "uninitialized local 1")
        let tee = [local(.localGet, 0), local(.localTee, 1), op(.drop), local(.localGet, 1), op(.drop)]
        #expect(bodyError(tee, params: [ext], locals: [ext]) == nil)
        #expect(bodyError([local(.localGet, 2)], params: [.i32]) == "unknown local 2")
    }

    @Test func testsAndCasts() {
        let any = ref(.any)
        #expect(bodyError([local(.localGet, 0), op(.refTest, .heapType(.i31))], params: [any], results: [.i32]) == nil)
        #expect(bodyError([local(.localGet, 0), op(.refCast, .heapType(.i31))], params: [any], results: [ref(.i31, null: false)]) == nil)
        #expect(bodyError([local(.localGet, 0), op(.refCastNull, .heapType(.i31))], params: [any], results: [ref(.i31, null: false)])?
            .hasPrefix("type mismatch") == true)
        #expect(bodyError([local(.localGet, 0), op(.refTest, .heapType(.i31))], params: [ref(.func)], results: [.i32])?
            .hasPrefix("type mismatch") == true)
    }

    @Test func brOnCastTypes() {
        let any = RefType.anyref, i31 = RefType(nullable: false, heapType: .i31)
        let cast = [block(.block, .value(.ref(i31))), local(.localGet, 0),
                    op(.brOnCast, .brOnCast(label: 0, from: any, to: i31)), op(.unreachable), end]
        #expect(bodyError(cast, params: [.anyref], results: [.ref(i31)]) == nil)
        let fail = [block(.block, .value(.anyref)), local(.localGet, 0),
                    op(.brOnCastFail, .brOnCast(label: 0, from: any, to: i31)), op(.drop), op(.unreachable), end]
        #expect(bodyError(fail, params: [.anyref], results: [.anyref]) == nil)
        let notSub = [block(.block, .value(.funcref)), local(.localGet, 0),
                      op(.brOnCast, .brOnCast(label: 0, from: any, to: .funcref)), op(.unreachable), end]
        #expect(bodyError(notSub, params: [.anyref], results: [.funcref])?.hasPrefix("type mismatch") == true)
    }

    @Test func externalisation() {
        #expect(bodyError([local(.localGet, 0), op(.anyConvertExtern)], params: [ref(.extern, null: false)],
                          results: [ref(.any, null: false)]) == nil)
        #expect(bodyError([local(.localGet, 0), op(.anyConvertExtern)], params: [ref(.extern)],
                          results: [ref(.any, null: false)])?.hasPrefix("type mismatch") == true)
        #expect(bodyError([local(.localGet, 0), op(.externConvertAny)], params: [ref(.i31)], results: [ref(.extern)]) == nil)
    }

    @Test func structs() {
        var module = Module()
        let s = module.addType(.struct([
            FieldType(storage: .value(.i32), mutable: true),
            FieldType(storage: .i8, mutable: false),
        ]))
        let sref = ref(.concrete(s))
        #expect(bodyError([i32(1), i32(2), local(.structNew, s)], results: [ref(.concrete(s), null: false)], in: module) == nil)
        #expect(bodyError([i32(1), local(.structNew, s)], results: [sref], in: module)?.hasPrefix("type mismatch") == true)
        #expect(bodyError([local(.structNewDefault, s)], results: [sref], in: module) == nil)
        #expect(bodyError([local(.localGet, 0), op(.structGet, .indexPair(s, 0))], params: [sref], results: [.i32], in: module) == nil)
        #expect(bodyError([local(.localGet, 0), op(.structGetS, .indexPair(s, 1))], params: [sref], results: [.i32], in: module) == nil)
        #expect(bodyError([local(.localGet, 0), op(.structGet, .indexPair(s, 1))], params: [sref], results: [.i32], in: module)?
            .hasPrefix("type mismatch") == true)
        #expect(bodyError([local(.localGet, 0), op(.structGet, .indexPair(s, 2))], params: [sref], results: [.i32], in: module)
                == "unknown field 2")
        #expect(bodyError([local(.localGet, 0), i32(1), op(.structSet, .indexPair(s, 0))], params: [sref], in: module) == nil)
        #expect(bodyError([local(.localGet, 0), i32(1), op(.structSet, .indexPair(s, 1))], params: [sref], in: module)
                == "immutable field")
        let withRef = module.addType(.struct([FieldType(storage: .value(ref(.any, null: false)), mutable: false)]))
        #expect(bodyError([local(.structNewDefault, withRef), op(.drop)], in: module) == "field type is not defaultable")
    }

    @Test func arrays() {
        var module = Module()
        let a = module.addType(.array(FieldType(storage: .i16, mutable: true)))
        let fixed = module.addType(.array(FieldType(storage: .value(.f64), mutable: false)))
        let aref = ref(.concrete(a))
        module.datas = [DataSegment(mode: .passive, bytes: [])]
        module.dataCount = 1
        module.elements = [ElementSegment(type: .funcref, mode: .passive, items: .expressions([]))]
        #expect(bodyError([i32(7), i32(3), local(.arrayNew, a), op(.drop)], in: module) == nil)
        #expect(bodyError([f64(1), f64(2), op(.arrayNewFixed, .indexPair(fixed, 2)), op(.drop)], in: module) == nil)
        #expect(bodyError([f64(1), op(.arrayNewFixed, .indexPair(fixed, 2)), op(.drop)], in: module)?.hasPrefix("type mismatch") == true)
        #expect(bodyError([op(.unreachable), op(.arrayNewFixed, .indexPair(fixed, 0xFFFF_FFFF)), op(.drop)], in: module) == nil)
        #expect(bodyError([local(.localGet, 0), i32(0), op(.arrayGetU, .index(a))], params: [aref], results: [.i32], in: module) == nil)
        #expect(bodyError([local(.localGet, 0), i32(0), op(.arrayGet, .index(a))], params: [aref], results: [.i32], in: module)?
            .hasPrefix("type mismatch") == true)
        #expect(bodyError([local(.localGet, 0), i32(0), f64(1), op(.arraySet, .index(fixed))], params: [ref(.concrete(fixed))], in: module)
                == "immutable array")
        #expect(bodyError([local(.localGet, 0), op(.arrayLen)], params: [aref], results: [.i32], in: module) == nil)
        #expect(bodyError([i32(0), i32(1), op(.arrayNewData, .indexPair(a, 0)), op(.drop)], in: module) == nil)
        let refs = module.addType(.array(FieldType(storage: .value(.funcref), mutable: true)))
        #expect(bodyError([i32(0), i32(1), op(.arrayNewData, .indexPair(refs, 0)), op(.drop)], in: module)
                == "array type is not numeric or vector")
        #expect(bodyError([i32(0), i32(1), op(.arrayNewElem, .indexPair(refs, 0)), op(.drop)], in: module) == nil)
        let copy = [local(.localGet, 0), i32(0), local(.localGet, 1), i32(0), i32(1), op(.arrayCopy, .indexPair(a, fixed))]
        #expect(bodyError(copy, params: [aref, ref(.concrete(fixed))], in: module) == "array types do not match")
        #expect(bodyError([local(.arrayNew, 9)], in: module) == "unknown type 9")
        #expect(bodyError([i32(0), local(.arrayNewDefault, a), op(.drop)], in: module) == nil)
    }

    @Test func i31() {
        #expect(bodyError([i32(1), op(.refI31), op(.i31GetS)], results: [.i32]) == nil)
        #expect(bodyError([i32(1), op(.refI31)], results: [ref(.i31, null: false)]) == nil)
        #expect(bodyError([i32(1), op(.refI31)], results: [.anyref]) == nil)
        #expect(bodyError([i32(1), op(.refI31)], results: [.funcref])?.hasPrefix("type mismatch") == true)
    }
}
