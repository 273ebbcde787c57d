import WasmSyntax
import WasmBinary

/// The operand values where backends go wrong, by kind: the classes of the
/// single-instruction generator, and the second axis of its coverage
/// (opcodes × classes).
public enum BoundaryClass: String, CaseIterable, Sendable, Comparable {
    // Numbers (for floats: +0, 1.0, -1.0, the most negative finite, the
    // largest finite).
    case zero, one, minusOne, min, max
    /// 0, 31, 32, 63 or 64: where shift and rotate counts wrap.
    case shiftCount = "shift-count"
    /// Floats only.
    case negativeZero = "negative-zero", infinity, negativeInfinity = "negative-infinity"
    case smallestSubnormal = "smallest-subnormal"
    /// ±2^31, 2^32, ±2^63, 2^64 and their neighbours: the edges of
    /// float-to-integer conversions.
    case integerEdge = "integer-edge"
    case canonicalNaN = "canonical-nan", negativeNaN = "negative-nan"
    case payloadNaN = "payload-nan", signallingNaN = "signalling-nan"
    /// Vectors: lanes at the signed/unsigned extremes of i8 and i16
    /// (0x80, 0x7F, 0xFF, 0x8000, 0x7FFF, 0xFFFF), where saturation bites.
    case laneExtremes = "lane-extremes"
    /// Lane immediates: the first and the last lane.
    case firstLane = "first-lane", lastLane = "last-lane"
    /// Memory addresses: the last access that fits, one byte past it,
    /// and an address plus offset beyond 2^32 (which must not wrap).
    case memoryEnd = "memory-end", pastMemoryEnd = "past-memory-end", offsetOverflow = "offset-overflow"
    case random

    public static func < (a: BoundaryClass, b: BoundaryClass) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The classes that make sense for an operand of `type`.
    public static func applicable(to type: ValueType) -> [BoundaryClass] {
        switch type {
        case .i32, .i64: return [.zero, .one, .minusOne, .min, .max, .shiftCount, .random]
        case .f32, .f64:
            return [.zero, .one, .minusOne, .min, .max, .negativeZero, .infinity, .negativeInfinity, .smallestSubnormal,
                    .integerEdge, .canonicalNaN, .negativeNaN, .payloadNaN, .signallingNaN, .random]
        case .v128: return [.zero, .minusOne, .laneExtremes, .canonicalNaN, .payloadNaN, .signallingNaN, .random]
        default: return []
        }
    }

    /// Whether operands of this class are NaNs that are not canonical (an
    /// operation on them may give any quiet NaN).
    public var isNonCanonicalNaN: Bool { self == .payloadNaN || self == .signallingNaN }
}

/// A module around one instruction, for backends: the instruction applied
/// to constant operands chosen from boundary classes, once with the
/// constants in place (where a compiler folds them or encodes immediates)
/// and once with them passed as parameters of a function (where it loads
/// them into registers). Float vectors come back lane by lane, so the
/// oracle compares them as floats.
public struct SingleInstructionCase: Sendable {
    public var module: Module
    public var opcode: Opcode
    /// The class of each operand, then of the lane or address immediate.
    public var classes: [BoundaryClass]
    /// Whether some operand is a NaN that is not canonical: the result's
    /// NaN class is then the engine's choice among arithmetic NaNs. Found
    /// from the operands' bits, not their classes: an all-ones vector or a
    /// random one holds NaN lanes with payloads too.
    public var nonCanonicalNaNOperand: Bool
}

/// Makes `SingleInstructionCase`s for every instruction with a fixed
/// signature (numeric, vector, `ref.i31`) and every load and store.
public struct SingleInstructionGenerator: Sendable {
    /// The instructions it covers with the features it was given.
    public let opcodes: [Opcode]
    public let features: Features
    /// The page the memory has; accesses near its end test bounds checks.
    static let memoryBytes: UInt64 = 65536

    public init(features: Features) {
        self.features = features
        let accesses = Set(CodeGenerator.scalarAccesses.map(\.0) + CodeGenerator.vectorAccesses.map(\.0)
                           + CodeGenerator.laneAccesses.map(\.0))
        opcodes = Opcode.allCases.filter { op in
            guard features.isSuperset(of: op.feature) else { return false }
            if accesses.contains(op) { return true }
            guard let sig = op.signature else { return false }
            return sig.params.allSatisfy { !BoundaryClass.applicable(to: $0).isEmpty }
        }
    }

