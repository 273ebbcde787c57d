import WasmSyntax

/// A table instance of the store. Owns the element array of its `TableState`.
package final class TableEntity {
    package let state: UnsafeMutablePointer<TableState>
    /// The table's type, closed (concrete heap types are store type IDs).
    package let type: TableType

    /// Creates a table of `type.limits.min` elements set to `initial`; growth
    /// is capped at `maxElements`.
    /// The element count a table of `type` may grow to: the declared
    /// maximum, the index space, or `maxElements`, whichever is smallest.
    package static func maximumElements(_ type: TableType, maxElements: UInt64) -> UInt64 {
        let addressable: UInt64 = type.limits.addressType == .i64 ? UInt64(Int.max) : 0xFFFF_FFFF
        return Swift.min(type.limits.max ?? addressable, addressable, maxElements)
    }

    package init(type: TableType, initial: UInt64, maxElements: UInt64) throws(Trap) {
        let maximum = Self.maximumElements(type, maxElements: maxElements)
        guard type.limits.min <= maximum else { throw Trap(.resourceExhausted) }
        let count = Int(type.limits.min)
        let capacity = Swift.max(count, 1)
        let elements = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity)
        elements.initialize(repeating: initial, count: capacity)
        state = .allocate(capacity: 1)
        state.initialize(to: TableState(elements: elements, count: count, capacity: capacity, maximum: maximum, is64: type.limits.addressType == .i64))
        self.type = type
    }

    deinit {
        state.pointee.elements.deallocate()
        state.deallocate()
    }
}

extension UnsafeMutablePointer where Pointee == TableState {
    /// `table.grow`: adds `delta` entries set to `value` and returns the old
    /// size, or nil when the table cannot grow that much.
    package func grow(by delta: UInt64, value: UInt64) -> UInt64? {
        let old = UInt64(pointee.count)
        guard delta <= pointee.maximum &- old else { return nil }
        let newCount = Int(old + delta)
        if newCount > pointee.capacity {
            let capacity = Swift.max(newCount, Swift.min(pointee.capacity * 2, Int(pointee.maximum)))
            let fresh = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity)
            fresh.moveInitialize(from: pointee.elements, count: pointee.count)
            pointee.elements.deallocate()
            pointee.elements = fresh
            pointee.capacity = capacity
        }
        (pointee.elements + Int(old)).initialize(repeating: value, count: Int(delta))
        pointee.count = newCount
        return old
    }
}

/// The operations of tables, shared by the tiers and the builtins
/// (VMBuiltins+Runtime.swift). Bounds are checked before anything is
/// written, as the spec requires.
extension UnsafeMutablePointer where Pointee == TableState {
    /// `table.get`.
    package func element(at index: UInt64) throws(Trap) -> UInt64 {
        guard index < UInt64(pointee.count) else { throw Trap(.outOfBoundsTableAccess) }
        return pointee.elements[Int(index)]
    }

    /// `table.set`.
    package func setElement(at index: UInt64, to value: UInt64) throws(Trap) {
        guard index < UInt64(pointee.count) else { throw Trap(.outOfBoundsTableAccess) }
        pointee.elements[Int(index)] = value
    }

    /// `table.fill` of `count` entries at `destination`.
    package func fill(at destination: UInt64, value: UInt64, count: UInt64) throws(Trap) {
        guard VMBounds.contains(destination, count, UInt64(pointee.count)) else { throw Trap(.outOfBoundsTableAccess) }
        if count > 0 { (pointee.elements + Int(destination)).update(repeating: value, count: Int(count)) }
    }

    /// `table.copy` of `count` entries from `source` (at `sourceIndex`) to `destination` in this table.
    package func copy(to destination: UInt64, from source: UnsafeMutablePointer<TableState>, at sourceIndex: UInt64,
                      count: UInt64) throws(Trap) {
        guard VMBounds.contains(destination, count, UInt64(pointee.count)),
              VMBounds.contains(sourceIndex, count, UInt64(source.pointee.count)) else {
            throw Trap(.outOfBoundsTableAccess)
        }
        if count > 0 {
            UnsafeMutableRawPointer(pointee.elements + Int(destination))
                .copyMemory(from: source.pointee.elements + Int(sourceIndex), byteCount: Int(count) * 8)
        }
    }

    /// `table.init`: `count` references of `segment` from `offset` to `destination`.
    package func initialize(at destination: UInt64, from segment: UnsafeMutablePointer<ElementSegmentState>, offset: UInt64,
                            count: UInt64) throws(Trap) {
        guard VMBounds.contains(offset, count, UInt64(segment.pointee.count)),
              VMBounds.contains(destination, count, UInt64(pointee.count)) else {
            throw Trap(.outOfBoundsTableAccess)
        }
        if count > 0, let items = segment.pointee.items {
            (pointee.elements + Int(destination)).update(from: items + Int(offset), count: Int(count))
        }
    }
}
