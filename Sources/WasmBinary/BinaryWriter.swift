import WasmSyntax

/// Appends WebAssembly binary encodings to a byte buffer.
public struct BinaryWriter {
    public var bytes: [UInt8]

    public init(bytes: [UInt8] = []) { self.bytes = bytes }

    public mutating func byte(_ b: UInt8) { bytes.append(b) }

    public mutating func append(_ b: some Sequence<UInt8>) { bytes.append(contentsOf: b) }

    public mutating func u32(_ value: UInt32) { u64(UInt64(value)) }

    public mutating func u64(_ value: UInt64) {
        var v = value
        repeat {
            var b = UInt8(v & 0x7F)
            v >>= 7
            if v != 0 { b |= 0x80 }
            bytes.append(b)
        } while v != 0
    }

    public mutating func s32(_ value: Int32) { s64(Int64(value)) }

    public mutating func s64(_ value: Int64) {
        var v = value
        while true {
            let b = UInt8(v & 0x7F)
            v >>= 7
            if (v == 0 && b & 0x40 == 0) || (v == -1 && b & 0x40 != 0) {
                bytes.append(b)
                return
            }
            bytes.append(b | 0x80)
        }
    }

    public mutating func f32(_ bits: UInt32) {
        for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt32(i)))) }
    }

    public mutating func f64(_ bits: UInt64) {
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(i)))) }
    }

    public mutating func name(_ s: String) {
        let utf8 = Array(s.utf8)
        u32(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    public mutating func vector<T>(_ items: [T], _ each: (inout BinaryWriter, T) -> Void) {
        u32(UInt32(items.count))
        for item in items { each(&self, item) }
    }

    public mutating func heapType(_ t: HeapType) {
        switch t {
        case .abstract(let a): byte(a.binaryCode)
        case .concrete(let i): s64(Int64(i))
        }
    }

    public mutating func refType(_ t: RefType) {
        // The short forms (funcref = 0x70, ...) for nullable abstract types.
        if t.nullable, case .abstract(let a) = t.heapType {
            byte(a.binaryCode)
            return
        }
        byte(t.nullable ? 0x63 : 0x64)
        heapType(t.heapType)
    }

    public mutating func valueType(_ t: ValueType) {
        switch t {
        case .i32: byte(0x7F)
        case .i64: byte(0x7E)
        case .f32: byte(0x7D)
        case .f64: byte(0x7C)
        case .v128: byte(0x7B)
        case .ref(let r): refType(r)
        }
    }

    public mutating func blockType(_ t: BlockType) {
        switch t {
        case .empty: byte(0x40)
        case .value(let v): valueType(v)
        case .typeIndex(let i): s64(Int64(i))
        }
    }

    public mutating func memarg(_ m: MemArg) {
        if m.memory == 0 {
            u32(m.align)
        } else {
            u32(m.align | 0x40)
            u32(m.memory)
        }
        u64(m.offset)
    }

    /// Encodes one instruction (for `end`, `else` etc. just the opcode).
    public mutating func instruction(_ inst: Instruction) {
        let op = inst.opcode
        if op.prefix == 0 {
            byte(UInt8(op.code))
        } else {
            byte(op.prefix)
            u32(op.code)
        }
        switch inst.immediate {
        case .none:
            // memory.size/grow and memory.fill etc. always carry an index;
            // an AST built by hand may leave it out.
            switch op.immediateKind {
            case .memory, .table: u32(0)
            case .memoryCopy, .tableCopy: u32(0); u32(0)
            default: break
            }
        case .index(let i):
            u32(i)
        case .indexPair(let a, let b):
            u32(a); u32(b)
        case .block(let bt):
            blockType(bt)
        case .brTable(let targets, let d):
            vector(targets) { $0.u32($1) }
            u32(d)
        case .tryTable(let bt, let catches):
            blockType(bt)
            vector(catches) { w, c in
                switch c {
                case .catch(let t, let l): w.byte(0); w.u32(t); w.u32(l)
                case .catchRef(let t, let l): w.byte(1); w.u32(t); w.u32(l)
                case .catchAll(let l): w.byte(2); w.u32(l)
                case .catchAllRef(let l): w.byte(3); w.u32(l)
                }
            }
        case .memarg(let m):
            memarg(m)
        case .memargLane(let m, let lane):
            memarg(m); byte(lane)
        case .lane(let l):
            byte(l)
        case .i32(let v):
            s32(v)
        case .i64(let v):
            s64(v)
        case .f32(let bits):
            f32(bits)
        case .f64(let bits):
            f64(bits)
        case .v128(let v):
            append(v.bytes)
        case .valueTypes(let types):
            vector(types) { $0.valueType($1) }
        case .heapType(let h):
            heapType(h)
        case .brOnCast(let label, let from, let to):
            byte((from.nullable ? 1 : 0) | (to.nullable ? 2 : 0))
            u32(label)
            heapType(from.heapType)
            heapType(to.heapType)
        }
    }

    public mutating func expression(_ instructions: [Instruction]) {
        for i in instructions { instruction(i) }
        byte(0x0B)
    }
}
