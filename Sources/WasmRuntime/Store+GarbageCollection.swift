import WasmSyntax

// The store's garbage collector: a stop-the-world, non-moving mark and
// sweep over `heapObjects` (GC structs and arrays, and exception objects).
//
// Roots:
// - reference-typed globals and reference elements of tables (of instances
//   and of the host), precisely by their types;
// - the items of element segments that are still alive (passive ones until
//   `elem.drop`), conservatively (a slot is a root when its bits are the
//   address of a heap object);
// - references handed to the host (`pinnedReferences`);
// - the tier's value stack (`ValueStackRoots`): its slots carry no types,
//   so the used part is scanned conservatively. Tiers keep every value of
//   running code in those slots whenever they call into the store, which
//   is the only time a collection can run. An exception being thrown
//   lives in a Swift local only between its allocation and the handler
//   that receives it; nothing allocates in between, so it needs no root.
//
// Tracing is precise: struct fields and array elements by their storage
// types (`TypeRegistry`), exception payloads by the parameters of the
// exception's tag. References of the func hierarchy point at
// `FunctionHeader`s, which the store owns otherwise, and are not followed.
//
// Objects never move, so the addresses that code holds stay valid; the
// mark bit lives in the hidden `HeapHeader` word.

/// Counters of a store's garbage collector.
package struct HeapStatistics: Sendable, Equatable {
    /// Collections run so far.
    package var collections = 0
    /// The most bytes the heap has held (hidden words included).
    package var peakBytes: UInt64 = 0
    /// Bytes still reachable after the last collection.
    package var liveBytesAfterLastCollection: UInt64 = 0
    /// Bytes and objects freed by all collections.
    package var freedBytes: UInt64 = 0
    package var freedObjects = 0
}

/// What a tier tells the collector about the values it holds: the slots of
/// its value stack that may be in use. The store finds the tier's state
/// (`Store.tierState`) through this protocol.
package protocol ValueStackRoots: AnyObject {
    /// The slots from the bottom of the value stack to the top of the
    /// running frame, which starts at `runningFrame` when the allocation
    /// comes from the tier's code. With nil (an allocation by the runtime
    /// or the host), the answer must still cover every frame that is
    /// active, over-approximating the running one if need be: a slot left
    /// out may free a live object, a stale slot only keeps garbage longer.
    func slotsInUse(runningFrame: UnsafeMutablePointer<UInt64>?) -> UnsafeBufferPointer<UInt64>
}

/// Which slots of an object hold references the collector follows.
enum TraceMap {
    /// No references (numbers, packed fields, function references).
    case none
    /// A struct: the slots of its reference fields, from `ObjectLayout.fields`.
    case fields([Int])
    /// An array of references: every element slot.
    case elements
}

extension Store {
    /// Collections start once this many bytes were allocated since the
    /// last one, or as many as survived it if that is more (so that the
    /// work of a collection is paid for by as much allocation).
    package static let minimumCollectionThreshold: UInt64 = 1 << 20

    /// The collector's counters, with the current heap size in the peak.
    package var heapStatistics: HeapStatistics {
        var statistics = collectorCounters
        statistics.peakBytes = Swift.max(statistics.peakBytes, heapBytes)
        return statistics
    }

