/// The range check of bulk operations on memories, tables, segments and arrays.
package enum VMBounds {
    /// Whether `start..<start+count` lies within `0..<size` (without overflow).
    @inlinable
    package static func contains(_ start: UInt64, _ count: UInt64, _ size: UInt64) -> Bool {
        start <= size && count <= size - start
    }
}
