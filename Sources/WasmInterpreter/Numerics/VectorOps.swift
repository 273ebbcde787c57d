import WasmSyntax

/// Exact WebAssembly semantics of the SIMD instructions (spec
/// exec/numerics.rst "Vector Operations", spectec/3.2-numerics.vector.spectec).
///
/// Each entry point takes the opcode at run time and switches over it; the
/// lane kernels are inlined into the switch, so a call costs one call, one
/// jump-table dispatch and no allocation. (The entry points are deliberately
/// not force-inlined: their switches are large, and copying them into the
/// interpreter loop would cost more than the call.) An opcode of the wrong
/// shape (never passed by the translator) gives a zero vector rather than a
/// crash.
///
/// Relaxed SIMD runs in the spec's *deterministic profile* (every relaxed
/// parameter `R` is 0, spec "Relaxed Operations"), which is also one of the
/// outcomes every `either` in the suite accepts:
/// - `relaxed_swizzle` = `swizzle` (out-of-range indices give 0);
/// - `relaxed_trunc*` = the saturating `trunc_sat*` (NaN gives 0);
/// - `relaxed_madd`/`nmadd` are unfused: `a * b + c` rounds twice;
/// - `relaxed_laneselect` = `bitselect` (every mask bit counts);
/// - `relaxed_min`/`max` = `min`/`max`;
/// - `relaxed_q15mulr_s` = `q15mulr_sat_s`;
/// - `relaxed_dot*` treat the second operand as signed and add pairs with
///   signed saturation into i16 lanes.
/// The same choice everywhere keeps the interpreter deterministic, so the
/// differential fuzzer can compare it with other tiers.
public enum VectorOps {
    /// Every `v128 -> v128` operator.
    public static func unary(_ op: Opcode, _ a: V128) -> V128 {
        unaryIfDefined(op, a) ?? V128.halves(0, 0)
    }

    /// Every `v128 v128 -> v128` operator except `i8x16.shuffle` (see `shuffle`).
    public static func binary(_ op: Opcode, _ a: V128, _ b: V128) -> V128 {
        binaryIfDefined(op, a, b) ?? V128.halves(0, 0)
    }

    /// Every `v128 v128 v128 -> v128` operator.
    public static func ternary(_ op: Opcode, _ a: V128, _ b: V128, _ c: V128) -> V128 {
        ternaryIfDefined(op, a, b, c) ?? V128.halves(0, 0)
    }

    /// The shifts; the count is taken modulo the lane width.
    public static func shift(_ op: Opcode, _ a: V128, _ count: UInt32) -> V128 {
        shiftIfDefined(op, a, count) ?? V128.halves(0, 0)
    }

    /// `v128.any_true`, `*.all_true` (1 or 0) and `*.bitmask`.
    public static func test(_ op: Opcode, _ a: V128) -> UInt32 {
        testIfDefined(op, a) ?? 0
    }

    /// `*.splat`; `x` holds the scalar's bits (an i32 or f32 in the low 32 bits).
    public static func splat(_ op: Opcode, _ x: UInt64) -> V128 {
        splatIfDefined(op, x) ?? V128.halves(0, 0)
    }

    /// `*.extract_lane*`; the result's bits, an i32 or f32 zero-extended from
    /// the low 32 bits. The lane index is reduced modulo the lane count.
    public static func extractLane(_ op: Opcode, _ a: V128, _ lane: UInt8) -> UInt64 {
        extractLaneIfDefined(op, a, lane) ?? 0
    }

    /// `*.replace_lane`; `x` holds the scalar's bits. The lane index is
    /// reduced modulo the lane count.
    public static func replaceLane(_ op: Opcode, _ a: V128, _ lane: UInt8, _ x: UInt64) -> V128 {
        replaceLaneIfDefined(op, a, lane, x) ?? V128.halves(0, 0)
    }

    /// `i8x16.shuffle`: byte `i` of the result is byte `lanes[i]` of the
    /// 32-byte concatenation `a ++ b`. Validation guarantees indices below
    /// 32; larger ones are reduced modulo 32.
    @inline(__always)
    public static func shuffle(_ a: V128, _ b: V128, lanes: V128) -> V128 {
        // Read both operands as one 32-byte table.
        let table = (a, b)
        return withUnsafeBytes(of: table) { t in
            V128(VectorLanes.read(lanes.u8) { s in
                VectorLanes.build(SIMD16<UInt8>.self) { r in
                    for i in 0..<16 { r[i] = t[Int(s[i] & 31)] }
                }
            })
        }
    }
}