    /// Every (opcode, class) pair a case can cover: the classes of each
    /// operand type, lane immediates, address classes.
    public var coverageSpace: [Opcode: Set<BoundaryClass>] {
        var out: [Opcode: Set<BoundaryClass>] = [:]
        for op in opcodes {
            var classes = Set<BoundaryClass>()
            let (params, _) = Self.signature(op)
            for p in params.dropFirst(Self.access(op) != nil ? 1 : 0) { classes.formUnion(BoundaryClass.applicable(to: p)) }
            if Self.access(op) != nil { classes.formUnion([.zero, .memoryEnd, .pastMemoryEnd, .offsetOverflow]) }
            if op.immediateKind == .lane || op.immediateKind == .memargLane { classes.formUnion([.firstLane, .lastLane]) }
            out[op] = classes
        }
        return out
    }

    /// Loads and stores: (bytes accessed, is a store).
    static func access(_ op: Opcode) -> (bytes: Int, isStore: Bool)? {
        if let a = CodeGenerator.scalarAccesses.first(where: { $0.0 == op }) { return (a.2, a.3) }
        if let a = CodeGenerator.vectorAccesses.first(where: { $0.0 == op }) { return (a.2, a.3) }
        if let a = CodeGenerator.laneAccesses.first(where: { $0.0 == op }) { return (a.1, a.2) }
        return nil
    }

    /// Operand and result types (an i32 address first for accesses).
    static func signature(_ op: Opcode) -> (params: [ValueType], results: [ValueType]) {
        if let a = CodeGenerator.scalarAccesses.first(where: { $0.0 == op }) {
            return a.3 ? ([.i32, a.1], []) : ([.i32], [a.1])
        }
        if let a = CodeGenerator.vectorAccesses.first(where: { $0.0 == op }) {
            return a.3 ? ([.i32, .v128], []) : ([.i32], [.v128])
        }
        if let a = CodeGenerator.laneAccesses.first(where: { $0.0 == op }) {
            return a.2 ? ([.i32, .v128], []) : ([.i32, .v128], [.v128])
        }
        let sig = op.signature ?? FuncType(params: [], results: [])
        return (sig.params, sig.results)
    }

    /// Whether a v128 result holds float lanes (and is split into them):
    /// f32x4/f64x2 operations other than comparisons, whose all-ones masks
    /// would look like NaNs.
    static func floatLanes(_ op: Opcode) -> ValueType? {
        let name = op.mnemonic
        let comparisons = [".eq", ".ne", ".lt", ".gt", ".le", ".ge"]
        guard Self.signature(op).results == [.v128], !comparisons.contains(where: name.hasSuffix),
              !name.contains("extract") else { return nil }
        if name.hasPrefix("f32x4.") { return .f32 }
        if name.hasPrefix("f64x2.") { return .f64 }
        return nil
    }

