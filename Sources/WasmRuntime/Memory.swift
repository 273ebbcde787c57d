import WasmSyntax

/// A linear memory of a store.
public struct Memory: Hashable {
    public let store: Store
    package let entity: MemoryEntity

    package init(store: Store, entity: MemoryEntity) {
        self.store = store
        self.entity = entity
    }

    /// Creates a memory, e.g. for the host to export to modules. Traps with
    /// `resourceExhausted` when its minimum exceeds the engine's limit.
    public init(store: Store, type: MemoryType) throws(Trap) {
        let entity = try MemoryEntity(type: type, maxBytes: store.engine.configuration.maxMemoryBytes)
        store.hostMemories.append(entity)
        self.init(store: store, entity: entity)
    }

    /// The memory's type, with its current size as the minimum.
    public var type: MemoryType {
        var t = entity.type
        t.limits.min = entity.state.pointee.pageCount
        return t
    }

    public var pageCount: UInt64 { entity.state.pointee.pageCount }
    public var byteCount: Int { entity.state.pointee.byteCount }

    /// Grows by `delta` pages; returns the old page count, or nil if it cannot.
    public func grow(by delta: UInt64) -> UInt64? { entity.state.grow(by: delta) }

    /// Copies `count` bytes at `offset`; nil when out of bounds.
    public func read(at offset: Int, count: Int) -> [UInt8]? {
        let s = entity.state.pointee
        guard offset >= 0, count >= 0, offset <= s.byteCount, count <= s.byteCount - offset else { return nil }
        return Array(UnsafeRawBufferPointer(start: s.base + offset, count: count))
    }

    /// Writes bytes at `offset`; false when out of bounds.
    @discardableResult
    public func write(_ bytes: [UInt8], at offset: Int) -> Bool {
        let s = entity.state.pointee
        guard offset >= 0, offset <= s.byteCount, bytes.count <= s.byteCount - offset else { return false }
        bytes.withUnsafeBytes { (s.base + offset).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        return true
    }

    /// Gives temporary access to the memory's bytes (valid until it grows).
    public func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        let s = entity.state.pointee
        return try body(UnsafeMutableRawBufferPointer(start: s.base, count: s.byteCount))
    }

    public static func == (a: Memory, b: Memory) -> Bool { a.entity === b.entity }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(entity)) }
}
