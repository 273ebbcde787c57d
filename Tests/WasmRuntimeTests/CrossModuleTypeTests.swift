import Testing
import WasmRuntime
import WasmSyntax

/// Iso-recursive type canonicalisation across modules and deep subtype
/// chains: what the spec suite touches only lightly. Types defined in
/// different modules are the same type exactly when their rec groups have
/// the same structure (and position within the group), whatever the modules'
/// own indices.
@Suite struct CrossModuleTypeTests {
    /// A module exporting a function whose type sits in a two-type rec group.
    static let exporter = """
        (module
          (rec (type $f (func (param (ref null $s)) (result i32))) (type $s (struct (field i32))))
          (func (export "get") (type $f) (i32.const 7))
          (table (export "table") 1 funcref)
          (elem (i32.const 0) func 0))
        """

    @Test func identicalRecGroupsInDifferentModulesLink() throws {
        var h = try Harness()
        h.linker.define(module: "a", instance: try h.instantiate(Self.exporter))
        // Other indices, an unrelated type first: still the same rec group.
        let importer = try h.instantiate("""
            (module
              (type (func))
              (rec (type $f (func (param (ref null $s)) (result i32))) (type $s (struct (field i32))))
              (import "a" "get" (func $get (type $f)))
              (func (export "call") (result i32) (call $get (ref.null $s))))
            """)
        #expect(try importer.function("call")?.call([]) == [.i32(7)])
    }

    @Test func recGroupsThatDifferInOrderDoNotLink() throws {
        var h = try Harness()
        h.linker.define(module: "a", instance: try h.instantiate(Self.exporter))
        let error = try h.instantiationError("""
            (module
              (rec (type $s (struct (field i32))) (type $f (func (param (ref null $s)) (result i32))))
              (import "a" "get" (func (type $f))))
            """)
        guard case .unlinkable(let link)? = error else {
            Issue.record("expected a link error, got \(String(describing: error))")
            return
        }
        #expect(link.message == "incompatible import type")
    }

    @Test func aSingletonGroupIsNotTheSameAsAMemberOfALargerGroup() throws {
        var h = try Harness()
        h.linker.define(module: "a", instance: try h.instantiate(Self.exporter))
        // The same function structure, but alone in its group: a different type.
        let error = try h.instantiationError("""
            (module
              (type $s (struct (field i32)))
              (type $f (func (param (ref null $s)) (result i32)))
              (import "a" "get" (func (type $f))))
            """)
        guard case .unlinkable? = error else {
            Issue.record("expected a link error, got \(String(describing: error))")
            return
        }
    }

    @Test func callIndirectAcrossModulesComparesCanonicalTypes() throws {
        var h = try Harness()
        h.linker.define(module: "a", instance: try h.instantiate(Self.exporter))
        let caller = try h.instantiate("""
            (module
              (rec (type $f (func (param (ref null $s)) (result i32))) (type $s (struct (field i32))))
              (rec (type $g (func (param (ref null $t)) (result i32))) (type $t (struct (field i64))))
              (import "a" "table" (table 1 funcref))
              (func (export "same") (result i32) (call_indirect (type $f) (ref.null $s) (i32.const 0)))
              (func (export "other") (result i32) (call_indirect (type $g) (ref.null $t) (i32.const 0))))
            """)
        #expect(try caller.function("same")?.call([]) == [.i32(7)])
        #expect(throws: Trap(.indirectCallTypeMismatch)) { try caller.function("other")?.call([]) }
    }

    /// A chain of 64 struct types, each a subtype of the one before: casts
    /// up the chain succeed at any distance, casts to a deeper type or a
    /// sibling fail, in the module that defines them and in one that
    /// re-declares the same chain.
    @Test func deepSubtypeChains() throws {
        let depth = 64
        var types = "(type $t0 (sub (struct (field i32))))\n"
        for i in 1..<depth {
            types += "(type $t\(i) (sub $t\(i - 1) (struct (field i32)" + String(repeating: " (field i32)", count: i) + ")))\n"
        }
        types += "(type $sibling (sub $t\(depth / 2 - 1) (struct (field i32)" + String(repeating: " (field i32)", count: depth / 2) + " (field i64))))\n"
        let deepest = "$t\(depth - 1)"
        let fields = String(repeating: " (i32.const 0)", count: depth)
        let module = """
            (module
              \(types)
              (global $obj (export "obj") (ref null \(deepest)) (struct.new \(deepest)\(fields)))
              (func (export "castToRoot") (result i32) (ref.test (ref $t0) (global.get $obj)))
              (func (export "castToMiddle") (result i32) (ref.test (ref $t\(depth / 2)) (global.get $obj)))
              (func (export "castToSibling") (result i32) (ref.test (ref $sibling) (global.get $obj)))
              (func (export "castToAny") (result i32) (ref.test (ref struct) (global.get $obj))))
            """
        var h = try Harness()
        let instance = try h.instantiate(module)
        for (name, expected) in [("castToRoot", 1), ("castToMiddle", 1), ("castToSibling", 0), ("castToAny", 1)] {
            #expect(try instance.function(name)?.call([]) == [.i32(UInt32(expected))], "\(name)")
        }
        // Another module declaring the same chain sees the same types: an
        // object made by the first passes its casts.
        h.linker.define(module: "a", instance: instance)
        let other = try h.instantiate("""
            (module
              \(types)
              (import "a" "obj" (global $obj (ref null \(deepest))))
              (func (export "castToRoot") (result i32) (ref.test (ref $t0) (global.get $obj)))
              (func (export "castToSibling") (result i32) (ref.test (ref $sibling) (global.get $obj))))
            """)
        #expect(try other.function("castToRoot")?.call([]) == [.i32(1)])
        #expect(try other.function("castToSibling")?.call([]) == [.i32(0)])
    }

    @Test func subtypingAFinalTypeIsInvalid() throws {
        let h = try Harness()
        #expect(throws: CompileError.self) {
            try h.compile("(module (type $a (struct)) (type $b (sub $a (struct))))")
        }
        // Declared open (`sub` without `final`), the same subtype is fine.
        _ = try h.compile("(module (type $a (sub (struct))) (type $b (sub $a (struct))))")
    }
}