    public func generate(_ bytes: [UInt8]) -> SingleInstructionCase {
        var u = ByteSource(bytes)
        let op = opcodes[(Int(u.byte()) << 8 | Int(u.byte())) % opcodes.count]
        let (params, results) = Self.signature(op)
        let access = Self.access(op)
        var classes: [BoundaryClass] = []
        var operands: [Instruction] = []
        var immediate: Immediate = .none

        var memarg = MemArg(align: 0)
        if let access {
            memarg.align = UInt32(access.bytes.trailingZeroBitCount)
            let c: BoundaryClass = [.zero, .memoryEnd, .pastMemoryEnd, .offsetOverflow][u.index(4)]
            classes.append(c)
            let end = Self.memoryBytes - UInt64(access.bytes)
            let address: UInt32
            switch c {
            case .memoryEnd:
                memarg.offset = u.bool() ? 0 : UInt64(u.index(16))
                address = UInt32(end - memarg.offset)
            case .pastMemoryEnd:
                memarg.offset = u.bool() ? 0 : UInt64(u.index(16))
                address = UInt32(end - memarg.offset + 1)
            case .offsetOverflow:
                // address + offset reaches past 2^32: a 32-bit add wraps to
                // a small, in-bounds address.
                memarg.offset = [0xFFFF_FFFF, 0xFFFF_FFF0, 0x1_0000][u.index(3)]
                address = UInt32(truncatingIfNeeded: 0x1_0000_0000 - memarg.offset + UInt64(u.index(8)))
            default:
                address = 0
            }
            operands.append(Instruction(.i32Const, .i32(Int32(bitPattern: address))))
        }
        for p in params.dropFirst(access != nil ? 1 : 0) {
            let choices = BoundaryClass.applicable(to: p)
            let c = choices[u.index(choices.count)]
            classes.append(c)
            operands.append(Self.constant(p, c, &u))
        }
        switch op.immediateKind {
        case .lane, .memargLane:
            let lanes = op.immediateKind == .lane ? CodeGenerator.laneCount(op) : 16 / (access?.bytes ?? 1)
            let first = u.bool()
            classes.append(first ? .firstLane : .lastLane)
            immediate = op.immediateKind == .lane ? .lane(UInt8(first ? 0 : lanes - 1))
                                                  : .memargLane(memarg, lane: UInt8(first ? 0 : lanes - 1))
        case .memarg:
            immediate = .memarg(memarg)
        case .shuffle:
            var lanes: [UInt8] = []
            for i in 0..<16 { lanes.append(u.bool() ? UInt8(31 - i) : UInt8(u.index(32))) }
            immediate = .v128(V128(bytes: lanes))
        case .i32:
            let c: BoundaryClass = [.zero, .one, .minusOne, .min, .max, .random][u.index(6)]
            classes.append(c)
            immediate = Self.constant(.i32, c, &u).immediate
        case .i64:
            let c: BoundaryClass = [.zero, .one, .minusOne, .min, .max, .random][u.index(6)]
            classes.append(c)
            immediate = Self.constant(.i64, c, &u).immediate
        case .f32, .f64:
            let t: ValueType = op.immediateKind == .f32 ? .f32 : .f64
            let choices = BoundaryClass.applicable(to: t)
            let c = choices[u.index(choices.count)]
            classes.append(c)
            immediate = Self.constant(t, c, &u).immediate
        case .v128:
            let choices = BoundaryClass.applicable(to: .v128)
            let c = choices[u.index(choices.count)]
            classes.append(c)
            immediate = Self.constant(.v128, c, &u).immediate
        default:
            break
        }
        return SingleInstructionCase(module: Self.module(op, immediate: immediate, params: params, results: results,
                                                         operands: operands),
                                     opcode: op, classes: classes,
                                     nonCanonicalNaNOperand: operands.contains(where: Self.holdsNonCanonicalNaN))
    }

    /// Whether a constant is, or has a lane (as f32x4 or as f64x2) that is,
    /// a NaN other than a canonical one.
    static func holdsNonCanonicalNaN(_ constant: Instruction) -> Bool {
        func f32(_ b: UInt32) -> Bool { b & 0x7F80_0000 == 0x7F80_0000 && b & 0x007F_FFFF != 0 && b & 0x7FFF_FFFF != 0x7FC0_0000 }
        func f64(_ b: UInt64) -> Bool {
            b & 0x7FF0_0000_0000_0000 == 0x7FF0_0000_0000_0000 && b & 0x000F_FFFF_FFFF_FFFF != 0
                && b & 0x7FFF_FFFF_FFFF_FFFF != 0x7FF8_0000_0000_0000
        }
        switch constant.immediate {
        case .f32(let b): return f32(b)
        case .f64(let b): return f64(b)
        case .v128(let v):
            return f64(v.lo) || f64(v.hi) || [v.lo, v.lo >> 32, v.hi, v.hi >> 32].contains { f32(UInt32(truncatingIfNeeded: $0)) }
        default: return false
        }
    }

