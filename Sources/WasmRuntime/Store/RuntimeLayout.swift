import WasmSyntax

// The raw layout that execution tiers run on (DESIGN.md, decision 4): plain
// structs in unsafe memory, reached through pointers, so that the hot paths
// of a tier touch no reference counts, existentials or Swift arrays. The
// entity classes (`FunctionEntity`, `MemoryEntity`, ...) own these
// allocations; the store owns the entities, so the pointers live as long
// as the store.

/// What a tier needs to run code of one instance (the "vmctx"): the index
/// spaces of the instance, resolved to the entities of the store.
package struct InstanceContext {
    /// Function index -> the function's header (imports first).
    package var functions: UnsafeMutablePointer<UnsafeMutablePointer<FunctionHeader>>
    package var tables: UnsafeMutablePointer<UnsafeMutablePointer<TableState>>
    package var memories: UnsafeMutablePointer<UnsafeMutablePointer<MemoryState>>
    /// Global index -> the global's cell (two slots, so that a v128 fits).
    package var globals: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>>
    /// Tag index -> the tag's identity (its `TagEntity`, unretained).
    package var tags: UnsafeMutablePointer<UnsafeRawPointer>
    /// Type index -> the store's type ID (see `TypeRegistry`).
    package var typeIDs: UnsafeMutablePointer<Int>
    package var elements: UnsafeMutablePointer<ElementSegmentState>
    package var datas: UnsafeMutablePointer<DataSegmentState>
    /// Memory 0 (the common case, one load away); `MemoryState.none` when
    /// the instance has no memory.
    package var memory0: UnsafeMutablePointer<MemoryState>
    /// The owning `InstanceEntity` (unretained).
    package var entity: UnsafeRawPointer?
}

/// A function as tiers see it. A reference to a function (a `funcref` in a
/// slot, a table entry) is the address of its header.
package struct FunctionHeader {
    /// The store's ID of the function's type.
    package var typeID: Int
    /// The instance of a WebAssembly function; nil for a host function.
    package var instance: UnsafeMutablePointer<InstanceContext>?
    /// The tier's compiled code of a WebAssembly function.
    package var code: UnsafeRawPointer?
    /// Slots taken by the parameters and by the results.
    package var parameterSlots: Int32
    package var resultSlots: Int32
    /// The owning `FunctionEntity` (unretained).
    package var entity: UnsafeRawPointer?
}

/// A linear memory. The base address may change when the memory grows
/// beyond its reservation, so tiers reload it after `memory.grow` and calls.
package struct MemoryState {
    package var base: UnsafeMutableRawPointer
    /// The accessible size in bytes.
    package var byteCount: Int
    package var pageCount: UInt64
    /// The page count growth may not exceed: the declared maximum, the
    /// engine's limit, or the address space, whichever is smallest.
    package var maximumPages: UInt64
    /// Bytes of address space reserved at `base`.
    package var reservedBytes: Int
    package var pageSizeLog2: UInt8
    package var is64: Bool
}

extension MemoryState {
    /// A memory of size 0 that is never freed, for instances without memory:
    /// every access to it is out of bounds.
    nonisolated(unsafe) package static let none: UnsafeMutablePointer<MemoryState> = {
        let p = UnsafeMutablePointer<MemoryState>.allocate(capacity: 1)
        let base = UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 16)
        p.initialize(to: MemoryState(base: base, byteCount: 0, pageCount: 0, maximumPages: 0,
                                     reservedBytes: 0, pageSizeLog2: 16, is64: false))
        return p
    }()
}

/// A table: a growable array of reference slots.
package struct TableState {
    package var elements: UnsafeMutablePointer<UInt64>
    package var count: Int
    package var capacity: Int
    package var maximum: UInt64
    package var is64: Bool
}

/// An element segment of an instance: its evaluated references (dropped
/// segments have count 0).
package struct ElementSegmentState {
    package var items: UnsafeMutablePointer<UInt64>?
    package var count: Int
}

/// A data segment of an instance (dropped segments have count 0). The bytes
/// belong to the compiled module.
package struct DataSegmentState {
    package var bytes: UnsafeRawPointer?
    package var count: Int
}

/// An exception object: the tag's identity, the number of payload slots,
/// then the payload. An `exnref` is the address of one. The store owns them
/// (and frees them when they become unreachable, see `HeapHeader`).
package enum ExceptionLayout {
    package static let tag = 0
    package static let count = 1
    package static let payload = 2
}

/// A GC object (struct or array): a header, then one slot per field or
/// element (two for v128). Packed (i8, i16) fields keep the whole i32 in
/// their slot; reads sign- or zero-extend the low bits, so writes need not
/// truncate. The store owns them (see `HeapHeader`).
package enum ObjectLayout {
    /// The store's ID of the object's type.
    package static let typeID = 0
    /// The element count of an array (0 for structs).
    package static let length = 1
    /// The first field or element.
    package static let fields = 2
}

/// The hidden word in front of every GC object and exception object (at
/// index -1 of the address that slots hold): what the store's collector
/// needs and code never reads. Keeping it out of `ObjectLayout` and
/// `ExceptionLayout` means tiers index fields as before. The word holds
/// the mark bit, the kind, and the allocation's size in words (the hidden
/// word included), so that the sweep can account freed bytes.
package enum HeapHeader {
    /// Words in front of the address code sees.
    package static let words = 1
    /// Set on reachable objects while a collection runs.
    package static let mark: UInt64 = 0b01
    /// Set on exception objects; clear on structs and arrays.
    package static let exception: UInt64 = 0b10
    /// The size in words starts at this bit.
    package static let sizeShift: UInt64 = 2

    @inline(__always) package static func word(words: UInt64, isException: Bool) -> UInt64 {
        words << sizeShift | (isException ? exception : 0)
    }
}

/// How references are encoded in a 64-bit slot. The encoding is shared by
/// all tiers: 0 is null; a function reference is the address of its
/// `FunctionHeader`; an exception reference is the address of its object
/// (`ExceptionLayout`); a host (`extern`) value has tag 0b10 in the low bits
/// and an index into the store's host values above them; a GC object is
/// its address (`ObjectLayout`); an i31 has tag 0b01 and its 31 bits above.
/// `any.convert_extern` and `extern.convert_any` keep the bits.
package enum ReferenceBits {
    package static let null: UInt64 = 0
    package static let hostTag: UInt64 = 0b10
    package static let i31Tag: UInt64 = 0b01
    package static let tagMask: UInt64 = 0b11

    @inline(__always) package static func isHost(_ bits: UInt64) -> Bool { bits & tagMask == hostTag }
    @inline(__always) package static func isI31(_ bits: UInt64) -> Bool { bits & tagMask == i31Tag }

    @inline(__always) package static func i31(_ value: UInt32) -> UInt64 {
        UInt64(value & 0x7FFF_FFFF) << 2 | i31Tag
    }

    /// The i31's value, sign-extended from 31 bits.
    @inline(__always) package static func i31Signed(_ bits: UInt64) -> Int32 {
        Int32(bitPattern: UInt32(truncatingIfNeeded: bits >> 2) << 1) >> 1
    }

    @inline(__always) package static func i31Unsigned(_ bits: UInt64) -> UInt32 {
        UInt32(truncatingIfNeeded: bits >> 2) & 0x7FFF_FFFF
    }
}