// MARK: - Dispatch

extension VectorOps {
    /// `unary`, or nil for an opcode that is not a `v128 -> v128` operator.
    @inline(__always)
    static func unaryIfDefined(_ op: Opcode, _ a: V128) -> V128? {
        switch op {
        case .v128Not: return V128.halves(~a.lo, ~a.hi)

        case .i8x16Abs: return V128(VectorLanes.map(a.i8) { $0 < 0 ? 0 &- $0 : $0 })
        case .i16x8Abs: return V128(VectorLanes.map(a.i16) { $0 < 0 ? 0 &- $0 : $0 })
        case .i32x4Abs: return V128(VectorLanes.map(a.i32) { $0 < 0 ? 0 &- $0 : $0 })
        case .i64x2Abs: return V128(VectorLanes.map(a.i64) { $0 < 0 ? 0 &- $0 : $0 })
        case .i8x16Neg: return V128(0 &- a.u8)
        case .i16x8Neg: return V128(0 &- a.u16)
        case .i32x4Neg: return V128(0 &- a.u32)
        case .i64x2Neg: return V128(0 &- a.u64)
        case .i8x16Popcnt: return V128(VectorLanes.map(a.u8) { UInt8(truncatingIfNeeded: $0.nonzeroBitCount) })

        case .i16x8ExtendLowI8x16S: return extend(a.i8, from: 0, to: SIMD8<Int16>.self)
        case .i16x8ExtendHighI8x16S: return extend(a.i8, from: 8, to: SIMD8<Int16>.self)
        case .i16x8ExtendLowI8x16U: return extend(a.u8, from: 0, to: SIMD8<UInt16>.self)
        case .i16x8ExtendHighI8x16U: return extend(a.u8, from: 8, to: SIMD8<UInt16>.self)
        case .i32x4ExtendLowI16x8S: return extend(a.i16, from: 0, to: SIMD4<Int32>.self)
        case .i32x4ExtendHighI16x8S: return extend(a.i16, from: 4, to: SIMD4<Int32>.self)
        case .i32x4ExtendLowI16x8U: return extend(a.u16, from: 0, to: SIMD4<UInt32>.self)
        case .i32x4ExtendHighI16x8U: return extend(a.u16, from: 4, to: SIMD4<UInt32>.self)
        case .i64x2ExtendLowI32x4S: return extend(a.i32, from: 0, to: SIMD2<Int64>.self)
        case .i64x2ExtendHighI32x4S: return extend(a.i32, from: 2, to: SIMD2<Int64>.self)
        case .i64x2ExtendLowI32x4U: return extend(a.u32, from: 0, to: SIMD2<UInt64>.self)
        case .i64x2ExtendHighI32x4U: return extend(a.u32, from: 2, to: SIMD2<UInt64>.self)

        case .i16x8ExtaddPairwiseI8x16S: return extaddPairwise(a.i8, to: SIMD8<Int16>.self)
        case .i16x8ExtaddPairwiseI8x16U: return extaddPairwise(a.u8, to: SIMD8<UInt16>.self)
        case .i32x4ExtaddPairwiseI16x8S: return extaddPairwise(a.i16, to: SIMD4<Int32>.self)
        case .i32x4ExtaddPairwiseI16x8U: return extaddPairwise(a.u16, to: SIMD4<UInt32>.self)

        case .f32x4Abs: return V128(a.u32 & 0x7FFF_FFFF)
        case .f32x4Neg: return V128(a.u32 ^ 0x8000_0000)
        case .f64x2Abs: return V128(a.u64 & 0x7FFF_FFFF_FFFF_FFFF)
        case .f64x2Neg: return V128(a.u64 ^ 0x8000_0000_0000_0000)
        case .f32x4Sqrt: return V128(VectorLanes.map(a.f32) { $0.squareRoot() })
        case .f64x2Sqrt: return V128(VectorLanes.map(a.f64) { $0.squareRoot() })
        case .f32x4Ceil: return V128(VectorLanes.map(a.f32, ScalarOps.f32Ceil))
        case .f32x4Floor: return V128(VectorLanes.map(a.f32, ScalarOps.f32Floor))
        case .f32x4Trunc: return V128(VectorLanes.map(a.f32, ScalarOps.f32Trunc))
        case .f32x4Nearest: return V128(VectorLanes.map(a.f32, ScalarOps.f32Nearest))
        case .f64x2Ceil: return V128(VectorLanes.map(a.f64, ScalarOps.f64Ceil))
        case .f64x2Floor: return V128(VectorLanes.map(a.f64, ScalarOps.f64Floor))
        case .f64x2Trunc: return V128(VectorLanes.map(a.f64, ScalarOps.f64Trunc))
        case .f64x2Nearest: return V128(VectorLanes.map(a.f64, ScalarOps.f64Nearest))

        case .f32x4ConvertI32x4S: return V128(SIMD4<Float>(a.i32))
        case .f32x4ConvertI32x4U: return V128(SIMD4<Float>(a.u32))
        case .f64x2ConvertLowI32x4S: return V128(SIMD2<Double>(Double(a.i32[0]), Double(a.i32[1])))
        case .f64x2ConvertLowI32x4U: return V128(SIMD2<Double>(Double(a.u32[0]), Double(a.u32[1])))
        case .f32x4DemoteF64x2Zero:
            let x = a.f64
            return V128(SIMD4<Float>(ScalarOps.f32DemoteF64(x[0]), ScalarOps.f32DemoteF64(x[1]), 0, 0))
        case .f64x2PromoteLowF32x4:
            let x = a.f32
            return V128(SIMD2<Double>(ScalarOps.f64PromoteF32(x[0]), ScalarOps.f64PromoteF32(x[1])))

        case .i32x4TruncSatF32x4S, .i32x4RelaxedTruncF32x4S:
            return V128(VectorLanes.map(a.f32, into: SIMD4<Int32>.self, ScalarOps.i32TruncSatF32S))
        case .i32x4TruncSatF32x4U, .i32x4RelaxedTruncF32x4U:
            return V128(VectorLanes.map(a.f32, into: SIMD4<UInt32>.self, ScalarOps.i32TruncSatF32U))
        case .i32x4TruncSatF64x2SZero, .i32x4RelaxedTruncF64x2SZero:
            let x = a.f64
            return V128(SIMD4<Int32>(ScalarOps.i32TruncSatF64S(x[0]), ScalarOps.i32TruncSatF64S(x[1]), 0, 0))
        case .i32x4TruncSatF64x2UZero, .i32x4RelaxedTruncF64x2UZero:
            let x = a.f64
            return V128(SIMD4<UInt32>(ScalarOps.i32TruncSatF64U(x[0]), ScalarOps.i32TruncSatF64U(x[1]), 0, 0))

        default: return nil
        }
    }

