import WasmSyntax

/// A memory instance of the store. Owns the reservation behind its `MemoryState`.
package final class MemoryEntity {
    package let state: UnsafeMutablePointer<MemoryState>
    /// The type the memory was created with (its minimum is the initial size).
    package let type: MemoryType

    /// Address space reserved up front, at most (larger memories move when they grow).
    static let reservationCap = 8 << 30

    /// Creates a memory of `type.limits.min` pages; growth is capped at
    /// `maxBytes` whatever the type allows.
    /// The page count a memory of `type` may grow to: the declared
    /// maximum, the address space, or `maxBytes`, whichever is smallest
    /// (every runtime's rule: the agent's memories get it too).
    package static func maximumPages(_ type: MemoryType, maxBytes: UInt64) -> UInt64 {
        let log2 = UInt64(type.pageSizeLog2 ?? 16)
        let addressBits: UInt64 = type.limits.addressType == .i64 ? 64 : 32
        // The most pages the address space allows (validation already
        // bounds the declared limits).
        let addressable: UInt64 = addressBits - log2 >= 63 ? UInt64(1) << 62 : UInt64(1) << (addressBits - log2)
        return Swift.min(type.limits.max ?? addressable, addressable, maxBytes >> log2)
    }

    package init(type: MemoryType, maxBytes: UInt64) throws(Trap) {
        let log2 = UInt64(type.pageSizeLog2 ?? 16)
        let maximumPages = Self.maximumPages(type, maxBytes: maxBytes)
        let minimumPages = type.limits.min
        guard minimumPages <= maximumPages else { throw Trap(.resourceExhausted) }
        let initialBytes = Int(minimumPages << log2)
        let maxBytes = Int(maximumPages << log2)

        var reserved = Swift.min(maxBytes, Self.reservationCap)
        reserved = Swift.max(reserved, initialBytes)
        var base = VirtualMemory.reserve(reserved)
        if base == nil {
            reserved = initialBytes
            base = VirtualMemory.reserve(reserved)
        }
        guard let base else { throw Trap(.resourceExhausted) }
        guard VirtualMemory.commit(base, initialBytes) else {
            VirtualMemory.release(base, reserved)
            throw Trap(.resourceExhausted)
        }
        state = .allocate(capacity: 1)
        state.initialize(to: MemoryState(
            base: base, byteCount: initialBytes, pageCount: minimumPages, maximumPages: maximumPages,
            reservedBytes: reserved, pageSizeLog2: UInt8(log2), is64: type.limits.addressType == .i64))
        self.type = type
    }

    deinit {
        VirtualMemory.release(state.pointee.base, state.pointee.reservedBytes)
        state.deallocate()
    }
}

extension UnsafeMutablePointer where Pointee == MemoryState {
    /// `memory.grow`: adds `delta` pages and returns the old page count, or
    /// nil when the memory cannot grow that much (the instruction's -1).
    package func grow(by delta: UInt64) -> UInt64? {
        let old = pointee.pageCount
        guard delta <= pointee.maximumPages &- old else { return nil }
        if delta == 0 { return old }
        let log2 = UInt64(pointee.pageSizeLog2)
        let newPages = old + delta
        let newBytes = Int(newPages << log2)
        if newBytes > pointee.reservedBytes {
            let maxBytes = Int(pointee.maximumPages << log2)
            let reserve = Swift.min(maxBytes, Swift.max(newBytes, pointee.reservedBytes * 2))
            guard let fresh = VirtualMemory.reserve(reserve) else { return nil }
            guard VirtualMemory.commit(fresh, newBytes) else {
                VirtualMemory.release(fresh, reserve)
                return nil
            }
            fresh.copyMemory(from: pointee.base, byteCount: pointee.byteCount)
            VirtualMemory.release(pointee.base, pointee.reservedBytes)
            pointee.base = fresh
            pointee.reservedBytes = reserve
        } else {
            guard VirtualMemory.commit(pointee.base, newBytes) else { return nil }
        }
        pointee.pageCount = newPages
        pointee.byteCount = newBytes
        return old
    }
}

/// The bulk operations of memories, shared by the tiers and the builtins
/// (VMBuiltins+Runtime.swift). Bounds are checked before anything is
/// written, as the spec requires.
extension UnsafeMutablePointer where Pointee == MemoryState {
    /// `memory.fill` of `count` bytes at `destination`.
    package func fill(at destination: UInt64, value: UInt8, count: UInt64) throws(Trap) {
        guard VMBounds.contains(destination, count, UInt64(pointee.byteCount)) else { throw Trap(.outOfBoundsMemoryAccess) }
        if count > 0 { (pointee.base + Int(destination)).initializeMemory(as: UInt8.self, repeating: value, count: Int(count)) }
    }

    /// `memory.copy` of `count` bytes from `source` (at `sourceAddress`) to `destination` in this memory.
    package func copy(to destination: UInt64, from source: UnsafeMutablePointer<MemoryState>, at sourceAddress: UInt64,
                      count: UInt64) throws(Trap) {
        guard VMBounds.contains(destination, count, UInt64(pointee.byteCount)),
              VMBounds.contains(sourceAddress, count, UInt64(source.pointee.byteCount)) else {
            throw Trap(.outOfBoundsMemoryAccess)
        }
        if count > 0 {
            (pointee.base + Int(destination)).copyMemory(from: source.pointee.base + Int(sourceAddress), byteCount: Int(count))
        }
    }

    /// `memory.init`: `count` bytes of `data` from `offset` to `destination`.
    package func initialize(at destination: UInt64, from data: UnsafeMutablePointer<DataSegmentState>, offset: UInt64,
                            count: UInt64) throws(Trap) {
        guard VMBounds.contains(offset, count, UInt64(data.pointee.count)),
              VMBounds.contains(destination, count, UInt64(pointee.byteCount)) else {
            throw Trap(.outOfBoundsMemoryAccess)
        }
        if count > 0, let bytes = data.pointee.bytes {
            (pointee.base + Int(destination)).copyMemory(from: bytes + Int(offset), byteCount: Int(count))
        }
    }
}
