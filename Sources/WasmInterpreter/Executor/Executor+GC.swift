import WasmRuntime
import WasmSyntax

/// The GC instructions: structs and arrays live in the store
/// (`ObjectLayout`), i31 values in the reference bits. Layouts (a, b in the
/// first word; w1, w2 after; `lo`/`hi` halves):
/// - structNew a=dst b=fields, w1 = type | slots; structNewDefault a=dst, w1 = type | slots
/// - structGet a=dst b=ref, w1 = slot offset | read mode; structSet a=ref b=value, w1 = offset | width
/// - arrayNew a=dst b=value, w1 = type | width, w2 = length slot
/// - arrayNewDefault a=dst b=length, w1 = type | width
/// - arrayNewFixed a=dst b=values, w1 = type | width, w2 = count
/// - arrayNewData/Elem a=dst b=offset, w1 = type | element bytes, w2 = segment | length slot
/// - arrayGet a=dst b=ref, w1 = index slot | read mode; arraySet a=ref b=index, w1 = value | width
/// - arrayLen a=dst b=ref; arrayFill a=ref b=offset, w1 = value | width, w2 = count
/// - arrayCopy a=dst ref b=dst offset, w1 = src ref | src offset, w2 = count | width
/// - arrayInitData/Elem a=ref b=offset, w1 = source offset | count, w2 = segment | element bytes
/// - refTest a=dst b=ref, w1 = target; refCast a=ref, w1 = target
/// - brIfCast/brIfNotCast a=ref, w1 = branch offset, w2 = target
/// Read modes: 0 one slot, 1 two slots, 2/3 i8 signed/unsigned, 4/5 i16.
///
/// Allocations pass the running frame (`sp`) to the store, whose collector
/// then scans the value stack up to that frame's top (see the
/// `ValueStackRoots` conformance below). Every operand of the allocating
/// instruction is in a slot when the store is called.
enum GCInstructions {
    /// Runs the GC instruction at `pc` and returns how far to move `pc`.
    static func run(_ pc: UnsafeMutablePointer<UInt64>, sp: UnsafeMutablePointer<UInt64>,
                    ctx: UnsafeMutablePointer<InstanceContext>, store: Store) throws(Trap) -> Int {
        let w = pc[0]
        let a = IR.a(w)
        let b = IR.b(w)
        switch IR.op(w) {
        case .structNew, .structNewDefault:
            let w1 = pc[1]
            let slots = IR.hi(w1)
            let object = try store.allocateObject(typeID: ctx.pointee.typeIDs[IR.lo(w1)], length: 0, slots: UInt64(slots), runningFrame: sp)
            if IR.op(w) == .structNew {
                (object + ObjectLayout.fields).update(from: sp + b, count: slots)
            }
            sp[a] = bits(object)
            return 2
        case .structGet:
            guard let object = pointer(sp[b]) else { throw Trap(.nullStructureReference) }
            let w1 = pc[1]
            read(object + ObjectLayout.fields + IR.lo(w1), mode: IR.hi(w1), into: sp + a)
            return 2
        case .structSet:
            guard let object = pointer(sp[a]) else { throw Trap(.nullStructureReference) }
            let w1 = pc[1]
            (object + ObjectLayout.fields + IR.lo(w1)).update(from: sp + b, count: IR.hi(w1))
            return 2
        case .arrayNew, .arrayNewDefault:
            let w1 = pc[1]
            let width = IR.hi(w1)
            let length = UInt64(sp[i32: IR.op(w) == .arrayNew ? Int(pc[2]) : b])
            let object = try store.allocateObject(typeID: ctx.pointee.typeIDs[IR.lo(w1)], length: length, slots: length * UInt64(width), runningFrame: sp)
            if IR.op(w) == .arrayNew {
                let value = sp + b
                var p = object + ObjectLayout.fields
                for _ in 0..<Int(length) {
                    p.update(from: value, count: width)
                    p += width
                }
            }
            sp[a] = bits(object)
            return IR.op(w) == .arrayNew ? 3 : 2
        case .arrayNewFixed:
            let w1 = pc[1]
            let width = IR.hi(w1)
            let count = Int(pc[2])
            let object = try store.allocateObject(typeID: ctx.pointee.typeIDs[IR.lo(w1)], length: UInt64(count), slots: UInt64(count * width), runningFrame: sp)
            (object + ObjectLayout.fields).update(from: sp + b, count: count * width)
            sp[a] = bits(object)
            return 3
        case .arrayNewData:
            let w1 = pc[1], w2 = pc[2]
            let size = IR.hi(w1)
            let offset = UInt64(sp[i32: b])
            let length = UInt64(sp[i32: IR.hi(w2)])
            let data = ctx.pointee.datas[IR.lo(w2)]
            let bytes = length * UInt64(size)
            guard offset <= UInt64(data.count), bytes <= UInt64(data.count) - offset else { throw Trap(.outOfBoundsMemoryAccess) }
            let width = size == 16 ? 2 : 1
            let object = try store.allocateObject(typeID: ctx.pointee.typeIDs[IR.lo(w1)], length: length, slots: length * UInt64(width), runningFrame: sp)
            if let source = data.bytes {
                ObjectLayout.copy(from: source + Int(offset), size: size, count: Int(length), to: object + ObjectLayout.fields)
            }
            sp[a] = bits(object)
            return 3
        case .arrayNewElem:
            let w1 = pc[1], w2 = pc[2]
            let offset = UInt64(sp[i32: b])
            let length = UInt64(sp[i32: IR.hi(w2)])
            let segment = ctx.pointee.elements[IR.lo(w2)]
            guard offset <= UInt64(segment.count), length <= UInt64(segment.count) - offset else { throw Trap(.outOfBoundsTableAccess) }
            let object = try store.allocateObject(typeID: ctx.pointee.typeIDs[IR.lo(w1)], length: length, slots: length, runningFrame: sp)
            if let items = segment.items, length > 0 {
                (object + ObjectLayout.fields).update(from: items + Int(offset), count: Int(length))
            }
            sp[a] = bits(object)
            return 3
        case .arrayGet:
            let w1 = pc[1]
            let mode = IR.hi(w1)
            let element = try arrayElement(sp[b], index: UInt64(sp[i32: IR.lo(w1)]), width: mode == 1 ? 2 : 1)
            read(element, mode: mode, into: sp + a)
            return 2
        case .arraySet:
            let w1 = pc[1]
            let width = IR.hi(w1)
            let element = try arrayElement(sp[a], index: UInt64(sp[i32: b]), width: width)
            element.update(from: sp + IR.lo(w1), count: width)
            return 2
        case .arrayLen:
            guard let object = pointer(sp[b]) else { throw Trap(.nullArrayReference) }
            sp[a] = object[ObjectLayout.length]
            return 1
        case .arrayFill:
            guard let object = pointer(sp[a]) else { throw Trap(.nullArrayReference) }
            let w1 = pc[1]
            let width = IR.hi(w1)
            let offset = UInt64(sp[i32: b])
            let count = UInt64(sp[i32: Int(pc[2])])
            guard VMBounds.contains(offset, count, object[ObjectLayout.length]) else { throw Trap(.outOfBoundsArrayAccess) }
            var p = object + ObjectLayout.fields + Int(offset) * width
            for _ in 0..<Int(count) {
                p.update(from: sp + IR.lo(w1), count: width)
                p += width
            }
            return 3
        case .arrayCopy:
            let w1 = pc[1], w2 = pc[2]
            guard let destination = pointer(sp[a]), let source = pointer(sp[IR.lo(w1)]) else { throw Trap(.nullArrayReference) }
            let width = IR.hi(w2)
            let d = UInt64(sp[i32: b]), s = UInt64(sp[i32: IR.hi(w1)]), n = UInt64(sp[i32: IR.lo(w2)])
            guard VMBounds.contains(d, n, destination[ObjectLayout.length]), VMBounds.contains(s, n, source[ObjectLayout.length]) else {
                throw Trap(.outOfBoundsArrayAccess)
            }
            if n > 0 {
                UnsafeMutableRawPointer(destination + ObjectLayout.fields + Int(d) * width)
                    .copyMemory(from: source + ObjectLayout.fields + Int(s) * width, byteCount: Int(n) * width * 8)
            }
            return 3
        case .arrayInitData, .arrayInitElem:
            guard let object = pointer(sp[a]) else { throw Trap(.nullArrayReference) }
            let w1 = pc[1], w2 = pc[2]
            let d = UInt64(sp[i32: b]), s = UInt64(sp[i32: IR.lo(w1)]), n = UInt64(sp[i32: IR.hi(w1)])
            guard VMBounds.contains(d, n, object[ObjectLayout.length]) else { throw Trap(.outOfBoundsArrayAccess) }
            if IR.op(w) == .arrayInitData {
                let size = IR.hi(w2)
                let data = ctx.pointee.datas[IR.lo(w2)]
                guard VMBounds.contains(s, n * UInt64(size), UInt64(data.count)) else { throw Trap(.outOfBoundsMemoryAccess) }
                let width = size == 16 ? 2 : 1
                if let source = data.bytes {
                    ObjectLayout.copy(from: source + Int(s), size: size, count: Int(n), to: object + ObjectLayout.fields + Int(d) * width)
                }
            } else {
                let segment = ctx.pointee.elements[IR.lo(w2)]
                guard VMBounds.contains(s, n, UInt64(segment.count)) else { throw Trap(.outOfBoundsTableAccess) }
                if let items = segment.items, n > 0 {
                    (object + ObjectLayout.fields + Int(d)).update(from: items + Int(s), count: Int(n))
                }
            }
            return 3
        case .refI31:
            sp[a] = ReferenceBits.i31(sp[i32: b])
            return 1
        case .i31GetS, .i31GetU:
            let value = sp[b]
            guard value != ReferenceBits.null else { throw Trap(.nullI31Reference) }
            sp[i32: a] = IR.op(w) == .i31GetS ? UInt32(bitPattern: ReferenceBits.i31Signed(value)) : ReferenceBits.i31Unsigned(value)
            return 1
        case .refTest:
            sp[bool: a] = matches(sp[b], pc[1], ctx: ctx, store: store)
            return 2
        case .refCast:
            guard matches(sp[a], pc[1], ctx: ctx, store: store) else { throw Trap(.castFailure) }
            return 2
        case .brIfCast, .brIfNotCast:
            let taken = matches(sp[a], pc[2], ctx: ctx, store: store) == (IR.op(w) == .brIfCast)
            return taken ? Int(truncatingIfNeeded: Int64(bitPattern: pc[1])) : 3
        default:
            throw Trap(.unreachable)
        }
    }

