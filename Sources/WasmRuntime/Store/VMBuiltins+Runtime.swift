import CWasmVM

extension VMBuiltins {
    /// The builtins the runtime implements, as C-ABI functions with the
    /// vmctx first, for the builtins table of each store. The GC, throw
    /// and subtype slots stay null until the JIT tier needs them (they need
    /// the collector's roots and the unwinder).
    package static var runtime: VMBuiltins {
        VMBuiltins(
            memoryGrow: { ctx, memory, delta in
                ctx.pointee.memories[Int(memory)].grow(by: delta).map { Int64(bitPattern: $0) } ?? -1
            },
            memoryFill: { ctx, memory, destination, value, count in
                trapCode { () throws(Trap) in
                    try ctx.pointee.memories[Int(memory)].fill(at: destination, value: UInt8(truncatingIfNeeded: value), count: count)
                }
            },
            memoryCopy: { ctx, destinationMemory, sourceMemory, destination, source, count in
                trapCode { () throws(Trap) in
                    let memories = ctx.pointee.memories
                    try memories[Int(destinationMemory)].copy(to: destination, from: memories[Int(sourceMemory)], at: source, count: count)
                }
            },
            memoryInit: { ctx, memory, data, destination, source, count in
                trapCode { () throws(Trap) in
                    try ctx.pointee.memories[Int(memory)].initialize(
                        at: destination, from: ctx.pointee.datas + Int(data), offset: UInt64(source), count: UInt64(count))
                }
            },
            dataDrop: { ctx, data in ctx.pointee.datas[Int(data)].count = 0 },
            tableGet: { ctx, table, index, result in
                trapCode { () throws(Trap) in result.pointee = try ctx.pointee.tables[Int(table)].element(at: index) }
            },
            tableSet: { ctx, table, index, value in
                trapCode { () throws(Trap) in try ctx.pointee.tables[Int(table)].setElement(at: index, to: value) }
            },
            tableGrow: { ctx, table, delta, value in
                ctx.pointee.tables[Int(table)].grow(by: delta, value: value).map { Int64(bitPattern: $0) } ?? -1
            },
            tableFill: { ctx, table, index, value, count in
                trapCode { () throws(Trap) in try ctx.pointee.tables[Int(table)].fill(at: index, value: value, count: count) }
            },
            tableCopy: { ctx, destinationTable, sourceTable, destination, source, count in
                trapCode { () throws(Trap) in
                    let tables = ctx.pointee.tables
                    try tables[Int(destinationTable)].copy(to: destination, from: tables[Int(sourceTable)], at: source, count: count)
                }
            },
            tableInit: { ctx, table, element, destination, source, count in
                trapCode { () throws(Trap) in
                    try ctx.pointee.tables[Int(table)].initialize(
                        at: destination, from: ctx.pointee.elements + Int(element), offset: UInt64(source), count: UInt64(count))
                }
            },
            elemDrop: { ctx, element in ctx.pointee.elements[Int(element)].count = 0 },
            indirectCallTarget: { ctx, table, index, type, result in
                let state = ctx.pointee.tables[Int(table)]
                guard index < UInt64(state.pointee.count) else { return VMTrapCode.undefinedElement.rawValue }
                guard let callee = UnsafeMutablePointer<FunctionHeader>(bitPattern: UInt(state.pointee.elements[Int(index)])) else {
                    // The suite checks the index in the message.
                    let store = Unmanaged<Store>.fromOpaque(ctx.pointee.runtime.pointee.store!).takeUnretainedValue()
                    store.pendingTrap = Trap(.uninitializedElement, detail: "\(index)")
                    return VMTrapCode.uninitializedElement.rawValue
                }
                let expected = ctx.pointee.typeIDs[Int(type)]
                if callee.pointee.typeID != expected {
                    let store = Unmanaged<Store>.fromOpaque(ctx.pointee.runtime.pointee.store!).takeUnretainedValue()
                    guard store.types.isSubtype(callee.pointee.typeID, of: expected) else {
                        return VMTrapCode.indirectCallTypeMismatch.rawValue
                    }
                }
                result.pointee = callee
                return VMTrapCode.none.rawValue
            },
            referenceMatches: { ctx, bits, target in
                let store = Unmanaged<Store>.fromOpaque(ctx.pointee.runtime.pointee.store!).takeUnretainedValue()
                return store.referenceMatches(bits, castTarget: target, context: ctx)
            },
            gcAllocate: { ctx, type, length, frame, result in
                let store = Unmanaged<Store>.fromOpaque(ctx.pointee.runtime.pointee.store!).takeUnretainedValue()
                let id = ctx.pointee.typeIDs[Int(type)]
                let slots: UInt64
                switch store.types.compositeType(at: UInt32(truncatingIfNeeded: id)) {
                case .struct(let fields)?: slots = UInt64(fields.reduce(0) { $0 + $1.storage.slotCount })
                case .array(let element)?:
                    let (product, overflow) = length.multipliedReportingOverflow(by: UInt64(element.storage.slotCount))
                    guard !overflow else { return VMTrapCode.resourceExhausted.rawValue }
                    slots = product
                default: return VMTrapCode.typeMismatch.rawValue
                }
                do throws(Trap) {
                    let object = try store.allocateObject(typeID: id, length: length, slots: slots, runningFrame: frame)
                    result.pointee = UInt64(UInt(bitPattern: object))
                    return VMTrapCode.none.rawValue
                } catch {
                    return VMTrapCode(error.kind).rawValue
                }
            },
            gcArrayOperation: { ctx, operation, type, segment, operands, result in
                let store = Unmanaged<Store>.fromOpaque(ctx.pointee.runtime.pointee.store!).takeUnretainedValue()
                guard let op = Store.ArrayOperation(rawValue: operation) else { return VMTrapCode.typeMismatch.rawValue }
                do throws(Trap) {
                    try store.arrayOperation(op, type: Int(type), segment: Int(segment), operands: operands, result: result,
                                             context: ctx)
                    return VMTrapCode.none.rawValue
                } catch {
                    return VMTrapCode(error.kind).rawValue
                }
            },
            throwTag: { ctx, tag, payload, frame in
                let store = Unmanaged<Store>.fromOpaque(ctx.pointee.runtime.pointee.store!).takeUnretainedValue()
                let identity = ctx.pointee.tags[Int(tag)]
                let count = TagEntity.of(identity).type.params.slotCount
                do throws(Trap) {
                    let exception = try store.allocateException(tag: identity, payload: payload, count: count, runningFrame: frame)
                    ctx.pointee.runtime.pointee.exception = UInt64(UInt(bitPattern: exception))
                    return VMTrapCode.exceptionThrown.rawValue
                } catch {
                    return VMTrapCode(error.kind).rawValue
                }
            },
            isSubtype: nil, throwRef: nil,
            callHost: { ctx, callee, frame in
                let store = Unmanaged<Store>.fromOpaque(ctx.pointee.runtime.pointee.store!).takeUnretainedValue()
                let saved = store.codeFrameTop
                store.codeFrameTop = frame + Int(Swift.max(callee.pointee.parameterSlots, callee.pointee.resultSlots))
                defer { store.codeFrameTop = saved }
                do throws(Trap) {
                    try store.callHost(callee, slots: frame)
                    return VMTrapCode.none.rawValue
                } catch {
                    store.pendingTrap = error
                    return VMTrapCode(error.kind).rawValue
                }
            })
    }
}

/// Runs a builtin's operation and returns its trap code (0: none), so that
/// no Swift error crosses the C boundary.
@inline(__always)
private func trapCode(_ body: () throws(Trap) -> Void) -> Int32 {
    do {
        try body()
        return VMTrapCode.none.rawValue
    } catch {
        return VMTrapCode(error.kind).rawValue
    }
}
