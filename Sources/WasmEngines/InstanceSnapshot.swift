/// The observable state of an instance: its exports in the module's order.
/// Memories appear as size and content hash (`ContentHash`), so a snapshot
/// stays small; the oracle reads bytes only when two hashes differ.
public struct InstanceSnapshot: Hashable, Sendable {
    public var exports: [ExportState]

    public init(exports: [ExportState]) { self.exports = exports }

    /// A hash of the whole snapshot (`WasmEngine.stateHash`).
    public var hash: UInt64 {
        var h = ContentHash()
        for export in exports {
            h.update(Array(export.name.utf8))
            h.update([0])
            switch export.state {
            case .function: h.update([0x66])
            case .tag: h.update([0x78])
            case .global(let v): h.update(Array("g\(v)".utf8))
            case .memory(let size, let hash): h.update(Array("m\(size):\(hash)".utf8))
            case .table(let size, let entries): h.update(Array("t\(size):\(entries)".utf8))
            }
        }
        return h.value
    }
}

/// One export of a snapshot.
public struct ExportState: Hashable, Sendable {
    public enum State: Hashable, Sendable {
        case function
        case tag
        case global(EngineValue)
        /// Size in bytes and `ContentHash` of the contents.
        case memory(size: Int, hash: UInt64)
        /// Size, and the first `TableSummary.maxEntries` entries as
        /// `ReferenceKind.letter`s.
        case table(size: Int, entries: String)
    }

    public var name: String
    public var state: State

    public init(name: String, state: State) {
        self.name = name
        self.state = state
    }
}

public enum TableSummary {
    /// Entries beyond this many are not compared (tables can be large; a
    /// fuzzing module's are small).
    public static let maxEntries = 4096
}
