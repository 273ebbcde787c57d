import WasmEngines
import WasmGenerator
import WasmSyntax

/// Call arguments derived from a case's seed and the export's name: a
/// SplitMix64 stream that favours the values where engines tend to go
/// wrong (zero, ±1, extremes, sizes and ends of memory pages, NaNs, signed
/// zeros) over uniform ones.
struct ArgumentSource {
    private var random: SplitMix64

    init(seed: UInt64, export name: String) {
        var h = ContentHash()
        h.update(Array(name.utf8))
        random = SplitMix64(seed: seed ^ h.value)
    }

    mutating func next() -> UInt64 { random.next() }

    mutating func below(_ n: Int) -> Int { random.below(n) }

    static let interestingI64: [UInt64] = {
        var values: [UInt64] = [0, 1, 2, 7, 8, 16, 31, 32, 63, 64, 255, 256, 0x7FFF, 0x8000, 0xFFFF,
                                0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000,
                                0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000]
        // Near the end of one to four 64 KiB pages, where bounds checks bite.
        for pages in 1...4 {
            for back in [1, 2, 3, 4, 8, 16] { values.append(UInt64(pages * 65536 - back)) }
            values.append(UInt64(pages * 65536))
        }
        return values + values.map { 0 &- $0 }
    }()

    mutating func integer() -> UInt64 {
        switch below(8) {
        case 0...4: return Self.interestingI64[below(Self.interestingI64.count)]
        case 5: return UInt64(below(256))
        default: return next()
        }
    }

    static let interestingF32: [UInt32] = [0, 0x8000_0000, 0x3F80_0000, 0xBF80_0000, 0x7F80_0000, 0xFF80_0000,
                                           0x7FC0_0000, 0xFFC0_0000, 0x7FA0_0000, 0x0000_0001, 0x7F7F_FFFF,
                                           0x4F00_0000, 0xCF00_0000, 0x3F00_0000, 0x4B80_0000]
    static let interestingF64: [UInt64] = [0, 0x8000_0000_0000_0000, 0x3FF0_0000_0000_0000, 0xBFF0_0000_0000_0000,
                                           0x7FF0_0000_0000_0000, 0xFFF0_0000_0000_0000, 0x7FF8_0000_0000_0000,
                                           0xFFF8_0000_0000_0000, 0x7FF4_0000_0000_0000, 1, 0x7FEF_FFFF_FFFF_FFFF,
                                           0x41E0_0000_0000_0000, 0xC3E0_0000_0000_0000, 0x3FE0_0000_0000_0000]

    /// An argument of `type`; nil for a non-nullable reference (the export
    /// cannot be called from outside).
    mutating func value(_ type: ValueType, types: [SubType]) -> EngineValue? {
        switch type {
        case .i32: return .i32(UInt32(truncatingIfNeeded: integer()))
        case .i64: return .i64(integer())
        case .f32:
            switch below(4) {
            case 0, 1: return .f32(Self.interestingF32[below(Self.interestingF32.count)])
            case 2: return .f32(Float(Int32(truncatingIfNeeded: integer())).bitPattern)
            default: return .f32(UInt32(truncatingIfNeeded: next()))
            }
        case .f64:
            switch below(4) {
            case 0, 1: return .f64(Self.interestingF64[below(Self.interestingF64.count)])
            case 2: return .f64(Double(Int64(bitPattern: integer())).bitPattern)
            default: return .f64(next())
            }
        case .v128:
            return below(3) == 0 ? .v128(.zero) : .v128(V128(lo: integer(), hi: next()))
        case .ref:
            return EngineValue.zero(of: type, types: types)
        }
    }

    /// Arguments for every parameter, or nil if one cannot be made.
    mutating func arguments(_ params: [ValueType], types: [SubType]) -> [EngineValue]? {
        var out: [EngineValue] = []
        out.reserveCapacity(params.count)
        for p in params {
            guard let v = value(p, types: types) else { return nil }
            out.append(v)
        }
        return out
    }
}
