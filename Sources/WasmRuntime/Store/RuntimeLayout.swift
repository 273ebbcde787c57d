import CWasmVM
import WasmSyntax

// The raw layout that execution tiers run on (docs/architecture.md, decisions 4-6): C
// structs defined once in CWasmVM.h (where each field says what compiled
// code may read or write), in unsafe memory, reached through pointers, so
// that the hot paths of a tier touch no reference counts, existentials or
// Swift arrays. The entity classes (`FunctionEntity`, `MemoryEntity`, ...)
// own these allocations; the store owns the entities, so the pointers live
// as long as the store. `VMOffsets` gives their offsets on a target.

/// What a tier needs to run code of one instance (the "vmctx"): the index
/// spaces of the instance, resolved to the entities of the store, and the
/// store's `VMRuntime`.
package typealias InstanceContext = WVMInstance
/// A function as tiers see it. A reference to a function (a `funcref` in a
/// slot, a table entry) is the address of its header.
package typealias FunctionHeader = WVMFunctionHeader
/// A linear memory. The base address may change when the memory grows
/// beyond its reservation, so tiers reload it after `memory.grow` and calls.
package typealias MemoryState = WVMMemory
/// A table: a growable array of reference slots.
package typealias TableState = WVMTable
/// An element segment of an instance: its evaluated references (dropped
/// segments have count 0).
package typealias ElementSegmentState = WVMElementSegment
/// A data segment of an instance (dropped segments have count 0). The bytes
/// belong to the compiled module.
package typealias DataSegmentState = WVMDataSegment
/// The state of a store that code of all its instances shares: fuel, call
/// depth and its limit, the trap code, the builtins.
package typealias VMRuntime = WVMRuntime
/// The functions compiled code calls for what the runtime does (VMBuiltins+Table.swift).
package typealias VMBuiltins = WVMBuiltins

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