    @inline(__always) static func pointer(_ bits: UInt64) -> UnsafeMutablePointer<UInt64>? {
        UnsafeMutablePointer<UInt64>(bitPattern: UInt(bits))
    }

    @inline(__always) static func bits(_ object: UnsafeMutablePointer<UInt64>) -> UInt64 {
        UInt64(UInt(bitPattern: object))
    }

    /// The slot of element `index` of the array `reference`, or a trap.
    static func arrayElement(_ reference: UInt64, index: UInt64, width: Int) throws(Trap) -> UnsafeMutablePointer<UInt64> {
        guard let object = pointer(reference) else { throw Trap(.nullArrayReference) }
        guard index < object[ObjectLayout.length] else { throw Trap(.outOfBoundsArrayAccess) }
        return object + ObjectLayout.fields + Int(index) * width
    }

    /// Reads a field or element, widening packed values.
    @inline(__always)
    static func read(_ source: UnsafeMutablePointer<UInt64>, mode: Int, into destination: UnsafeMutablePointer<UInt64>) {
        switch mode {
        case 1:
            let lo = source[0], hi = source[1]
            destination[0] = lo
            destination[1] = hi
        case 2: destination[s32: 0] = Int32(Int8(truncatingIfNeeded: source[0]))
        case 3: destination[0] = source[0] & 0xFF
        case 4: destination[s32: 0] = Int32(Int16(truncatingIfNeeded: source[0]))
        case 5: destination[0] = source[0] & 0xFFFF
        default: destination[0] = source[0]
        }
    }