    /// `binary`, or nil for an opcode that is not a `v128 v128 -> v128` operator.
    @inline(__always)
    static func binaryIfDefined(_ op: Opcode, _ a: V128, _ b: V128) -> V128? {
        switch op {
        case .v128And: return V128.halves(a.lo & b.lo, a.hi & b.hi)
        case .v128Andnot: return V128.halves(a.lo & ~b.lo, a.hi & ~b.hi)
        case .v128Or: return V128.halves(a.lo | b.lo, a.hi | b.hi)
        case .v128Xor: return V128.halves(a.lo ^ b.lo, a.hi ^ b.hi)
        case .i8x16Swizzle, .i8x16RelaxedSwizzle: return swizzle(a, b)

        // Integer arithmetic
        case .i8x16Add: return V128(a.u8 &+ b.u8)
        case .i16x8Add: return V128(a.u16 &+ b.u16)
        case .i32x4Add: return V128(a.u32 &+ b.u32)
        case .i64x2Add: return V128(a.u64 &+ b.u64)
        case .i8x16Sub: return V128(a.u8 &- b.u8)
        case .i16x8Sub: return V128(a.u16 &- b.u16)
        case .i32x4Sub: return V128(a.u32 &- b.u32)
        case .i64x2Sub: return V128(a.u64 &- b.u64)
        case .i16x8Mul: return V128(a.u16 &* b.u16)
        case .i32x4Mul: return V128(a.u32 &* b.u32)
        case .i64x2Mul: return V128(a.u64 &* b.u64)

        case .i8x16AddSatS: return V128(VectorLanes.map(a.i8, b.i8) { Int8(clamping: Int16($0) &+ Int16($1)) })
        case .i8x16AddSatU: return V128(VectorLanes.map(a.u8, b.u8) { UInt8(clamping: UInt16($0) &+ UInt16($1)) })
        case .i8x16SubSatS: return V128(VectorLanes.map(a.i8, b.i8) { Int8(clamping: Int16($0) &- Int16($1)) })
        case .i8x16SubSatU: return V128(VectorLanes.map(a.u8, b.u8) { $0 > $1 ? $0 &- $1 : 0 })
        case .i16x8AddSatS: return V128(VectorLanes.map(a.i16, b.i16) { Int16(clamping: Int32($0) &+ Int32($1)) })
        case .i16x8AddSatU: return V128(VectorLanes.map(a.u16, b.u16) { UInt16(clamping: UInt32($0) &+ UInt32($1)) })
        case .i16x8SubSatS: return V128(VectorLanes.map(a.i16, b.i16) { Int16(clamping: Int32($0) &- Int32($1)) })
        case .i16x8SubSatU: return V128(VectorLanes.map(a.u16, b.u16) { $0 > $1 ? $0 &- $1 : 0 })

        case .i8x16MinS: return V128(VectorLanes.map(a.i8, b.i8, Swift.min))
        case .i8x16MinU: return V128(VectorLanes.map(a.u8, b.u8, Swift.min))
        case .i8x16MaxS: return V128(VectorLanes.map(a.i8, b.i8, Swift.max))
        case .i8x16MaxU: return V128(VectorLanes.map(a.u8, b.u8, Swift.max))
        case .i16x8MinS: return V128(VectorLanes.map(a.i16, b.i16, Swift.min))
        case .i16x8MinU: return V128(VectorLanes.map(a.u16, b.u16, Swift.min))
        case .i16x8MaxS: return V128(VectorLanes.map(a.i16, b.i16, Swift.max))
        case .i16x8MaxU: return V128(VectorLanes.map(a.u16, b.u16, Swift.max))
        case .i32x4MinS: return V128(VectorLanes.map(a.i32, b.i32, Swift.min))
        case .i32x4MinU: return V128(VectorLanes.map(a.u32, b.u32, Swift.min))
        case .i32x4MaxS: return V128(VectorLanes.map(a.i32, b.i32, Swift.max))
        case .i32x4MaxU: return V128(VectorLanes.map(a.u32, b.u32, Swift.max))

        // Rounding average: (a + b + 1) / 2 without overflow in the wider type.
        case .i8x16AvgrU:
            return V128(VectorLanes.map(a.u8, b.u8) { UInt8(truncatingIfNeeded: (UInt16($0) &+ UInt16($1) &+ 1) >> 1) })
        case .i16x8AvgrU:
            return V128(VectorLanes.map(a.u16, b.u16) { UInt16(truncatingIfNeeded: (UInt32($0) &+ UInt32($1) &+ 1) >> 1) })

        // Q15 rounding multiply: (a * b + 2^14) >> 15, saturated; only
        // -32768 * -32768 overflows.
        case .i16x8Q15mulrSatS, .i16x8RelaxedQ15mulrS:
            return V128(VectorLanes.map(a.i16, b.i16) { Int16(clamping: (Int32($0) &* Int32($1) &+ 0x4000) >> 15) })

        case .i8x16NarrowI16x8S: return narrow(a.i16, b.i16, to: SIMD16<Int8>.self)
        case .i8x16NarrowI16x8U: return narrow(a.i16, b.i16, to: SIMD16<UInt8>.self)
        case .i16x8NarrowI32x4S: return narrow(a.i32, b.i32, to: SIMD8<Int16>.self)
        case .i16x8NarrowI32x4U: return narrow(a.i32, b.i32, to: SIMD8<UInt16>.self)

        case .i16x8ExtmulLowI8x16S: return extmul(a.i8, b.i8, from: 0, to: SIMD8<Int16>.self)
        case .i16x8ExtmulHighI8x16S: return extmul(a.i8, b.i8, from: 8, to: SIMD8<Int16>.self)
        case .i16x8ExtmulLowI8x16U: return extmul(a.u8, b.u8, from: 0, to: SIMD8<UInt16>.self)
        case .i16x8ExtmulHighI8x16U: return extmul(a.u8, b.u8, from: 8, to: SIMD8<UInt16>.self)
        case .i32x4ExtmulLowI16x8S: return extmul(a.i16, b.i16, from: 0, to: SIMD4<Int32>.self)
        case .i32x4ExtmulHighI16x8S: return extmul(a.i16, b.i16, from: 4, to: SIMD4<Int32>.self)
        case .i32x4ExtmulLowI16x8U: return extmul(a.u16, b.u16, from: 0, to: SIMD4<UInt32>.self)
        case .i32x4ExtmulHighI16x8U: return extmul(a.u16, b.u16, from: 4, to: SIMD4<UInt32>.self)
        case .i64x2ExtmulLowI32x4S: return extmul(a.i32, b.i32, from: 0, to: SIMD2<Int64>.self)
        case .i64x2ExtmulHighI32x4S: return extmul(a.i32, b.i32, from: 2, to: SIMD2<Int64>.self)
        case .i64x2ExtmulLowI32x4U: return extmul(a.u32, b.u32, from: 0, to: SIMD2<UInt64>.self)
        case .i64x2ExtmulHighI32x4U: return extmul(a.u32, b.u32, from: 2, to: SIMD2<UInt64>.self)

        case .i32x4DotI16x8S: return dot(a, b)
        case .i16x8RelaxedDotI8x16I7x16S: return V128(relaxedDot(a, b))

        // Integer comparisons
        case .i8x16Eq: return V128(VectorLanes.compare(a.u8, b.u8, into: SIMD16<UInt8>.self, ==))
        case .i8x16Ne: return V128(VectorLanes.compare(a.u8, b.u8, into: SIMD16<UInt8>.self, !=))
        case .i8x16LtS: return V128(VectorLanes.compare(a.i8, b.i8, into: SIMD16<UInt8>.self, <))
        case .i8x16LtU: return V128(VectorLanes.compare(a.u8, b.u8, into: SIMD16<UInt8>.self, <))
        case .i8x16GtS: return V128(VectorLanes.compare(a.i8, b.i8, into: SIMD16<UInt8>.self, >))
        case .i8x16GtU: return V128(VectorLanes.compare(a.u8, b.u8, into: SIMD16<UInt8>.self, >))
        case .i8x16LeS: return V128(VectorLanes.compare(a.i8, b.i8, into: SIMD16<UInt8>.self, <=))
        case .i8x16LeU: return V128(VectorLanes.compare(a.u8, b.u8, into: SIMD16<UInt8>.self, <=))
        case .i8x16GeS: return V128(VectorLanes.compare(a.i8, b.i8, into: SIMD16<UInt8>.self, >=))
        case .i8x16GeU: return V128(VectorLanes.compare(a.u8, b.u8, into: SIMD16<UInt8>.self, >=))
        case .i16x8Eq: return V128(VectorLanes.compare(a.u16, b.u16, into: SIMD8<UInt16>.self, ==))
        case .i16x8Ne: return V128(VectorLanes.compare(a.u16, b.u16, into: SIMD8<UInt16>.self, !=))
        case .i16x8LtS: return V128(VectorLanes.compare(a.i16, b.i16, into: SIMD8<UInt16>.self, <))
        case .i16x8LtU: return V128(VectorLanes.compare(a.u16, b.u16, into: SIMD8<UInt16>.self, <))
        case .i16x8GtS: return V128(VectorLanes.compare(a.i16, b.i16, into: SIMD8<UInt16>.self, >))
        case .i16x8GtU: return V128(VectorLanes.compare(a.u16, b.u16, into: SIMD8<UInt16>.self, >))
        case .i16x8LeS: return V128(VectorLanes.compare(a.i16, b.i16, into: SIMD8<UInt16>.self, <=))
        case .i16x8LeU: return V128(VectorLanes.compare(a.u16, b.u16, into: SIMD8<UInt16>.self, <=))
        case .i16x8GeS: return V128(VectorLanes.compare(a.i16, b.i16, into: SIMD8<UInt16>.self, >=))
        case .i16x8GeU: return V128(VectorLanes.compare(a.u16, b.u16, into: SIMD8<UInt16>.self, >=))
        case .i32x4Eq: return V128(VectorLanes.compare(a.u32, b.u32, into: SIMD4<UInt32>.self, ==))
        case .i32x4Ne: return V128(VectorLanes.compare(a.u32, b.u32, into: SIMD4<UInt32>.self, !=))
        case .i32x4LtS: return V128(VectorLanes.compare(a.i32, b.i32, into: SIMD4<UInt32>.self, <))
        case .i32x4LtU: return V128(VectorLanes.compare(a.u32, b.u32, into: SIMD4<UInt32>.self, <))
        case .i32x4GtS: return V128(VectorLanes.compare(a.i32, b.i32, into: SIMD4<UInt32>.self, >))
        case .i32x4GtU: return V128(VectorLanes.compare(a.u32, b.u32, into: SIMD4<UInt32>.self, >))
        case .i32x4LeS: return V128(VectorLanes.compare(a.i32, b.i32, into: SIMD4<UInt32>.self, <=))
        case .i32x4LeU: return V128(VectorLanes.compare(a.u32, b.u32, into: SIMD4<UInt32>.self, <=))
        case .i32x4GeS: return V128(VectorLanes.compare(a.i32, b.i32, into: SIMD4<UInt32>.self, >=))
        case .i32x4GeU: return V128(VectorLanes.compare(a.u32, b.u32, into: SIMD4<UInt32>.self, >=))
        case .i64x2Eq: return V128(VectorLanes.compare(a.u64, b.u64, into: SIMD2<UInt64>.self, ==))
        case .i64x2Ne: return V128(VectorLanes.compare(a.u64, b.u64, into: SIMD2<UInt64>.self, !=))
        case .i64x2LtS: return V128(VectorLanes.compare(a.i64, b.i64, into: SIMD2<UInt64>.self, <))
        case .i64x2GtS: return V128(VectorLanes.compare(a.i64, b.i64, into: SIMD2<UInt64>.self, >))
        case .i64x2LeS: return V128(VectorLanes.compare(a.i64, b.i64, into: SIMD2<UInt64>.self, <=))
        case .i64x2GeS: return V128(VectorLanes.compare(a.i64, b.i64, into: SIMD2<UInt64>.self, >=))

        // Float comparisons (IEEE: every ordered comparison with NaN is
        // false, `ne` is true)
        case .f32x4Eq: return V128(VectorLanes.compare(a.f32, b.f32, into: SIMD4<UInt32>.self, ==))
        case .f32x4Ne: return V128(VectorLanes.compare(a.f32, b.f32, into: SIMD4<UInt32>.self, !=))
        case .f32x4Lt: return V128(VectorLanes.compare(a.f32, b.f32, into: SIMD4<UInt32>.self, <))
        case .f32x4Gt: return V128(VectorLanes.compare(a.f32, b.f32, into: SIMD4<UInt32>.self, >))
        case .f32x4Le: return V128(VectorLanes.compare(a.f32, b.f32, into: SIMD4<UInt32>.self, <=))
        case .f32x4Ge: return V128(VectorLanes.compare(a.f32, b.f32, into: SIMD4<UInt32>.self, >=))
        case .f64x2Eq: return V128(VectorLanes.compare(a.f64, b.f64, into: SIMD2<UInt64>.self, ==))
        case .f64x2Ne: return V128(VectorLanes.compare(a.f64, b.f64, into: SIMD2<UInt64>.self, !=))
        case .f64x2Lt: return V128(VectorLanes.compare(a.f64, b.f64, into: SIMD2<UInt64>.self, <))
        case .f64x2Gt: return V128(VectorLanes.compare(a.f64, b.f64, into: SIMD2<UInt64>.self, >))
        case .f64x2Le: return V128(VectorLanes.compare(a.f64, b.f64, into: SIMD2<UInt64>.self, <=))
        case .f64x2Ge: return V128(VectorLanes.compare(a.f64, b.f64, into: SIMD2<UInt64>.self, >=))

        // Float arithmetic: the hardware's IEEE result, including its NaN
        // (canonical if every NaN operand was canonical, arithmetic otherwise).
        case .f32x4Add: return V128(VectorLanes.map(a.f32, b.f32) { $0 + $1 })
        case .f32x4Sub: return V128(VectorLanes.map(a.f32, b.f32) { $0 - $1 })
        case .f32x4Mul: return V128(VectorLanes.map(a.f32, b.f32) { $0 * $1 })
        case .f32x4Div: return V128(VectorLanes.map(a.f32, b.f32) { $0 / $1 })
        case .f64x2Add: return V128(VectorLanes.map(a.f64, b.f64) { $0 + $1 })
        case .f64x2Sub: return V128(VectorLanes.map(a.f64, b.f64) { $0 - $1 })
        case .f64x2Mul: return V128(VectorLanes.map(a.f64, b.f64) { $0 * $1 })
        case .f64x2Div: return V128(VectorLanes.map(a.f64, b.f64) { $0 / $1 })
        case .f32x4Min, .f32x4RelaxedMin: return V128(VectorLanes.map(a.f32, b.f32, ScalarOps.f32Min))
        case .f32x4Max, .f32x4RelaxedMax: return V128(VectorLanes.map(a.f32, b.f32, ScalarOps.f32Max))
        case .f64x2Min, .f64x2RelaxedMin: return V128(VectorLanes.map(a.f64, b.f64, ScalarOps.f64Min))
        case .f64x2Max, .f64x2RelaxedMax: return V128(VectorLanes.map(a.f64, b.f64, ScalarOps.f64Max))
        case .f32x4Pmin: return V128(VectorLanes.map(a.f32, b.f32, ScalarOps.f32PMin))
        case .f32x4Pmax: return V128(VectorLanes.map(a.f32, b.f32, ScalarOps.f32PMax))
        case .f64x2Pmin: return V128(VectorLanes.map(a.f64, b.f64, ScalarOps.f64PMin))
        case .f64x2Pmax: return V128(VectorLanes.map(a.f64, b.f64, ScalarOps.f64PMax))

        default: return nil
        }
    }

