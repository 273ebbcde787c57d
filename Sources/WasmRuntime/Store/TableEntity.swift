import WasmSyntax

/// A table instance of the store. Owns the element array of its `TableState`.
package final class TableEntity {
    package let state: UnsafeMutablePointer<TableState>
    /// The table's type, closed (concrete heap types are store type IDs).
    package let type: TableType

    /// Creates a table of `type.limits.min` elements set to `initial`; growth
    /// is capped at `maxElements`.
    package init(type: TableType, initial: UInt64, maxElements: UInt64) throws(Trap) {
        let addressable: UInt64 = type.limits.addressType == .i64 ? UInt64(Int.max) : 0xFFFF_FFFF
        let maximum = Swift.min(type.limits.max ?? addressable, addressable, maxElements)
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
