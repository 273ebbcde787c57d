import WasmSyntax

/// The lane kernels of the operators that change lane shape or look at more
/// than one lane at a time. All are generic over the SIMD lane views and
/// always inlined, so each use specialises to a fixed-size loop.
extension VectorOps {
    /// `extend_low`/`extend_high`: lanes `start ..< start + W.scalarCount`
    /// of `a`, widened. The lane types carry the signedness, so
    /// `truncatingIfNeeded` sign- or zero-extends as the opcode requires.
    @inline(__always)
    static func extend<S: SIMD, W: SIMD>(_ a: S, from start: Int, to _: W.Type) -> V128
    where S.Scalar: FixedWidthInteger, W.Scalar: FixedWidthInteger {
        V128(VectorLanes.read(a) { x in
            VectorLanes.build(W.self) { r in
                for i in 0..<W.scalarCount { r[i] = W.Scalar(truncatingIfNeeded: x[start &+ i]) }
            }
        })
    }

    /// `extadd_pairwise`: each wide lane is the sum of two adjacent narrow
    /// lanes, extended first (the sum cannot overflow the wide lane).
    @inline(__always)
    static func extaddPairwise<S: SIMD, W: SIMD>(_ a: S, to _: W.Type) -> V128
    where S.Scalar: FixedWidthInteger, W.Scalar: FixedWidthInteger {
        V128(VectorLanes.read(a) { x in
            VectorLanes.build(W.self) { r in
                for i in 0..<W.scalarCount {
                    r[i] = W.Scalar(truncatingIfNeeded: x[2 &* i]) &+ W.Scalar(truncatingIfNeeded: x[2 &* i &+ 1])
                }
            }
        })
    }

    /// `extmul_low`/`extmul_high`: the selected lanes of both operands,
    /// extended, then multiplied (the product always fits the wide lane).
    @inline(__always)
    static func extmul<S: SIMD, W: SIMD>(_ a: S, _ b: S, from start: Int, to _: W.Type) -> V128
    where S.Scalar: FixedWidthInteger, W.Scalar: FixedWidthInteger {
        V128(VectorLanes.read(a) { x in
            VectorLanes.read(b) { y in
                VectorLanes.build(W.self) { r in
                    for i in 0..<W.scalarCount {
                        r[i] = W.Scalar(truncatingIfNeeded: x[start &+ i]) &* W.Scalar(truncatingIfNeeded: y[start &+ i])
                    }
                }
            }
        })
    }

    /// `narrow_s`/`narrow_u`: the signed lanes of `a` then of `b`, each
    /// saturated into the narrow lane type (signed or unsigned per `N`).
    @inline(__always)
    static func narrow<S: SIMD, N: SIMD>(_ a: S, _ b: S, to _: N.Type) -> V128
    where S.Scalar: FixedWidthInteger & SignedInteger, N.Scalar: FixedWidthInteger {
        V128(VectorLanes.read(a) { x in
            VectorLanes.read(b) { y in
                VectorLanes.build(N.self) { r in
                    let half = S.scalarCount
                    for i in 0..<half {
                        r[i] = N.Scalar(clamping: x[i])
                        r[half &+ i] = N.Scalar(clamping: y[i])
                    }
                }
            }
        })
    }

    /// `i8x16.swizzle`: byte `i` of the result is byte `b[i]` of `a`, or 0
    /// when the index is 16 or more.
    @inline(__always)
    static func swizzle(_ a: V128, _ b: V128) -> V128 {
        V128(VectorLanes.read(a.u8) { x in
            VectorLanes.read(b.u8) { s in
                VectorLanes.build(SIMD16<UInt8>.self) { r in
                    for i in 0..<16 {
                        let j = s[i]
                        r[i] = j < 16 ? x[Int(j)] : 0
                    }
                }
            }
        })
    }