    /// Runs `body` with collections deferred: allocations in it only
    /// check the heap limit. For code that holds references where the
    /// collector cannot see them, e.g. instantiation, whose initialiser
    /// values are in Swift locals until the instance is complete.
    package func deferringCollections<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        collectionDeferrals += 1
        defer { collectionDeferrals -= 1 }
        return try body()
    }

    /// Frees every heap object that no root reaches. `runningFrame` is the
    /// running WebAssembly frame when the tier's code allocates (see
    /// `ValueStackRoots`). Resets the allocation budget.
    package func collectGarbage(runningFrame: UnsafeMutablePointer<UInt64>? = nil) {
        collectorCounters.peakBytes = Swift.max(collectorCounters.peakBytes, heapBytes)
        // The survivors of the last collection are one sorted run, which
        // the sort merges with the newer objects in linear time.
        if sortedHeapObjects < heapObjects.count { heapObjects.sort() }
        sortedHeapObjects = heapObjects.count

        var work = markStack
        markStack = []
        var maps = traceMaps
        traceMaps = []
        heapObjects.withUnsafeBufferPointer { objects in
            var marker = Marker(store: self, objects: objects, work: work, maps: maps)
            markRoots(&marker, runningFrame: runningFrame)
            marker.drain()
            work = marker.work
            maps = marker.maps
        }
        work.removeAll(keepingCapacity: true)
        markStack = work
        traceMaps = maps

        sweep()
        let threshold = Swift.max(Store.minimumCollectionThreshold, heapBytes)
        let limit = engine.configuration.maxHeapBytes
        allocationBudget = Swift.min(threshold, limit > heapBytes ? limit - heapBytes : 0)
        collectorCounters.collections += 1
        collectorCounters.liveBytesAfterLastCollection = heapBytes
    }

    private func markRoots(_ marker: inout Marker, runningFrame: UnsafeMutablePointer<UInt64>?) {
        if let tier = tierState as? any ValueStackRoots {
            for bits in tier.slotsInUse(runningFrame: runningFrame) { marker.markConservatively(bits) }
        }
        for instance in instances {
            for global in instance.globals { marker.mark(global) }
            for table in instance.tables { marker.mark(table) }
            let segments = instance.context.pointee.elements
            for i in 0..<instance.module.syntax.elements.count {
                let segment = segments[i]
                guard let items = segment.items else { continue }
                for j in 0..<segment.count { marker.markConservatively(items[j]) }
            }
        }
        for global in hostGlobals { marker.mark(global) }
        for table in hostTables { marker.mark(table) }
        for bits in pinnedReferences { marker.markConservatively(bits) }
    }

    /// Frees unmarked objects and clears the marks of the others, keeping
    /// their address order.
    private func sweep() {
        var freedBytes: UInt64 = 0
        var freedObjects = 0
        let kept = heapObjects.withUnsafeMutableBufferPointer { objects -> Int in
            var kept = 0
            for i in 0..<objects.count {
                let object = objects[i]
                let header = object[-HeapHeader.words]
                if header & HeapHeader.mark != 0 {
                    object[-HeapHeader.words] = header & ~HeapHeader.mark
                    objects[kept] = object
                    kept += 1
                } else {
                    let words = header >> HeapHeader.sizeShift
                    freedBytes += words * 8
                    freedObjects += 1
                    #if DEBUG
                    // A use after free then reads garbage rather than the old values.
                    (object - HeapHeader.words).update(repeating: 0xDEAD_BEEF_DEAD_BEEF, count: Int(words))
                    #endif
                    (object - HeapHeader.words).deallocate()
                }
            }
            return kept
        }
        heapObjects.removeLast(heapObjects.count - kept)
        sortedHeapObjects = kept
        heapBytes -= freedBytes
        collectorCounters.freedBytes += freedBytes
        collectorCounters.freedObjects += freedObjects
    }

    /// Whether a value of this (closed) type is a reference the collector
    /// follows: any reference but those of the func hierarchy.
    func isTraced(_ type: ValueType) -> Bool {
        guard case .ref(let r) = type else { return false }
        return !isFunctionType(r)
    }

    /// The trace map of the (closed) type `id`.
    func traceMap(ofType id: Int) -> TraceMap {
        guard id >= 0 && id < types.types.count else { return .none }
        switch types.types[id].composite {
        case .func:
            return .none
        case .array(let element):
            guard case .value(let t) = element.storage, isTraced(t) else { return .none }
            return .elements
        case .struct(let fields):
            var slots: [Int] = []
            var slot = 0
            for field in fields {
                if case .value(let t) = field.storage, isTraced(t) { slots.append(slot) }
                slot += field.storage.slotCount
            }
            return slots.isEmpty ? .none : .fields(slots)
        }
    }
}