    /// `ternary`, or nil for an opcode that is not a `v128 v128 v128 -> v128` operator.
    @inline(__always)
    static func ternaryIfDefined(_ op: Opcode, _ a: V128, _ b: V128, _ c: V128) -> V128? {
        switch op {
        // Bits of `a` where the mask `c` is 1, bits of `b` where it is 0.
        case .v128Bitselect,
             .i8x16RelaxedLaneselect, .i16x8RelaxedLaneselect, .i32x4RelaxedLaneselect, .i64x2RelaxedLaneselect:
            return V128.halves((a.lo & c.lo) | (b.lo & ~c.lo), (a.hi & c.hi) | (b.hi & ~c.hi))
        // Unfused: the product is rounded before the addition.
        case .f32x4RelaxedMadd: return V128(VectorLanes.map(a.f32, b.f32, c.f32) { $0 * $1 + $2 })
        case .f32x4RelaxedNmadd: return V128(VectorLanes.map(a.f32, b.f32, c.f32) { ScalarOps.f32Neg($0) * $1 + $2 })
        case .f64x2RelaxedMadd: return V128(VectorLanes.map(a.f64, b.f64, c.f64) { $0 * $1 + $2 })
        case .f64x2RelaxedNmadd: return V128(VectorLanes.map(a.f64, b.f64, c.f64) { ScalarOps.f64Neg($0) * $1 + $2 })
        case .i32x4RelaxedDotI8x16I7x16AddS: return relaxedDotAdd(a, b, c)
        default: return nil
        }
    }

