import WasmSyntax

/// A global instance of the store: a cell of two slots (a v128 takes both).
package final class GlobalEntity {
    package let cell: UnsafeMutablePointer<UInt64>
    /// The global's type, closed.
    package let type: GlobalType

    package init(type: GlobalType) {
        cell = .allocate(capacity: 2)
        cell.initialize(repeating: 0, count: 2)
        self.type = type
    }

    deinit { cell.deallocate() }
}
