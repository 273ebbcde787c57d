import CWasmVM
import WasmSyntax

/// The array instructions that need segments, allocation or type
/// information: what compiled code calls through the `gcArrayOperation`
/// builtin (CWasmVM.h). Operands are 64-bit slots in the order the
/// instruction takes them (i32 values zero-extended).
extension Store {
    package enum ArrayOperation: UInt32 {
        /// [offset, length] -> the new array in `result`.
        case newData = 0, newElem = 1
        /// [array, destination, source, count]
        case initData = 2, initElem = 3
        /// [destination array, destination, source array, source, count]
        case copy = 4
        /// [array, offset, value (one or two slots), count]
        case fill = 5
    }

    /// Runs `operation` on array type index `type` of the instance; `result`
    /// is the slot after the caller's live ones (the collector scans below
    /// it) and receives a new array.
    package func arrayOperation(_ operation: ArrayOperation, type: Int, segment: Int, operands o: UnsafePointer<UInt64>,
                                result: UnsafeMutablePointer<UInt64>,
                                context ctx: UnsafeMutablePointer<InstanceContext>) throws(Trap) {
        let id = ctx.pointee.typeIDs[type]
        guard case .array(let element)? = types.compositeType(at: UInt32(truncatingIfNeeded: id)) else { throw Trap(.typeMismatch) }
        let width = element.storage.slotCount
        func array(_ bits: UInt64) throws(Trap) -> UnsafeMutablePointer<UInt64> {
            guard let object = UnsafeMutablePointer<UInt64>(bitPattern: UInt(bits)) else { throw Trap(.nullArrayReference) }
            return object
        }
        switch operation {
        case .newData, .newElem:
            let offset = o[0], length = o[1]
            if operation == .newData {
                let data = ctx.pointee.datas[segment]
                let size = UInt64(element.storage.byteSize)
                let (bytes, overflow) = length.multipliedReportingOverflow(by: size)
                guard !overflow, VMBounds.contains(offset, bytes, UInt64(data.count)) else { throw Trap(.outOfBoundsMemoryAccess) }
                let object = try allocateObject(typeID: id, length: length, slots: length * UInt64(width), runningFrame: result + 1)
                if let source = data.bytes {
                    ObjectLayout.copy(from: source + Int(offset), size: Int(size), count: Int(length), to: object + ObjectLayout.fields)
                }
                result.pointee = UInt64(UInt(bitPattern: object))
            } else {
                let items = ctx.pointee.elements[segment]
                guard VMBounds.contains(offset, length, UInt64(items.count)) else { throw Trap(.outOfBoundsTableAccess) }
                let object = try allocateObject(typeID: id, length: length, slots: length, runningFrame: result + 1)
                if let source = items.items, length > 0 {
                    (object + ObjectLayout.fields).update(from: source + Int(offset), count: Int(length))
                }
                result.pointee = UInt64(UInt(bitPattern: object))
            }
        case .initData, .initElem:
            let object = try array(o[0])
            let d = o[1], s = o[2], n = o[3]
            guard VMBounds.contains(d, n, object[ObjectLayout.length]) else { throw Trap(.outOfBoundsArrayAccess) }
            if operation == .initData {
                let data = ctx.pointee.datas[segment]
                let size = element.storage.byteSize
                guard VMBounds.contains(s, n &* UInt64(size), UInt64(data.count)), n <= UInt64(UInt32.max) else {
                    throw Trap(.outOfBoundsMemoryAccess)
                }
                if let source = data.bytes {
                    ObjectLayout.copy(from: source + Int(s), size: size, count: Int(n), to: object + ObjectLayout.fields + Int(d) * width)
                }
            } else {
                let items = ctx.pointee.elements[segment]
                guard VMBounds.contains(s, n, UInt64(items.count)) else { throw Trap(.outOfBoundsTableAccess) }
                if let source = items.items, n > 0 {
                    (object + ObjectLayout.fields + Int(d)).update(from: source + Int(s), count: Int(n))
                }
            }
        case .copy:
            let destination = try array(o[0]), source = try array(o[2])
            let d = o[1], s = o[3], n = o[4]
            guard VMBounds.contains(d, n, destination[ObjectLayout.length]), VMBounds.contains(s, n, source[ObjectLayout.length]) else {
                throw Trap(.outOfBoundsArrayAccess)
            }
            if n > 0 {
                UnsafeMutableRawPointer(destination + ObjectLayout.fields + Int(d) * width)
                    .copyMemory(from: source + ObjectLayout.fields + Int(s) * width, byteCount: Int(n) * width * 8)
            }
        case .fill:
            let object = try array(o[0])
            let offset = o[1], value = o + 2, count = o[2 + width]
            guard VMBounds.contains(offset, count, object[ObjectLayout.length]) else { throw Trap(.outOfBoundsArrayAccess) }
            var p = object + ObjectLayout.fields + Int(offset) * width
            for _ in 0..<Int(count) {
                p.update(from: value, count: width)
                p += width
            }
        }
    }
}

extension StorageType {
    /// The bytes an element takes in a data segment.
    package var byteSize: Int {
        switch self {
        case .i8: return 1
        case .i16: return 2
        case .value(let t):
            switch t {
            case .i32, .f32: return 4
            case .v128: return 16
            default: return 8
            }
        }
    }
}

extension ObjectLayout {
    /// Copies `count` little-endian elements of `size` bytes into slots (a
    /// 16-byte element takes two).
    package static func copy(from source: UnsafeRawPointer, size: Int, count: Int, to destination: UnsafeMutablePointer<UInt64>) {
        for i in 0..<count {
            let p = source + i * size
            switch size {
            case 1: destination[i] = UInt64(p.loadUnaligned(as: UInt8.self))
            case 2: destination[i] = UInt64(p.loadUnaligned(as: UInt16.self))
            case 4: destination[i] = UInt64(p.loadUnaligned(as: UInt32.self))
            case 8: destination[i] = p.loadUnaligned(as: UInt64.self)
            default:
                destination[2 * i] = p.loadUnaligned(as: UInt64.self)
                destination[2 * i + 1] = p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            }
        }
    }
}