    /// `shift`, or nil for an opcode that is not a shift.
    @inline(__always)
    static func shiftIfDefined(_ op: Opcode, _ a: V128, _ count: UInt32) -> V128? {
        switch op {
        case .i8x16Shl: return V128(a.u8 &<< UInt8(truncatingIfNeeded: count & 7))
        case .i8x16ShrS: return V128(a.i8 &>> Int8(truncatingIfNeeded: count & 7))
        case .i8x16ShrU: return V128(a.u8 &>> UInt8(truncatingIfNeeded: count & 7))
        case .i16x8Shl: return V128(a.u16 &<< UInt16(truncatingIfNeeded: count & 15))
        case .i16x8ShrS: return V128(a.i16 &>> Int16(truncatingIfNeeded: count & 15))
        case .i16x8ShrU: return V128(a.u16 &>> UInt16(truncatingIfNeeded: count & 15))
        case .i32x4Shl: return V128(a.u32 &<< (count & 31))
        case .i32x4ShrS: return V128(a.i32 &>> Int32(bitPattern: count & 31))
        case .i32x4ShrU: return V128(a.u32 &>> (count & 31))
        case .i64x2Shl: return V128(a.u64 &<< UInt64(count & 63))
        case .i64x2ShrS: return V128(a.i64 &>> Int64(count & 63))
        case .i64x2ShrU: return V128(a.u64 &>> UInt64(count & 63))
        default: return nil
        }
    }