    /// Whether a reference matches a cast target word (`CastTarget`).
    @inline(__always)
    static func matches(_ bits: UInt64, _ target: UInt64, ctx: UnsafeMutablePointer<InstanceContext>, store: Store) -> Bool {
        store.referenceMatches(bits, castTarget: target, context: ctx)
    }
}

/// The interpreter's value stack as a root of the store's collector. Slots
/// carry no types, so the store scans them conservatively; the part in use
/// is everything below the top of the running frame (nested invocations
/// start above the frames of the host calls they come from, see
/// `Executor.callHost`).
extension ExecutionStack: ValueStackRoots {
    func slotsInUse(runningFrame: UnsafeMutablePointer<UInt64>?) -> UnsafeBufferPointer<UInt64> {
        var top = self.top
        if frameCount > 0 {
            let running = frames[frameCount - 1]
            let slotsOfRunning = running.function.pointee.frameSlots
            let frameTop: UnsafeMutablePointer<UInt64>
            if let runningFrame {
                frameTop = runningFrame + slotsOfRunning
            } else if running.returnPC == nil || frameCount < 2 {
                // Entered from the host: the record's frame is the running one.
                frameTop = running.sp + slotsOfRunning
            } else {
                // The running frame starts within its caller's frame (at a
                // call's argument slots), so it ends before the caller's
                // frame end plus its own size.
                let slotsOfCaller = frames[frameCount - 2].function.pointee.frameSlots
                frameTop = running.sp + slotsOfCaller + slotsOfRunning
            }
            top = Swift.max(top, frameTop)
        }
        top = Swift.min(Swift.max(top, slots), end)
        return UnsafeBufferPointer(start: slots, count: top - slots)
    }
}
