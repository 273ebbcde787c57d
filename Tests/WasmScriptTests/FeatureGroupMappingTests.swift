import Testing
@testable import WasmScript

/// Scripts of the official suites map to the feature group a reader expects.
@Suite struct FeatureGroupMappingTests {
    @Test(arguments: [
        ("i32.wast", "mvp"), ("f64.wast", "mvp"), ("binary-leb128.wast", "mvp"), ("custom.wast", "mvp"), ("unwind.wast", "mvp"),
        ("simd_lane.wast", "simd"), ("simd_load64_lane.wast", "simd"),
        ("relaxed_madd_nmadd.wast", "relaxed-simd"), ("i8x16_relaxed_swizzle.wast", "relaxed-simd"),
        ("ref_null.wast", "reference-types"), ("table_grow.wast", "reference-types"),
        ("memory_copy.wast", "bulk-memory"), ("bulk.wast", "bulk-memory"),
        ("array_new_elem.wast", "gc"), ("br_on_cast_fail.wast", "gc"), ("i31.wast", "gc"), ("type-subtyping.wast", "gc"),
        ("call_ref.wast", "function-references"), ("return_call_ref.wast", "function-references"),
        ("return_call_indirect.wast", "tail-calls"),
        ("try_table.wast", "exceptions"), ("throw.wast", "exceptions"), ("legacy/throw.wast", "legacy-exceptions"),
        ("memory64.wast", "memory64"), ("table_copy64.wast", "memory64"), ("binary_leb128_64.wast", "memory64"),
        ("memory64-imports.wast", "memory64"), ("table_copy_mixed.wast", "memory64"),
        ("address0.wast", "multi-memory"), ("imports4.wast", "multi-memory"), ("memory-multi.wast", "multi-memory"),
        ("simd_memory-multi.wast", "multi-memory"), ("memory_size_import.wast", "multi-memory"),
        ("annotations.wast", "annotations"), ("custom/branch_hint.wast", "annotations"),
        ("proposals/threads/atomic.wast", "threads"), ("proposals/threads/memory.wast", "threads"),
        ("proposals/wide-arithmetic/wide-arithmetic.wast", "wide-arithmetic"),
        ("proposals/custom-page-sizes/binary.wast", "custom-page-sizes"),
        ("proposals/custom-descriptors/br_on_cast.wast", "custom-descriptors"),
        ("proposals/stack-switching/cont.wast", "stack-switching"),
    ])
    func mapsScriptsToGroups(name: String, group: String) {
        #expect(FeatureGroup.of(name).id == group)
    }

    @Test func groupsAreFoundByIdOrTitle() {
        #expect(FeatureGroup.named("gc") == .gc)
        #expect(FeatureGroup.named("Relaxed SIMD") == .relaxedSIMD)
        #expect(FeatureGroup.named("TAIL-CALLS") == .tailCalls)
        #expect(FeatureGroup.named("nonsense") == nil)
        #expect(Set(FeatureGroup.known.map(\.id)).count == FeatureGroup.known.count)
    }

    @Test(arguments: [
        ("testsuite/official/wasm-3.0", "legacy/throw.wast", "legacy/throw.wast"),
        ("testsuite/official/wasm-3.0/legacy", "throw.wast", "legacy/throw.wast"),
        ("testsuite/official/wasm-3.0/proposals/threads", "atomic.wast", "proposals/threads/atomic.wast"),
        ("testsuite/official/wasm-3.0/proposals", "threads/atomic.wast", "proposals/threads/atomic.wast"),
        ("./testsuite/official/wasm-2.0", "i32.wast", "i32.wast"),
        ("testsuite/official/wasm-3.0/custom/name_annot.wast", "", "custom/name_annot.wast"),
        ("/abs/wasm-2.0/i32.wast", "", "i32.wast"),
    ])
    func suiteNamesDoNotDependOnWhereTheRunStarts(root: String, relative: String, name: String) {
        #expect(SuiteFile.name(root: root, relative: relative) == name)
    }
}