    /// A constant of `type` in class `c`.
    static func constant(_ type: ValueType, _ c: BoundaryClass, _ u: inout ByteSource) -> Instruction {
        switch type {
        case .i32:
            let v: UInt32
            switch c {
            case .zero: v = 0
            case .one: v = 1
            case .minusOne: v = 0xFFFF_FFFF
            case .min: v = 0x8000_0000
            case .max: v = 0x7FFF_FFFF
            case .shiftCount: v = [0, 31, 32, 63, 64][u.index(5)]
            default: v = u.u32()
            }
            return Instruction(.i32Const, .i32(Int32(bitPattern: v)))
        case .i64:
            let v: UInt64
            switch c {
            case .zero: v = 0
            case .one: v = 1
            case .minusOne: v = UInt64.max
            case .min: v = 0x8000_0000_0000_0000
            case .max: v = 0x7FFF_FFFF_FFFF_FFFF
            case .shiftCount: v = [0, 31, 32, 63, 64][u.index(5)]
            default: v = u.u64()
            }
            return Instruction(.i64Const, .i64(Int64(bitPattern: v)))
        case .f32:
            return Instruction(.f32Const, .f32(f32Bits(c, &u)))
        case .f64:
            return Instruction(.f64Const, .f64(f64Bits(c, &u)))
        default:
            let v: V128
            switch c {
            case .zero: v = .zero
            case .minusOne: v = V128(lo: .max, hi: .max)
            case .laneExtremes:
                let extremes: [UInt8] = [0x80, 0x7F, 0xFF, 0x00, 0x01, 0xFE, 0x81]
                var lanes: [UInt8] = []
                for _ in 0..<16 { lanes.append(extremes[u.index(extremes.count)]) }
                v = V128(bytes: lanes)
            case .canonicalNaN, .payloadNaN, .signallingNaN:
                // NaNs in some float lanes, numbers in the others.
                let f32 = u.bool()
                var lo: UInt64 = 0, hi: UInt64 = 0
                if f32 {
                    var lanes: [UInt64] = []
                    for _ in 0..<4 { lanes.append(UInt64(u.bool() ? f32Bits(c, &u) : f32Bits(.one, &u))) }
                    lo = lanes[0] | lanes[1] << 32
                    hi = lanes[2] | lanes[3] << 32
                } else {
                    lo = u.bool() ? f64Bits(c, &u) : f64Bits(.minusOne, &u)
                    hi = f64Bits(c, &u)
                }
                v = V128(lo: lo, hi: hi)
            default: v = V128(lo: u.u64(), hi: u.u64())
            }
            return Instruction(.v128Const, .v128(v))
        }
    }

    static func f32Bits(_ c: BoundaryClass, _ u: inout ByteSource) -> UInt32 {
        switch c {
        case .zero: return 0
        case .negativeZero: return 0x8000_0000
        case .one: return 0x3F80_0000
        case .minusOne: return 0xBF80_0000
        case .min: return 0xFF7F_FFFF
        case .max: return 0x7F7F_FFFF
        case .infinity: return 0x7F80_0000
        case .negativeInfinity: return 0xFF80_0000
        case .smallestSubnormal: return u.bool() ? 1 : 0x8000_0001
        case .integerEdge:
            // ±2^31, 2^32, ±2^63, 2^64, the floats just below 2^31 and 2^63, -1 + ulp.
            return [0x4F00_0000, 0xCF00_0000, 0x4F80_0000, 0x5F00_0000, 0xDF00_0000, 0x5F80_0000, 0x4EFF_FFFF,
                    0x5EFF_FFFF, 0xBF7F_FFFF, 0xCF00_0001][u.index(10)]
        case .canonicalNaN: return 0x7FC0_0000
        case .negativeNaN: return 0xFFC0_0000
        case .payloadNaN: return 0x7FC0_0000 | (1 + u.u32() % 0x3F_FFFF) | (u.bool() ? 0x8000_0000 : 0)
        case .signallingNaN: return 0x7F80_0000 | (1 + u.u32() % 0x3F_FFFF) | (u.bool() ? 0x8000_0000 : 0)
        default: return u.u32()
        }
    }