/// The mark phase's state: the sorted heap (for conservative lookups), the
/// work list of marked objects whose fields are not traced yet, and the
/// trace maps by type ID.
private struct Marker {
    unowned(unsafe) let store: Store
    let objects: UnsafeBufferPointer<UnsafeMutablePointer<UInt64>>
    var work: [UnsafeMutablePointer<UInt64>]
    var maps: [TraceMap?]
    let lowest: UInt
    let highest: UInt

    init(store: Store, objects: UnsafeBufferPointer<UnsafeMutablePointer<UInt64>>,
         work: [UnsafeMutablePointer<UInt64>], maps: [TraceMap?]) {
        self.store = store
        self.objects = objects
        self.work = work
        self.maps = maps
        lowest = objects.first.map { UInt(bitPattern: $0) } ?? 1
        highest = objects.last.map { UInt(bitPattern: $0) } ?? 0
    }

    /// A reference of a traced type: null, an i31, a host value, or the
    /// address of a heap object.
    @inline(__always) mutating func markPrecisely(_ bits: UInt64) {
        guard bits != ReferenceBits.null, bits & ReferenceBits.tagMask == 0,
              let object = UnsafeMutablePointer<UInt64>(bitPattern: UInt(bits)) else { return }
        mark(object)
    }

    /// Untyped bits: a root only when they are the address of a heap object.
    @inline(__always) mutating func markConservatively(_ bits: UInt64) {
        let address = UInt(bits)
        guard address & 7 == 0, address >= lowest, address <= highest else { return }
        var low = 0
        var high = objects.count
        while low < high {
            let middle = (low + high) / 2
            let candidate = UInt(bitPattern: objects[middle])
            if candidate == address {
                mark(objects[middle])
                return
            }
            if candidate < address { low = middle + 1 } else { high = middle }
        }
    }

    @inline(__always) mutating func mark(_ object: UnsafeMutablePointer<UInt64>) {
        let header = object[-HeapHeader.words]
        guard header & HeapHeader.mark == 0 else { return }
        object[-HeapHeader.words] = header | HeapHeader.mark
        work.append(object)
    }

    mutating func mark(_ global: GlobalEntity) {
        if store.isTraced(global.type.valueType) { markPrecisely(global.cell[0]) }
    }

    mutating func mark(_ table: TableEntity) {
        guard store.isTraced(.ref(table.type.elementType)) else { return }
        let state = table.state.pointee
        for i in 0..<state.count { markPrecisely(state.elements[i]) }
    }

    /// Traces marked objects until none is left (an explicit work list, so
    /// that long chains of objects do not recurse on the native stack).
    mutating func drain() {
        while let object = work.popLast() {
            if object[-HeapHeader.words] & HeapHeader.exception != 0 {
                traceException(object)
            } else {
                traceObject(object)
            }
        }
    }

    mutating func traceObject(_ object: UnsafeMutablePointer<UInt64>) {
        let id = Int(truncatingIfNeeded: object[ObjectLayout.typeID])
        guard id >= 0 else { return }
        if id >= maps.count { maps.append(contentsOf: repeatElement(nil, count: id + 1 - maps.count)) }
        let map: TraceMap
        if let cached = maps[id] {
            map = cached
        } else {
            map = store.traceMap(ofType: id)
            maps[id] = map
        }
        let fields = object + ObjectLayout.fields
        switch map {
        case .none:
            break
        case .fields(let slots):
            for slot in slots { markPrecisely(fields[slot]) }
        case .elements:
            let length = Int(truncatingIfNeeded: object[ObjectLayout.length])
            for i in 0..<length { markPrecisely(fields[i]) }
        }
    }

    mutating func traceException(_ exception: UnsafeMutablePointer<UInt64>) {
        guard let identity = UnsafeRawPointer(bitPattern: UInt(exception[ExceptionLayout.tag])) else { return }
        let payload = exception + ExceptionLayout.payload
        let count = Int(truncatingIfNeeded: exception[ExceptionLayout.count])
        var slot = 0
        for type in TagEntity.of(identity).type.params {
            guard slot < count else { break }
            if store.isTraced(type) { markPrecisely(payload[slot]) }
            slot += type.slotCount
        }
    }
}
