import WasmRuntime

/// Numeric instructions run one at a time through the interpreter, i.e. the
/// C executor (or the Swift slow path it calls for SIMD), so that numerics
/// tests check the code that executes modules. Each call compiles a module
/// of one function; the names mirror the instructions (`f32Min` is
/// `f32.min`), trapping ones return nil on a trap.
enum Executed {
    enum Outcome {
        case value(Value)
        case trap(TrapKind)

        var value: Value? { if case .value(let v) = self { return v }; return nil }
    }

    /// The result of `body`, a folded expression over the parameters, or the trap it raised.
    static func evaluate(_ body: String, params: [String], result: String, _ arguments: [Value]) -> Outcome {
        let text = "(module (func (export \"f\") (param \(params.joined(separator: " "))) (result \(result)) \(body)))"
        let instance: Instance
        do { instance = try instantiate(text) } catch { preconditionFailure("\(text): \(error)") }
        if let kind = instance.trap("f", arguments) { return .trap(kind) }
        do { return .value(try instance.call("f", arguments)[0]) } catch { preconditionFailure("\(text): \(error)") }
    }

    /// The trap of `instruction` (a unary operator) on `x`, nil if it returns.
    static func trap(_ instruction: String, _ x: Value) -> TrapKind? {
        if case .trap(let kind) = evaluate("(\(instruction) (local.get 0))", params: [type(x)], result: String(instruction.prefix(3)), [x]) { return kind }
        return nil
    }

    private static func type(_ v: Value) -> String {
        switch v {
        case .i32: return "i32"
        case .i64: return "i64"
        case .f32: return "f32"
        case .f64: return "f64"
        default: preconditionFailure("not a scalar: \(v)")
        }
    }

    private static func value(_ instruction: String, _ result: String, _ arguments: Value...) -> Value? {
        let params = arguments.map(type)
        let locals = params.indices.map { " (local.get \($0))" }.joined()
        return evaluate("(\(instruction)\(locals))", params: params, result: result, arguments).value
    }

    private static func float(_ v: Value?) -> Float { Float(bitPattern: v!.f32!) }
    private static func double(_ v: Value?) -> Double { Double(bitPattern: v!.f64!) }

    /// A lane operator of f32x4 (f64x2) on splatted operands, read from lane 0.
    private static func lane(_ instruction: String, _ a: Float, _ b: Float) -> Float {
        float(evaluate("(f32x4.extract_lane 0 (\(instruction) (f32x4.splat (local.get 0)) (f32x4.splat (local.get 1))))",
                            params: ["f32", "f32"], result: "f32", [f32(a), f32(b)]).value)
    }

    private static func lane(_ instruction: String, _ a: Double, _ b: Double) -> Double {
        double(evaluate("(f64x2.extract_lane 0 (\(instruction) (f64x2.splat (local.get 0)) (f64x2.splat (local.get 1))))",
                             params: ["f64", "f64"], result: "f64", [f64(a), f64(b)]).value)
    }

    // MARK: Float operators

    static func f32Min(_ a: Float, _ b: Float) -> Float { float(value("f32.min", "f32", f32(a), f32(b))) }
    static func f32Max(_ a: Float, _ b: Float) -> Float { float(value("f32.max", "f32", f32(a), f32(b))) }
    static func f64Min(_ a: Double, _ b: Double) -> Double { double(value("f64.min", "f64", f64(a), f64(b))) }
    static func f64Max(_ a: Double, _ b: Double) -> Double { double(value("f64.max", "f64", f64(a), f64(b))) }
    static func f32PMin(_ a: Float, _ b: Float) -> Float { lane("f32x4.pmin", a, b) }
    static func f32PMax(_ a: Float, _ b: Float) -> Float { lane("f32x4.pmax", a, b) }
    static func f64PMin(_ a: Double, _ b: Double) -> Double { lane("f64x2.pmin", a, b) }
    static func f64PMax(_ a: Double, _ b: Double) -> Double { lane("f64x2.pmax", a, b) }
    static func f32Nearest(_ x: Float) -> Float { float(value("f32.nearest", "f32", f32(x))) }
    static func f64Nearest(_ x: Double) -> Double { double(value("f64.nearest", "f64", f64(x))) }
    static func f32Ceil(_ x: Float) -> Float { float(value("f32.ceil", "f32", f32(x))) }
    static func f64Ceil(_ x: Double) -> Double { double(value("f64.ceil", "f64", f64(x))) }
    static func f32Floor(_ x: Float) -> Float { float(value("f32.floor", "f32", f32(x))) }
    static func f64Floor(_ x: Double) -> Double { double(value("f64.floor", "f64", f64(x))) }
    static func f32Trunc(_ x: Float) -> Float { float(value("f32.trunc", "f32", f32(x))) }
    static func f64Trunc(_ x: Double) -> Double { double(value("f64.trunc", "f64", f64(x))) }
    static func f32Abs(_ x: Float) -> Float { float(value("f32.abs", "f32", f32(x))) }
    static func f64Abs(_ x: Double) -> Double { double(value("f64.abs", "f64", f64(x))) }
    static func f32Neg(_ x: Float) -> Float { float(value("f32.neg", "f32", f32(x))) }
    static func f64Neg(_ x: Double) -> Double { double(value("f64.neg", "f64", f64(x))) }
    static func f32Copysign(_ a: Float, _ b: Float) -> Float { float(value("f32.copysign", "f32", f32(a), f32(b))) }
    static func f64Copysign(_ a: Double, _ b: Double) -> Double { double(value("f64.copysign", "f64", f64(a), f64(b))) }

