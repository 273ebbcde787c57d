import Testing
import WasmSyntax
@testable import WasmValidation

@Suite("Types and subtyping")
struct TypeSubtypingTests {
    @Test func abstractHeapTypeLattice() throws {
        let c = try ValidationContext(module: Module())
        #expect(c.isSubtype(HeapType.i31, of: .eq))
        #expect(c.isSubtype(HeapType.struct, of: .any))
        #expect(c.isSubtype(HeapType.none, of: .array))
        #expect(!c.isSubtype(HeapType.none, of: .func))
        #expect(c.isSubtype(HeapType.nofunc, of: .func))
        #expect(!c.isSubtype(HeapType.nofunc, of: .any))
        #expect(c.isSubtype(HeapType.noextern, of: .extern))
        #expect(c.isSubtype(HeapType.noexn, of: .exn))
        #expect(!c.isSubtype(HeapType.any, of: .eq))
        #expect(!c.isSubtype(HeapType.extern, of: .any))
        #expect(c.isSubtype(ValueType.ref(RefType(nullable: false, heapType: .func)), of: .funcref))
        #expect(!c.isSubtype(ValueType.funcref, of: .ref(RefType(nullable: false, heapType: .func))))
        #expect(!c.isSubtype(ValueType.i32, of: .i64))
    }

    @Test func concreteTypesAndTheirHierarchies() throws {
        var m = Module()
        let f = m.addType(FuncType())
        let s = m.addType(.struct([]), final: false)
        let t = m.addType(.struct([FieldType(storage: .value(.i32), mutable: false)]), supertypes: [s])
        let a = m.addType(.array(FieldType(storage: .i8, mutable: true)))
        let c = try ValidationContext(module: m)
        #expect(c.isSubtype(HeapType.concrete(f), of: .func))
        #expect(!c.isSubtype(HeapType.concrete(f), of: .any))
        #expect(c.isSubtype(HeapType.concrete(t), of: .concrete(s)))
        #expect(!c.isSubtype(HeapType.concrete(s), of: .concrete(t)))
        #expect(c.isSubtype(HeapType.concrete(t), of: .eq))
        #expect(c.isSubtype(HeapType.concrete(a), of: .array))
        #expect(!c.isSubtype(HeapType.concrete(a), of: .struct))
        #expect(c.isSubtype(HeapType.none, of: .concrete(t)))
        #expect(c.isSubtype(HeapType.nofunc, of: .concrete(f)))
        #expect(!c.isSubtype(HeapType.none, of: .concrete(f)))
        #expect(c.topHeapType(.concrete(a)) == .any)
        #expect(c.topHeapType(.concrete(f)) == .func)
    }

    @Test func identicalRecGroupsAreEquivalent() throws {
        var m = Module()
        m.types = [
            RecGroup(types: [SubType(composite: .func(FuncType(params: [.i32])))]),
            RecGroup(types: [SubType(composite: .func(FuncType(params: [.i32])))]),
            RecGroup(types: [SubType(composite: .func(FuncType())),
                             SubType(composite: .struct([FieldType(storage: .value(ref(.concrete(2))), mutable: false)]))],
                     isExplicit: true),
            RecGroup(types: [SubType(composite: .func(FuncType())),
                             SubType(composite: .struct([FieldType(storage: .value(ref(.concrete(4))), mutable: false)]))],
                     isExplicit: true),
            // Same shape, but the field refers outside the group.
            RecGroup(types: [SubType(composite: .func(FuncType())),
                             SubType(composite: .struct([FieldType(storage: .value(ref(.concrete(2))), mutable: false)]))],
                     isExplicit: true),
        ]
        let c = try ValidationContext(module: m)
        #expect(c.areEquivalent(typeIndex: 0, 1))
        #expect(c.areEquivalent(typeIndex: 2, 4))
        #expect(c.areEquivalent(typeIndex: 3, 5))
        #expect(!c.areEquivalent(typeIndex: 3, 7))
        #expect(!c.areEquivalent(typeIndex: 2, 3))
        // A function of type 1 can be called through type 0.
        var calls = m
        calls.tables = [Table(type: TableType(elementType: .funcref, limits: Limits(min: 1)))]
        let f = calls.addFunction(params: [.i32], [])
        calls.exports = [Export(name: "f", descriptor: .function(f))]
        #expect(bodyError([local(.refFunc, f)], results: [ref(.concrete(0), null: false)], in: calls) == nil)
    }

    @Test func typeReferencesStayWithinTheirGroup() {
        var m = Module()
        m.types = [RecGroup(types: [SubType(composite: .func(FuncType(params: [ref(.concrete(1))])))]),
                   RecGroup(types: [SubType(composite: .func(FuncType()))])]
        #expect(moduleError(m) == "unknown type 1")
        m.types = [RecGroup(types: [SubType(composite: .func(FuncType(params: [ref(.concrete(1))]))),
                                    SubType(composite: .func(FuncType()))], isExplicit: true)]
        #expect(moduleError(m) == nil)
    }

    @Test func subTypesMustMatchNonFinalSuperTypes() {
        func check(_ sup: SubType, _ sub: SubType) -> String? {
            var m = Module()
            m.types = [RecGroup(types: [sup]), RecGroup(types: [sub])]
            return moduleError(m)
        }
        let openFunc = SubType(isFinal: false, composite: .func(FuncType()))
        #expect(check(openFunc, SubType(supertypes: [0], composite: .func(FuncType()))) == nil)
        #expect(check(SubType(composite: .func(FuncType())), SubType(supertypes: [0], composite: .func(FuncType())))?
            .hasPrefix("sub type 1 does not match super type 0") == true)
        #expect(check(openFunc, SubType(supertypes: [0], composite: .func(FuncType(params: [.i32]))))
                == "sub type 1 does not match super type 0")
        #expect(check(openFunc, SubType(supertypes: [0], composite: .struct([]))) == "sub type 1 does not match super type 0")
        let immutableAny = SubType(isFinal: false, composite: .array(FieldType(storage: .value(.anyref), mutable: false)))
        #expect(check(immutableAny, SubType(supertypes: [0], composite: .array(FieldType(storage: .value(ref(.none)), mutable: false)))) == nil)
        let mutableAny = SubType(isFinal: false, composite: .array(FieldType(storage: .value(.anyref), mutable: true)))
        #expect(check(mutableAny, SubType(supertypes: [0], composite: .array(FieldType(storage: .value(ref(.none)), mutable: true))))
                == "sub type 1 does not match super type 0")
        let wide = SubType(isFinal: false, composite: .struct([FieldType(storage: .value(.i32), mutable: false)]))
        #expect(check(wide, SubType(supertypes: [0], composite: .struct([
            FieldType(storage: .value(.i32), mutable: false), FieldType(storage: .i8, mutable: true)]))) == nil)
        #expect(check(wide, SubType(supertypes: [0], composite: .struct([]))) == "sub type 1 does not match super type 0")
    }

    @Test func gcTypesNeedTheFeature() {
        var m = Module()
        m.addType(.struct([]))
        #expect(moduleError(m, features: .wasm2) != nil)
        #expect(moduleError(m, features: .all) == nil)
    }
}
