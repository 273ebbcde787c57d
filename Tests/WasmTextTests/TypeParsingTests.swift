import Testing
import WasmSyntax
import WasmText

@Suite struct TypeParsingTests {
    @Test func functionTypesWithNamedAndGroupedParams() throws {
        let m = try parse("(type $t (func (param $a i32) (param i64 f32) (result f64 v128)))")
        #expect(m.types == [RecGroup(types: [SubType(composite: .func(FuncType(params: [.i32, .i64, .f32], results: [.f64, .v128])))])])
    }

    @Test func referenceTypesAndAbbreviations() throws {
        let m = try parse("""
            (type $s (struct))
            (type (func (param funcref externref anyref eqref i31ref structref arrayref nullref
                               nullfuncref nullexternref exnref nullexnref (ref $s) (ref null 0) (ref any))))
            """)
        let params = m.definedTypes[1].funcType?.params
        #expect(params == [.funcref, .externref, .anyref, .ref(.eqref), .ref(.i31ref), .ref(.structref), .ref(.arrayref),
                           .ref(.nullref), .ref(.nullfuncref), .ref(.nullexternref), .exnref, .ref(.nullexnref),
                           .ref(RefType(nullable: false, heapType: .concrete(0))),
                           .ref(RefType(nullable: true, heapType: .concrete(0))),
                           .ref(RefType(nullable: false, heapType: .any))])
    }

    @Test func recursionGroupsSubtypesAndFields() throws {
        let m = try parse("""
            (rec
              (type $node (sub (struct (field $next (ref null $node)) (field (mut i8) i16))))
              (type $leaf (sub final $node (struct (field $next (ref null $node)) (field (mut i8) i16) (field f32)))))
            (type $a (array (mut i64)))
            """)
        #expect(m.types.count == 2)
        #expect(m.types[0].isExplicit)
        #expect(!m.types[1].isExplicit)
        let nodeField = FieldType(storage: .value(.ref(RefType(nullable: true, heapType: .concrete(0)))), mutable: false)
        #expect(m.types[0].types[0] == SubType(isFinal: false, supertypes: [],
            composite: .struct([nodeField, FieldType(storage: .i8, mutable: true), FieldType(storage: .i16, mutable: false)])))
        #expect(m.types[0].types[1].isFinal)
        #expect(m.types[0].types[1].supertypes == [0])
        #expect(m.types[1].types[0].composite == .array(FieldType(storage: .value(.i64), mutable: true)))
    }

    @Test func forwardReferencesBetweenTypes() throws {
        let m = try parse("(type $a (func (param (ref $b)))) (type $b (struct))")
        #expect(m.definedTypes[0].funcType?.params == [.ref(RefType(nullable: false, heapType: .concrete(1)))])
    }

    @Test func inlineTypeUsesReuseOrAppendTypes() throws {
        let m = try parse("""
            (func (param i32))
            (type $t (func (param i32)))
            (func (result i64))
            (func (type $t) (param $x i32))
            (func (result i64) (local i32))
            (rec (type (func (param f32))) (type (struct)))
            (func (param f32))
            """)
        // Explicit types first; implicit ones appended in order of use; a
        // type in a larger recursion group is never picked up implicitly.
        #expect(m.functions.map(\.typeIndex) == [0, 3, 0, 3, 4])
        #expect(m.definedTypes[3].funcType == FuncType(results: [.i64]))
        #expect(m.definedTypes[4].funcType == FuncType(params: [.f32]))
    }

    @Test func typeUseMustMatchItsInlineSignature() {
        #expect(parseError("(type $t (func (param i32))) (func (type $t) (param i64))") == "inline function type")
        #expect(parseError("(type $t (func (param i32))) (func (type $t) (result i32))") == "inline function type")
        #expect(parseError("(func (type 3) (param i32))")?.hasPrefix("unknown type") == true)
        #expect(parseError("(func (result i32) (param i32))") == "unexpected token")
        // Without an inline signature an out-of-range index is for validation.
        #expect(parseError("(func (type 3))") == nil)
    }

    @Test func limitsAddressTypesSharingAndPageSizes() throws {
        let m = try parse("""
            (memory 1) (memory i64 2 3) (memory 1 2 shared) (memory 0 (pagesize 1))
            (table 0x1_0000_0000 funcref) (table i64 1 2 externref)
            """)
        #expect(m.memories == [
            MemoryType(limits: Limits(min: 1)),
            MemoryType(limits: Limits(min: 2, max: 3, addressType: .i64)),
            MemoryType(limits: Limits(min: 1, max: 2, shared: true)),
            MemoryType(limits: Limits(min: 0), pageSizeLog2: 0),
        ])
        #expect(m.tables.map(\.type) == [
            TableType(elementType: .funcref, limits: Limits(min: 0x1_0000_0000)),
            TableType(elementType: .externref, limits: Limits(min: 1, max: 2, addressType: .i64)),
        ])
        #expect(parseError("(memory 0 (pagesize 3))") == "invalid custom page size")
        #expect(parseError("(memory i64 0x1_0000_0000_0000_0000)") == "i64 constant out of range")
    }
}
