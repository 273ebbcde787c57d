import CWasmVM
import Testing
import WasmRuntime

/// `VMOffsets` computes the layout of CWasmVM.h's structs from their field
/// lists; for the host's pointer size it must be exactly what the C
/// compiler laid out, and for 4-byte pointers the same rules packed tighter.
@Suite struct VMOffsetsTests {
    /// Every field of every struct, against `offsetof` (the descriptors'
    /// host offsets) and each struct against `sizeof`.
    @Test func pointerSize8IsTheHostLayout() {
        let offsets = VMOffsets(pointerSize: 8)
        for descriptor in VMOffsets.descriptors {
            let structure = VMOffsets.Structure(rawValue: String(cString: descriptor.name))!
            for i in 0..<descriptor.fieldCount {
                let field = descriptor.fields[i]
                let name = String(cString: field.name)
                #expect(offsets.offset(of: name, in: structure) == field.hostOffset, "\(structure.rawValue).\(name)")
            }
            #expect(offsets.size(of: structure) == descriptor.hostSize, "sizeof \(structure.rawValue)")
        }
    }

    /// The same, through Swift's view of the imported structs, for the
    /// fields the tiers use by name.
    @Test func pointerSize8AgreesWithSwiftsImport() {
        let o = VMOffsets(pointerSize: 8)
        func check<T>(_ type: T.Type, _ structure: VMOffsets.Structure, _ fields: [(String, PartialKeyPath<T>)]) {
            #expect(o.size(of: structure) == MemoryLayout<T>.size, "size of \(structure.rawValue)")
            #expect(o.layout(of: structure).fields == fields.map(\.0), "every field of \(structure.rawValue)")
            for (name, path) in fields {
                #expect(o.offset(of: name, in: structure) == MemoryLayout<T>.offset(of: path), "\(structure.rawValue).\(name)")
            }
        }
        check(FunctionHeader.self, .functionHeader, [
            ("typeID", \.typeID), ("instance", \.instance), ("code", \.code),
            ("parameterSlots", \.parameterSlots), ("resultSlots", \.resultSlots), ("entity", \.entity),
        ])
        check(MemoryState.self, .memory, [
            ("base", \.base), ("byteCount", \.byteCount), ("pageCount", \.pageCount), ("maximumPages", \.maximumPages),
            ("reservedBytes", \.reservedBytes), ("pageSizeLog2", \.pageSizeLog2), ("is64", \.is64),
        ])
        check(TableState.self, .table, [
            ("elements", \.elements), ("count", \.count), ("capacity", \.capacity), ("maximum", \.maximum), ("is64", \.is64),
        ])
        check(ElementSegmentState.self, .elementSegment, [("items", \.items), ("count", \.count)])
        check(DataSegmentState.self, .dataSegment, [("bytes", \.bytes), ("count", \.count)])
        check(InstanceContext.self, .instance, [
            ("functions", \.functions), ("tables", \.tables), ("memories", \.memories), ("globals", \.globals),
            ("tags", \.tags), ("typeIDs", \.typeIDs), ("elements", \.elements), ("datas", \.datas),
            ("memory0", \.memory0), ("entity", \.entity), ("runtime", \.runtime),
        ])
        check(VMRuntime.self, .runtime, [
            ("fuel", \.fuel), ("callDepth", \.callDepth), ("callDepthLimit", \.callDepthLimit),
            ("nativeStackLimit", \.nativeStackLimit), ("valueStackEnd", \.valueStackEnd), ("trapCode", \.trapCode), ("exception", \.exception), ("builtins", \.builtins), ("store", \.store), ("frameTrail", \.frameTrail),
        ])
        check(VMBuiltins.self, .builtins, [
            ("memoryGrow", \.memoryGrow), ("memoryFill", \.memoryFill), ("memoryCopy", \.memoryCopy),
            ("memoryInit", \.memoryInit), ("dataDrop", \.dataDrop), ("tableGet", \.tableGet), ("tableSet", \.tableSet),
            ("tableGrow", \.tableGrow), ("tableFill", \.tableFill), ("tableCopy", \.tableCopy),
            ("tableInit", \.tableInit), ("elemDrop", \.elemDrop), ("indirectCallTarget", \.indirectCallTarget),
            ("referenceMatches", \.referenceMatches),
            ("gcAllocate", \.gcAllocate),
            ("gcArrayOperation", \.gcArrayOperation), ("throwTag", \.throwTag), ("isSubtype", \.isSubtype),
            ("throwRef", \.throwRef), ("callHost", \.callHost),
        ])
    }

    /// 4-byte pointers and words: natural alignment, no gaps but the ones
    /// 8-byte fields need.
    @Test func pointerSize4PacksPointers() {
        let o = VMOffsets(pointerSize: 4)
        // typeID (4), instance (4), code (4), parameterSlots (4), resultSlots (4), entity (4).
        #expect(o.offset(of: "instance", in: .functionHeader) == 4)
        #expect(o.offset(of: "code", in: .functionHeader) == 8)
        #expect(o.offset(of: "entity", in: .functionHeader) == 20)
        #expect(o.size(of: .functionHeader) == 24)
        // base (4), byteCount (4), pageCount (8) at 8, maximumPages at 16,
        // reservedBytes at 24, pageSizeLog2 at 28, is64 at 29, padded to 32.
        #expect(o.offset(of: "byteCount", in: .memory) == 4)
        #expect(o.offset(of: "pageCount", in: .memory) == 8)
        #expect(o.offset(of: "reservedBytes", in: .memory) == 24)
        #expect(o.offset(of: "is64", in: .memory) == 29)
        #expect(o.size(of: .memory) == 32)
        // elements (4), count (4), capacity (4), then maximum aligned to 8.
        #expect(o.offset(of: "maximum", in: .table) == 16)
        #expect(o.size(of: .table) == 32)
        // Eleven pointers.
        #expect(o.offset(of: "runtime", in: .instance) == 40)
        #expect(o.size(of: .instance) == 44)
        #expect(o.offset(of: "callHost", in: .builtins) == 19 * 4)
        // fuel (8), callDepth (4), callDepthLimit (4), nativeStackLimit (4), valueStackEnd (4), trapCode (4),
        // exception (8, at 32), builtins (4), store (4), frameTrail (4), then padding to 8.
        #expect(o.offset(of: "trapCode", in: .runtime) == 24)
        #expect(o.offset(of: "exception", in: .runtime) == 32)
        #expect(o.offset(of: "store", in: .runtime) == 44)
        #expect(o.offset(of: "frameTrail", in: .runtime) == 48)
        #expect(o.size(of: .runtime) == 56)
        for structure in VMOffsets.Structure.allCases {
            let layout = o.layout(of: structure)
            #expect(layout.size <= VMOffsets(pointerSize: 8).size(of: structure))
            #expect(layout.size % layout.alignment == 0)
        }
    }
}
