/// One instruction: an opcode and its immediate operands.
///
/// This is the instruction *AST*, used by the text parser, the generator, the
/// printer and the reducer. Execution never runs from it: validation and
/// translation read function bodies as bytes in one streaming pass (see
/// docs/architecture.md, decision 1), and the binary reader yields these values one at
/// a time without building arrays.
///
/// Block structure is flat, as in the binary format: `block`, `loop`, `if`,
/// `try_table`, `try` open a frame that `end` closes (`else`, `catch`,
/// `catch_all` and `delegate` separate or close parts of it).
public struct Instruction: Hashable, Sendable {
    public var opcode: Opcode
    public var immediate: Immediate

    public init(_ opcode: Opcode, _ immediate: Immediate = .none) {
        self.opcode = opcode
        self.immediate = immediate
    }
}

/// The immediate operands of an instruction. Which case an opcode carries is
/// fixed by its `ImmediateKind` (see `Opcode.immediateKind`).
///
/// Two-index immediates keep the *binary* order of their indices:
/// - `call_indirect`, `return_call_indirect`: (type, table)
/// - `memory.init`: (data, memory); `table.init`: (elem, table)
/// - `memory.copy`, `table.copy`: (destination, source)
/// - `struct.get`/`set`: (type, field); `array.new_fixed`: (type, count)
/// - `array.new_data`/`init_data`: (type, data); `..._elem`: (type, elem)
/// - `array.copy`: (destination type, source type)
public enum Immediate: Hashable, Sendable {
    case none
    case index(UInt32)
    case indexPair(UInt32, UInt32)
    case block(BlockType)
    case brTable(targets: [UInt32], defaultTarget: UInt32)
    case tryTable(BlockType, [Catch])
    case memarg(MemArg)
    case memargLane(MemArg, lane: UInt8)
    case lane(UInt8)
    case i32(Int32)
    case i64(Int64)
    /// The bit pattern, so that NaN payloads survive.
    case f32(UInt32)
    /// The bit pattern, so that NaN payloads survive.
    case f64(UInt64)
    /// `v128.const` and the sixteen lane indices of `i8x16.shuffle`.
    case v128(V128)
    case valueTypes([ValueType])
    case heapType(HeapType)
    case brOnCast(label: UInt32, from: RefType, to: RefType)
}

/// The shapes of immediates, one per encoding. The binary reader and
/// writer, the text parser and the printer switch over this.
public enum ImmediateKind: Hashable, Sendable {
    case none
    case block
    case tryTable
    case label
    case brTable
    case function
    case callIndirect
    case type
    case local
    case global
    case table
    case memory
    case tag
    case elem
    case data
    case valueTypes
    case memarg
    case memargLane
    case lane
    case shuffle
    case i32, i64, f32, f64, v128
    case heapType
    case brOnCast
    case typeField
    case typeCount
    case typeData
    case typeElem
    case typeType
    case memoryInit
    case memoryCopy
    case tableInit
    case tableCopy
}

public enum BlockType: Hashable, Sendable {
    case empty
    case value(ValueType)
    /// An index into the type section (a function type).
    case typeIndex(UInt32)
}

public struct MemArg: Hashable, Sendable {
    /// log2 of the alignment.
    public var align: UInt32
    public var offset: UInt64
    public var memory: UInt32

    public init(align: UInt32, offset: UInt64 = 0, memory: UInt32 = 0) {
        self.align = align
        self.offset = offset
        self.memory = memory
    }
}

/// A catch clause of `try_table`.
public enum Catch: Hashable, Sendable {
    case `catch`(tag: UInt32, label: UInt32)
    case catchRef(tag: UInt32, label: UInt32)
    case catchAll(label: UInt32)
    case catchAllRef(label: UInt32)

    public var label: UInt32 {
        switch self {
        case .catch(_, let l), .catchRef(_, let l), .catchAll(let l), .catchAllRef(let l): return l
        }
    }
}

/// A 128-bit vector value, stored little-endian: `lo` holds bytes 0-7.
public struct V128: Hashable, Sendable {
    public var lo: UInt64
    public var hi: UInt64

    public init(lo: UInt64, hi: UInt64) {
        self.lo = lo
        self.hi = hi
    }

    public static let zero = V128(lo: 0, hi: 0)

    public init(bytes: some Collection<UInt8>) {
        precondition(bytes.count == 16)
        var lo: UInt64 = 0, hi: UInt64 = 0
        for (i, b) in bytes.enumerated() {
            if i < 8 { lo |= UInt64(b) << (8 * UInt64(i)) } else { hi |= UInt64(b) << (8 * UInt64(i - 8)) }
        }
        self.init(lo: lo, hi: hi)
    }

    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            out[i] = UInt8(truncatingIfNeeded: lo >> UInt64(8 * i))
            out[i + 8] = UInt8(truncatingIfNeeded: hi >> UInt64(8 * i))
        }
        return out
    }
}

/// A constant expression (global initialisers, segment offsets, table
/// initialisers, element expressions): the instructions without the final
/// `end`.
public typealias ConstExpression = [Instruction]

extension Instruction {
    /// A scalar constant's type and bits (an i32 zero-extended, floats by
    /// their bit patterns): what every tier keeps of `i32.const` ...
    /// `f64.const`. Nil for any other instruction.
    public var scalarConstant: (type: ValueType, bits: UInt64)? {
        switch immediate {
        case .i32(let v) where opcode == .i32Const: return (.i32, UInt64(UInt32(bitPattern: v)))
        case .i64(let v) where opcode == .i64Const: return (.i64, UInt64(bitPattern: v))
        case .f32(let bits) where opcode == .f32Const: return (.f32, UInt64(bits))
        case .f64(let bits) where opcode == .f64Const: return (.f64, bits)
        default: return nil
        }
    }
}