    /// `test`, or nil for an opcode that is not a `v128 -> i32` operator.
    @inline(__always)
    static func testIfDefined(_ op: Opcode, _ a: V128) -> UInt32? {
        switch op {
        case .v128AnyTrue: return (a.lo | a.hi) != 0 ? 1 : 0
        case .i8x16AllTrue: return allTrue(a.u8)
        case .i16x8AllTrue: return allTrue(a.u16)
        case .i32x4AllTrue: return allTrue(a.u32)
        case .i64x2AllTrue: return allTrue(a.u64)
        case .i8x16Bitmask: return bitmask(a.u8)
        case .i16x8Bitmask: return bitmask(a.u16)
        case .i32x4Bitmask: return bitmask(a.u32)
        case .i64x2Bitmask: return bitmask(a.u64)
        default: return nil
        }
    }

    /// `splat`, or nil for an opcode that is not a splat.
    @inline(__always)
    static func splatIfDefined(_ op: Opcode, _ x: UInt64) -> V128? {
        switch op {
        case .i8x16Splat: return V128(SIMD16<UInt8>(repeating: UInt8(truncatingIfNeeded: x)))
        case .i16x8Splat: return V128(SIMD8<UInt16>(repeating: UInt16(truncatingIfNeeded: x)))
        case .i32x4Splat, .f32x4Splat: return V128(SIMD4<UInt32>(repeating: UInt32(truncatingIfNeeded: x)))
        case .i64x2Splat, .f64x2Splat: return V128.halves(x, x)
        default: return nil
        }
    }

