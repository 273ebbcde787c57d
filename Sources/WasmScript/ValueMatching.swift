import WasmEngines
import WasmSyntax
import WasmText

/// Whether a result matches an `assert_return` expectation: exact bits for
/// numbers, NaN classes where the script allows any NaN of a class, and
/// references by what every engine can tell about them (`ReferenceKind`).
func matches(_ value: EngineValue, _ expected: ExpectedValue) -> Bool {
    switch (expected, value) {
    case (.i32(let e), .i32(let v)): return e == v
    case (.i64(let e), .i64(let v)): return e == v
    case (.f32(let e), .f32(let v)): return e == v
    case (.f64(let e), .f64(let v)): return e == v
    case (.f32NaN(let p), .f32(let v)): return isNaN(UInt64(v), p, bits: 32)
    case (.f64NaN(let p), .f64(let v)): return isNaN(v, p, bits: 64)
    case (.v128(let e), .v128(let v)): return e == v
    case (.v128Lanes(let lanes), .v128(let v)): return laneMatches(v, lanes)
    case (.either(let alternatives), _): return alternatives.contains { matches(value, $0) }
    case (.refNull, .ref(.null)): return true
    case (.refFunc, .ref(.function)): return true
    case (.refExtern(nil), .ref(.host)), (.refExtern(nil), .ref(.extern)): return true
    case (.refExtern(let n?), .ref(.host(let v))): return n == v
    case (.refHost(let n), .ref(.host(let v))): return n == v
    case (.refI31, .ref(.i31)): return true
    case (.refStruct, .ref(.structure)): return true
    case (.refArray, .ref(.array)): return true
    case (.refEq, .ref(.i31)), (.refEq, .ref(.structure)), (.refEq, .ref(.array)): return true
    // `ref.any`: any non-null reference of the any hierarchy, host values
    // (internalized externs) included.
    case (.refAny, .ref(.i31)), (.refAny, .ref(.structure)), (.refAny, .ref(.array)), (.refAny, .ref(.host)): return true
    case (.refExn, .ref(.exception)): return true
    default: return false
    }
}

/// Canonical NaN: only the top mantissa bit set; arithmetic NaN: the top
/// mantissa bit set, any other payload. Either sign.
private func isNaN(_ bits: UInt64, _ pattern: NaNPattern, bits width: Int) -> Bool {
    let mantissaBits = width == 32 ? 23 : 52
    let exponentMask: UInt64 = width == 32 ? 0x7F80_0000 : 0x7FF0_0000_0000_0000
    let quiet: UInt64 = 1 << UInt64(mantissaBits - 1)
    let mantissa = bits & ((1 << UInt64(mantissaBits)) - 1)
    guard bits & exponentMask == exponentMask, mantissa & quiet != 0 else { return false }
    return pattern == .arithmetic || mantissa == quiet
}

private func laneMatches(_ v: V128, _ lanes: [ExpectedValue]) -> Bool {
    if lanes.count == 4 {
        for (i, lane) in lanes.enumerated() {
            let word = i < 2 ? v.lo >> UInt64(32 * i) : v.hi >> UInt64(32 * (i - 2))
            if !matches(.f32(UInt32(truncatingIfNeeded: word)), lane) { return false }
        }
        return true
    }
    if lanes.count == 2 {
        return matches(.f64(v.lo), lanes[0]) && matches(.f64(v.hi), lanes[1])
    }
    return false
}

/// A value as the script would write it, for failure reports.
func describe(_ value: EngineValue) -> String {
    switch value {
    case .i32(let v): return "(i32.const \(Int32(bitPattern: v)))"
    case .i64(let v): return "(i64.const \(Int64(bitPattern: v)))"
    case .f32(let v): return "(f32.const \(describeFloat(UInt64(v), bits: 32)))"
    case .f64(let v): return "(f64.const \(describeFloat(v, bits: 64)))"
    case .v128(let v): return "(v128.const i64x2 0x\(String(v.lo, radix: 16)) 0x\(String(v.hi, radix: 16)))"
    case .ref(let r):
        switch r {
        case .null(let h): return "(ref.null \(h.rawValue))"
        case .function: return "(ref.func)"
        case .host(let n): return "(ref.host \(n))"
        case .extern: return "(extern.convert_any ...)"
        case .i31(let v): return "(ref.i31 \(v))"
        case .structure: return "(ref.struct)"
        case .array: return "(ref.array)"
        case .exception: return "(ref.exn)"
        case .other: return "(ref ?)"
        }
    }
}

func describe(_ expected: ExpectedValue) -> String {
    switch expected {
    case .i32(let v): return describe(EngineValue.i32(v))
    case .i64(let v): return describe(EngineValue.i64(v))
    case .f32(let v): return describe(EngineValue.f32(v))
    case .f64(let v): return describe(EngineValue.f64(v))
    case .f32NaN(let p): return "(f32.const nan:\(p))"
    case .f64NaN(let p): return "(f64.const nan:\(p))"
    case .v128(let v): return describe(EngineValue.v128(v))
    case .v128Lanes(let lanes): return "(v128.const \(lanes.map(describe).joined(separator: " ")))"
    case .refNull(let h): return "(ref.null \(h.map { "\($0)" } ?? ""))"
    case .refFunc: return "(ref.func)"
    case .refExtern(let n): return "(ref.extern \(n.map(String.init) ?? ""))"
    case .refHost(let n): return "(ref.host \(n))"
    case .refStruct: return "(ref.struct)"
    case .refArray: return "(ref.array)"
    case .refEq: return "(ref.eq)"
    case .refI31: return "(ref.i31)"
    case .refAny: return "(ref.any)"
    case .refExn: return "(ref.exn)"
    case .either(let alternatives): return "(either \(alternatives.map(describe).joined(separator: " ")))"
    }
}

/// Floats with their bit pattern, so NaN payloads and -0 are visible.
private func describeFloat(_ bits: UInt64, bits width: Int) -> String {
    let value = width == 32 ? Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits))) : Double(bitPattern: bits)
    let hex = "0x" + String(bits, radix: 16)
    return value.isNaN ? "nan (bits \(hex))" : "\(width == 32 ? "\(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))" : "\(value)") (bits \(hex))"
}