    // MARK: Conversions

    static func i32TruncF32S(_ x: Float) -> Int32? { value("i32.trunc_f32_s", "i32", f32(x))?.i32.map { Int32(bitPattern: $0) } }
    static func i32TruncF32U(_ x: Float) -> UInt32? { value("i32.trunc_f32_u", "i32", f32(x))?.i32 }
    static func i32TruncF64S(_ x: Double) -> Int32? { value("i32.trunc_f64_s", "i32", f64(x))?.i32.map { Int32(bitPattern: $0) } }
    static func i32TruncF64U(_ x: Double) -> UInt32? { value("i32.trunc_f64_u", "i32", f64(x))?.i32 }
    static func i64TruncF32S(_ x: Float) -> Int64? { value("i64.trunc_f32_s", "i64", f32(x))?.i64.map { Int64(bitPattern: $0) } }
    static func i64TruncF32U(_ x: Float) -> UInt64? { value("i64.trunc_f32_u", "i64", f32(x))?.i64 }
    static func i64TruncF64S(_ x: Double) -> Int64? { value("i64.trunc_f64_s", "i64", f64(x))?.i64.map { Int64(bitPattern: $0) } }
    static func i64TruncF64U(_ x: Double) -> UInt64? { value("i64.trunc_f64_u", "i64", f64(x))?.i64 }
    static func i32TruncSatF32S(_ x: Float) -> Int32 { Int32(bitPattern: value("i32.trunc_sat_f32_s", "i32", f32(x))!.i32!) }
    static func i32TruncSatF32U(_ x: Float) -> UInt32 { value("i32.trunc_sat_f32_u", "i32", f32(x))!.i32! }
    static func i32TruncSatF64S(_ x: Double) -> Int32 { Int32(bitPattern: value("i32.trunc_sat_f64_s", "i32", f64(x))!.i32!) }
    static func i32TruncSatF64U(_ x: Double) -> UInt32 { value("i32.trunc_sat_f64_u", "i32", f64(x))!.i32! }
    static func i64TruncSatF32S(_ x: Float) -> Int64 { Int64(bitPattern: value("i64.trunc_sat_f32_s", "i64", f32(x))!.i64!) }
    static func i64TruncSatF32U(_ x: Float) -> UInt64 { value("i64.trunc_sat_f32_u", "i64", f32(x))!.i64! }
    static func i64TruncSatF64S(_ x: Double) -> Int64 { Int64(bitPattern: value("i64.trunc_sat_f64_s", "i64", f64(x))!.i64!) }
    static func i64TruncSatF64U(_ x: Double) -> UInt64 { value("i64.trunc_sat_f64_u", "i64", f64(x))!.i64! }
    static func f32ConvertI32S(_ x: Int32) -> Float { float(value("f32.convert_i32_s", "f32", i32(x))) }
    static func f32ConvertI32U(_ x: UInt32) -> Float { float(value("f32.convert_i32_u", "f32", .i32(x))) }
    static func f32ConvertI64S(_ x: Int64) -> Float { float(value("f32.convert_i64_s", "f32", i64(x))) }
    static func f32ConvertI64U(_ x: UInt64) -> Float { float(value("f32.convert_i64_u", "f32", .i64(x))) }
    static func f64ConvertI32S(_ x: Int32) -> Double { double(value("f64.convert_i32_s", "f64", i32(x))) }
    static func f64ConvertI32U(_ x: UInt32) -> Double { double(value("f64.convert_i32_u", "f64", .i32(x))) }
    static func f64ConvertI64S(_ x: Int64) -> Double { double(value("f64.convert_i64_s", "f64", i64(x))) }
    static func f64ConvertI64U(_ x: UInt64) -> Double { double(value("f64.convert_i64_u", "f64", .i64(x))) }
    static func f32DemoteF64(_ x: Double) -> Float { float(value("f32.demote_f64", "f32", f64(x))) }
    static func f64PromoteF32(_ x: Float) -> Double { double(value("f64.promote_f32", "f64", f32(x))) }
}
