import Testing
import WasmSyntax

/// The printer and validation messages share these spellings; the official
/// suite matches messages by prefix, so they are pinned here.
@Suite struct ValueTypeTextTests {
    @Test func shorthandsForNullableAbstractTypes() {
        #expect(ValueType.ref(RefType(nullable: true, heapType: .func)).textName == "funcref")
        #expect(ValueType.ref(RefType(nullable: true, heapType: .none)).textName == "nullref")
        #expect(ValueType.ref(RefType(nullable: true, heapType: .nofunc)).textName == "nullfuncref")
        #expect(ValueType.ref(RefType(nullable: true, heapType: .noexn)).textName == "nullexnref")
    }

    @Test func fullForms() {
        #expect(ValueType.i64.textName == "i64")
        #expect(RefType(nullable: false, heapType: .any).textName == "(ref any)")
        #expect(RefType(nullable: true, heapType: .concrete(3)).textName == "(ref null 3)")
    }
}