    /// `extractLane`, or nil for an opcode that is not an extract_lane.
    @inline(__always)
    static func extractLaneIfDefined(_ op: Opcode, _ a: V128, _ lane: UInt8) -> UInt64? {
        switch op {
        case .i8x16ExtractLaneS:
            let x = Int8(truncatingIfNeeded: VectorOps.lane(a, lane, width: 8))
            return UInt64(UInt32(bitPattern: Int32(x)))
        case .i8x16ExtractLaneU: return VectorOps.lane(a, lane, width: 8)
        case .i16x8ExtractLaneS:
            let x = Int16(truncatingIfNeeded: VectorOps.lane(a, lane, width: 16))
            return UInt64(UInt32(bitPattern: Int32(x)))
        case .i16x8ExtractLaneU: return VectorOps.lane(a, lane, width: 16)
        case .i32x4ExtractLane, .f32x4ExtractLane: return VectorOps.lane(a, lane, width: 32)
        case .i64x2ExtractLane, .f64x2ExtractLane: return VectorOps.lane(a, lane, width: 64)
        default: return nil
        }
    }

    /// `replaceLane`, or nil for an opcode that is not a replace_lane.
    @inline(__always)
    static func replaceLaneIfDefined(_ op: Opcode, _ a: V128, _ lane: UInt8, _ x: UInt64) -> V128? {
        switch op {
        case .i8x16ReplaceLane: return replacing(a, lane, width: 8, with: x)
        case .i16x8ReplaceLane: return replacing(a, lane, width: 16, with: x)
        case .i32x4ReplaceLane, .f32x4ReplaceLane: return replacing(a, lane, width: 32, with: x)
        case .i64x2ReplaceLane, .f64x2ReplaceLane: return replacing(a, lane, width: 64, with: x)
        default: return nil
        }
    }
}