    static func f64Bits(_ c: BoundaryClass, _ u: inout ByteSource) -> UInt64 {
        switch c {
        case .zero: return 0
        case .negativeZero: return 0x8000_0000_0000_0000
        case .one: return 0x3FF0_0000_0000_0000
        case .minusOne: return 0xBFF0_0000_0000_0000
        case .min: return 0xFFEF_FFFF_FFFF_FFFF
        case .max: return 0x7FEF_FFFF_FFFF_FFFF
        case .infinity: return 0x7FF0_0000_0000_0000
        case .negativeInfinity: return 0xFFF0_0000_0000_0000
        case .smallestSubnormal: return u.bool() ? 1 : 0x8000_0000_0000_0001
        case .integerEdge:
            // ±2^31 and neighbours (exact in f64), 2^32, ±2^63, 2^64, -1 + ulp.
            return [0x41E0_0000_0000_0000, 0xC1E0_0000_0000_0000, 0x41DF_FFFF_FFC0_0000, 0xC1E0_0000_0020_0000,
                    0x41F0_0000_0000_0000, 0x43E0_0000_0000_0000, 0xC3E0_0000_0000_0000, 0x43F0_0000_0000_0000,
                    0x43DF_FFFF_FFFF_FFFF, 0xBFEF_FFFF_FFFF_FFFF][u.index(10)]
        case .canonicalNaN: return 0x7FF8_0000_0000_0000
        case .negativeNaN: return 0xFFF8_0000_0000_0000
        case .payloadNaN:
            return 0x7FF8_0000_0000_0000 | (1 + u.u64() % 0x7_FFFF_FFFF_FFFF) | (u.bool() ? 1 << 63 : 0)
        case .signallingNaN:
            return 0x7FF0_0000_0000_0000 | (1 + u.u64() % 0x7_FFFF_FFFF_FFFF) | (u.bool() ? 1 << 63 : 0)
        default: return u.u64()
        }
    }

    /// The module: export "c" applies the instruction to constants, "p"
    /// passes them to a function that applies it to its parameters; the
    /// memory (exported, so the oracle compares it after each call) has
    /// recognisable bytes at both ends.
    static func module(_ op: Opcode, immediate: Immediate, params: [ValueType], results: [ValueType],
                       operands: [Instruction]) -> Module {
        let lanes = floatLanes(op)
        let shown: [ValueType] = lanes.map { Array(repeating: $0, count: $0 == .f32 ? 4 : 2) } ?? results
        func body(_ load: [Instruction], vectorLocal: UInt32) -> ArraySlice<UInt8> {
            var w = BinaryWriter()
            for i in load { w.instruction(i) }
            w.instruction(Instruction(op, immediate))
            if let lanes {
                w.instruction(Instruction(.localSet, .index(vectorLocal)))
                for lane in 0..<(lanes == .f32 ? 4 : 2) {
                    w.instruction(Instruction(.localGet, .index(vectorLocal)))
                    w.instruction(Instruction(lanes == .f32 ? .f32x4ExtractLane : .f64x2ExtractLane, .lane(UInt8(lane))))
                }
            }
            w.instruction(Instruction(.end))
            return w.bytes[...]
        }
        func group(_ params: [ValueType], _ results: [ValueType]) -> RecGroup {
            RecGroup(types: [SubType(composite: .func(FuncType(params: params, results: results)))])
        }
        var module = Module()
        module.types = [group([], shown), group(params, shown)]
        let scratch = lanes == nil ? [] : [LocalRun(count: 1, type: .v128)]
        let gets = params.indices.map { Instruction(.localGet, .index(UInt32($0))) }
        var call = BinaryWriter()
        for i in operands { call.instruction(i) }
        call.instruction(Instruction(.call, .index(1)))
        call.instruction(Instruction(.end))
        module.functions = [Function(typeIndex: 0, locals: scratch, body: body(operands, vectorLocal: 0)),
                            Function(typeIndex: 1, locals: scratch, body: body(gets, vectorLocal: UInt32(params.count))),
                            Function(typeIndex: 0, locals: [], body: call.bytes[...])]
        module.memories = [MemoryType(limits: Limits(min: 1, max: 1))]
        let edge: [UInt8] = [0x80, 0x7F, 0xFF, 0x00, 0x01, 0xFE, 0x81, 0x7F, 0xC0, 0x7F, 0x80, 0xFF, 0x00, 0x00, 0xF0, 0x7F]
        module.datas = [DataSegment(mode: .active(memory: 0, offset: [Instruction(.i32Const, .i32(0))]), bytes: edge + edge),
                       DataSegment(mode: .active(memory: 0, offset: [Instruction(.i32Const, .i32(65536 - 32))]), bytes: edge + edge)]
        module.exports = [Export(name: "c", descriptor: .function(0)), Export(name: "p", descriptor: .function(2)),
                          Export(name: "m", descriptor: .memory(0))]
        return module
    }
}