    /// `i16x8.relaxed_dot_i8x16_i7x16_s` in the deterministic profile
    /// (`ivdotsat` with both operands signed): adjacent i8 products (which
    /// fit in i16) summed with signed saturation.
    @inline(__always)
    static func relaxedDot(_ a: V128, _ b: V128) -> SIMD8<Int16> {
        VectorLanes.read(a.i8) { x in
            VectorLanes.read(b.i8) { y in
                VectorLanes.build(SIMD8<Int16>.self) { r in
                    for i in 0..<8 {
                        let p = Int32(x[2 &* i]) &* Int32(y[2 &* i])
                        let q = Int32(x[2 &* i &+ 1]) &* Int32(y[2 &* i &+ 1])
                        r[i] = Int16(clamping: p &+ q)
                    }
                }
            }
        }
    }

    /// `i32x4.dot_i16x8_s`: products of adjacent i16 pairs, summed with
    /// wrap-around (only four times -32768 overflows, to -2^31).
    @inline(__always)
    static func dot(_ a: V128, _ b: V128) -> V128 {
        V128(VectorLanes.read(a.i16) { x in
            VectorLanes.read(b.i16) { y in
                VectorLanes.build(SIMD4<Int32>.self) { r in
                    for i in 0..<4 {
                        r[i] = Int32(x[2 &* i]) &* Int32(y[2 &* i]) &+ Int32(x[2 &* i &+ 1]) &* Int32(y[2 &* i &+ 1])
                    }
                }
            }
        })
    }

    /// `i32x4.relaxed_dot_i8x16_i7x16_add_s`: the saturating i16 dot product,
    /// its adjacent pairs added into i32 lanes, plus `c` (wrapping).
    @inline(__always)
    static func relaxedDotAdd(_ a: V128, _ b: V128, _ c: V128) -> V128 {
        V128(VectorLanes.read(relaxedDot(a, b)) { d in
            VectorLanes.read(c.i32) { acc in
                VectorLanes.build(SIMD4<Int32>.self) { r in
                    for i in 0..<4 { r[i] = Int32(d[2 &* i]) &+ Int32(d[2 &* i &+ 1]) &+ acc[i] }
                }
            }
        })
    }

    /// `all_true`: 1 if no lane is zero.
    @inline(__always)
    static func allTrue<V: SIMD>(_ a: V) -> UInt32 where V.Scalar: FixedWidthInteger {
        VectorLanes.read(a) { x in
            var all = true
            for i in 0..<V.scalarCount { all = all && x[i] != 0 }
            return all ? 1 : 0
        }
    }

    /// `bitmask`: bit `i` of the result is the sign bit of lane `i`.
    @inline(__always)
    static func bitmask<V: SIMD>(_ a: V) -> UInt32 where V.Scalar: FixedWidthInteger & UnsignedInteger {
        VectorLanes.read(a) { x in
            var r: UInt32 = 0
            let top = V.Scalar.bitWidth &- 1
            for i in 0..<V.scalarCount {
                r |= UInt32(truncatingIfNeeded: x[i] &>> top) &<< UInt32(i)
            }
            return r
        }
    }

    /// Lane `lane` (of `width` bits, a power of two up to 64) as the low bits
    /// of a `UInt64`: a shift of the half that holds it, no memory traffic.
    @inline(__always)
    static func lane(_ a: V128, _ lane: UInt8, width: UInt64) -> UInt64 {
        let bit = UInt64(lane) &* width & 127
        let word = bit < 64 ? a.lo : a.hi
        let mask: UInt64 = width == 64 ? ~0 : (1 &<< width) &- 1
        return (word &>> (bit & 63)) & mask
    }

    /// `a` with lane `lane` (of `width` bits) replaced by the low bits of `x`.
    @inline(__always)
    static func replacing(_ a: V128, _ lane: UInt8, width: UInt64, with x: UInt64) -> V128 {
        let bit = UInt64(lane) &* width & 127
        let mask: UInt64 = (width == 64 ? ~0 : (1 &<< width) &- 1) &<< (bit & 63)
        let bits = (x &<< (bit & 63)) & mask
        return bit < 64
            ? V128.halves((a.lo & ~mask) | bits, a.hi)
            : V128.halves(a.lo, (a.hi & ~mask) | bits)
    }
}
