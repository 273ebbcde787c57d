import WasmSyntax

#if _endian(big)
#error("The lane views below assume a little-endian host")
#endif

/// Lane views of a vector value.
///
/// `V128` keeps its bytes little-endian (`lo` = bytes 0-7) and every host we
/// target (x86-64, AArch64) is little-endian, so a plain bit cast to a Swift
/// SIMD type puts WebAssembly lane `i` at SIMD element `i`. Bit casts never
/// touch floating-point state, so NaN payloads survive the float views.
extension V128 {
    @inline(__always) var u8: SIMD16<UInt8> { unsafeBitCast(self, to: SIMD16<UInt8>.self) }
    @inline(__always) var i8: SIMD16<Int8> { unsafeBitCast(self, to: SIMD16<Int8>.self) }
    @inline(__always) var u16: SIMD8<UInt16> { unsafeBitCast(self, to: SIMD8<UInt16>.self) }
    @inline(__always) var i16: SIMD8<Int16> { unsafeBitCast(self, to: SIMD8<Int16>.self) }
    @inline(__always) var u32: SIMD4<UInt32> { unsafeBitCast(self, to: SIMD4<UInt32>.self) }
    @inline(__always) var i32: SIMD4<Int32> { unsafeBitCast(self, to: SIMD4<Int32>.self) }
    @inline(__always) var u64: SIMD2<UInt64> { unsafeBitCast(self, to: SIMD2<UInt64>.self) }
    @inline(__always) var i64: SIMD2<Int64> { unsafeBitCast(self, to: SIMD2<Int64>.self) }
    @inline(__always) var f32: SIMD4<Float> { unsafeBitCast(self, to: SIMD4<Float>.self) }
    @inline(__always) var f64: SIMD2<Double> { unsafeBitCast(self, to: SIMD2<Double>.self) }

    /// The vector with these halves. Unlike `init(lo:hi:)`, which lives in
    /// WasmSyntax and is an opaque call from here, this always inlines.
    @inline(__always) static func halves(_ lo: UInt64, _ hi: UInt64) -> V128 {
        unsafeBitCast(SIMD2<UInt64>(lo, hi), to: V128.self)
    }

    /// The vector whose lanes are `lanes` (any 128-bit SIMD type).
    @inline(__always) init<V: SIMD>(_ lanes: V) {
        self = unsafeBitCast(lanes, to: V128.self)
    }
}

/// Lane-wise combinators. They take non-escaping closures and are always
/// inlined, so after specialisation each is a fixed-size loop that LLVM
/// unrolls and usually turns into a few vector instructions (a saturating
/// add becomes one `paddsb`): no allocation, no dynamic dispatch.
///
/// The loops run over the lanes in memory (through a pointer rebound to the
/// scalar type) rather than through `SIMD` subscripts: a subscript with a
/// loop index defeats the vectoriser, a pointer loop does not.
enum VectorLanes {
    /// Runs `body` with a pointer to the `V.scalarCount` lanes of `v`.
    @inline(__always)
    static func read<V: SIMD, R>(_ v: V, _ body: (UnsafePointer<V.Scalar>) -> R) -> R {
        withUnsafePointer(to: v) { $0.withMemoryRebound(to: V.Scalar.self, capacity: V.scalarCount, body) }
    }

    /// A vector whose lanes `body` writes (all lanes start at zero).
    @inline(__always)
    static func build<V: SIMD>(_: V.Type, _ body: (UnsafeMutablePointer<V.Scalar>) -> Void) -> V {
        var r = V()
        withUnsafeMutablePointer(to: &r) { $0.withMemoryRebound(to: V.Scalar.self, capacity: V.scalarCount, body) }
        return r
    }

    @inline(__always)
    static func map<V: SIMD>(_ a: V, _ f: (V.Scalar) -> V.Scalar) -> V {
        read(a) { x in build(V.self) { r in for i in 0..<V.scalarCount { r[i] = f(x[i]) } } }
    }

    /// A lane-wise map into another lane type with the same lane count (the
    /// float-to-integer conversions).
    @inline(__always)
    static func map<V: SIMD, W: SIMD>(_ a: V, into _: W.Type, _ f: (V.Scalar) -> W.Scalar) -> W {
        read(a) { x in build(W.self) { r in for i in 0..<V.scalarCount { r[i] = f(x[i]) } } }
    }

    @inline(__always)
    static func map<V: SIMD>(_ a: V, _ b: V, _ f: (V.Scalar, V.Scalar) -> V.Scalar) -> V {
        read(a) { x in read(b) { y in build(V.self) { r in for i in 0..<V.scalarCount { r[i] = f(x[i], y[i]) } } } }
    }

    @inline(__always)
    static func map<V: SIMD>(_ a: V, _ b: V, _ c: V, _ f: (V.Scalar, V.Scalar, V.Scalar) -> V.Scalar) -> V {
        read(a) { x in
            read(b) { y in
                read(c) { z in build(V.self) { r in for i in 0..<V.scalarCount { r[i] = f(x[i], y[i], z[i]) } } }
            }
        }
    }

    /// A comparison: each result lane is all ones where `f` holds, else zero.
    /// `M` is the unsigned integer view of the same lane width.
    @inline(__always)
    static func compare<V: SIMD, M: SIMD>(_ a: V, _ b: V, into _: M.Type, _ f: (V.Scalar, V.Scalar) -> Bool) -> M
    where M.Scalar: FixedWidthInteger & UnsignedInteger {
        read(a) { x in
            read(b) { y in
                build(M.self) { r in for i in 0..<V.scalarCount { r[i] = f(x[i], y[i]) ? M.Scalar.max : 0 } }
            }
        }
    }
}
