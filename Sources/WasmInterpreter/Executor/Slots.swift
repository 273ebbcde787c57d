import WasmSyntax

/// Typed views of frame slots. i32 and f32 values are kept zero-extended,
/// so a slot can be tested against zero whatever its type.
extension UnsafeMutablePointer where Pointee == UInt64 {
    @inline(__always) subscript(i32 i: Int) -> UInt32 {
        get { UInt32(truncatingIfNeeded: self[i]) }
        nonmutating set { self[i] = UInt64(newValue) }
    }

    @inline(__always) subscript(s32 i: Int) -> Int32 {
        get { Int32(truncatingIfNeeded: self[i]) }
        nonmutating set { self[i] = UInt64(UInt32(bitPattern: newValue)) }
    }

    @inline(__always) subscript(s64 i: Int) -> Int64 {
        get { Int64(bitPattern: self[i]) }
        nonmutating set { self[i] = UInt64(bitPattern: newValue) }
    }

    @inline(__always) subscript(f32 i: Int) -> Float {
        get { Float(bitPattern: UInt32(truncatingIfNeeded: self[i])) }
        nonmutating set { self[i] = UInt64(newValue.bitPattern) }
    }

    @inline(__always) subscript(f64 i: Int) -> Double {
        get { Double(bitPattern: self[i]) }
        nonmutating set { self[i] = newValue.bitPattern }
    }

    @inline(__always) subscript(v128 i: Int) -> V128 {
        get { V128(lo: self[i], hi: self[i + 1]) }
        nonmutating set {
            self[i] = newValue.lo
            self[i + 1] = newValue.hi
        }
    }

    /// A boolean result as an i32.
    @inline(__always) subscript(bool i: Int) -> Bool {
        get { self[i] != 0 }
        nonmutating set { self[i] = newValue ? 1 : 0 }
    }
}
