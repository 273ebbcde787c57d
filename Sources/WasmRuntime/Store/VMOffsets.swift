import CWasmVM

/// The offsets of the raw layout's fields (CWasmVM.h) for a target pointer
/// size, as wasmtime's `VMOffsets` gives them: a JIT emitting AArch64 code
/// on an x86-64 host addresses vmctx fields with these. They are computed
/// from the C field lists (`wvm_layout`), with natural alignment: each
/// field aligned to its size, each struct padded to its largest field. So
/// the layout is written once, in C, and `VMOffsets(pointerSize: 8)` is the
/// host's layout on 64-bit hosts (VMOffsetsTests checks it).
package struct VMOffsets: Sendable {
    /// A struct of the layout, by its C name.
    package enum Structure: String, CaseIterable, Sendable {
        case functionHeader = "WVMFunctionHeader"
        case memory = "WVMMemory"
        case table = "WVMTable"
        case elementSegment = "WVMElementSegment"
        case dataSegment = "WVMDataSegment"
        case instance = "WVMInstance"
        case runtime = "WVMRuntime"
        case builtins = "WVMBuiltins"
    }

    /// The computed layout of one struct.
    package struct Layout: Sendable {
        /// Field name -> byte offset.
        package var offsets: [String: Int]
        /// The field names, in declaration order.
        package var fields: [String]
        package var size: Int
        package var alignment: Int
    }

    package let pointerSize: Int
    private let layouts: [Structure: Layout]

    /// The layout for a target with `pointerSize`-byte pointers (4 or 8).
    package init(pointerSize: Int) {
        precondition(pointerSize == 4 || pointerSize == 8, "pointer size \(pointerSize)")
        self.pointerSize = pointerSize
        var layouts: [Structure: Layout] = [:]
        for descriptor in VMOffsets.descriptors {
            guard let structure = Structure(rawValue: String(cString: descriptor.name)) else {
                preconditionFailure("CWasmVM.h has a struct VMOffsets does not name: \(String(cString: descriptor.name))")
            }
            var layout = Layout(offsets: [:], fields: [], size: 0, alignment: 1)
            for i in 0..<descriptor.fieldCount {
                let field = descriptor.fields[i]
                let size = VMOffsets.size(of: field.kind, pointerSize: pointerSize)
                let offset = (layout.size + size - 1) / size * size
                let name = String(cString: field.name)
                layout.offsets[name] = offset
                layout.fields.append(name)
                layout.size = offset + size
                layout.alignment = Swift.max(layout.alignment, size)
            }
            layout.size = (layout.size + layout.alignment - 1) / layout.alignment * layout.alignment
            layouts[structure] = layout
        }
        precondition(layouts.count == Structure.allCases.count, "VMOffsets names a struct CWasmVM.h does not have")
        self.layouts = layouts
    }

    package func layout(of structure: Structure) -> Layout { layouts[structure]! }

    /// The byte offset of `field` in `structure`.
    package func offset(of field: String, in structure: Structure) -> Int {
        guard let offset = layouts[structure]!.offsets[field] else {
            preconditionFailure("\(structure.rawValue) has no field \(field)")
        }
        return offset
    }

    /// The size of `structure` (its stride: arrays of it have no gaps).
    package func size(of structure: Structure) -> Int { layouts[structure]!.size }

    /// The field descriptors of the C layout (host offsets included).
    package static var descriptors: UnsafeBufferPointer<WVMStructDescriptor> {
        var count = 0
        let structs = wvm_layout(&count)
        return UnsafeBufferPointer(start: structs, count: count)
    }

    private static func size(of kind: WVMFieldKind, pointerSize: Int) -> Int {
        switch kind {
        case .pointer, .word: return pointerSize
        case .i64: return 8
        case .i32: return 4
        case .u8, .bool: return 1
        }
    }
}
