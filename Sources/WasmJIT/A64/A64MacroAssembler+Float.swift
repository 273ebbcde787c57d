import Foundation

/// Floating point. Float values travel in general registers as bits; v0-v2
/// are the backend's float scratch registers (caller-saved, and nothing
/// lives in them between instructions).
extension A64MacroAssembler {
    private mutating func toFP(_ size: FloatSize, _ v: A64FPRegister, _ r: Register) {
        asm.fmov(double: size == .f64, v, reg(r))
    }

    /// fmov w, s zero-extends, so an f32 result stays zero-extended.
    private mutating func fromFP(_ size: FloatSize, _ r: Register, _ v: A64FPRegister) {
        asm.fmov(double: size == .f64, reg(r), v)
    }

    /// The sign bit of `size`.
    private func signBit(_ size: FloatSize) -> UInt64 { size == .f64 ? 1 << 63 : 1 << 31 }

    mutating func floatBinary(_ op: FloatBinaryOp, _ size: FloatSize, _ destination: Register, _ lhs: Register, _ rhs: Register) {
        let double = size == .f64
        if op == .copysign {
            // Bits only, so NaN payloads stay: (lhs & ~sign) | (rhs & sign).
            // Both masks are bitmask immediates.
            let sign = signBit(size)
            let all: UInt64 = double ? .max : 0xFFFF_FFFF
            asm.logical(.and, is64: double, Self.s0, reg(lhs), immediate: all & ~sign)
            asm.logical(.and, is64: double, Self.s1, reg(rhs), immediate: sign)
            asm.logical(.orr, is64: double, reg(destination), Self.s0, Self.s1)
            return
        }
        toFP(size, .v0, lhs)
        toFP(size, .v1, rhs)
        let operation: A64Assembler.FloatBinary
        switch op {
        case .add: operation = .fadd
        case .sub: operation = .fsub
        case .mul: operation = .fmul
        case .div: operation = .fdiv
        // fmin/fmax are wasm's min/max: a NaN operand gives a NaN (quieted,
        // an arithmetic NaN as the spec allows), and -0 < +0.
        case .min: operation = .fmin
        case .max: operation = .fmax
        case .copysign: return
        }
        asm.float(operation, double: double, .v0, .v0, .v1)
        fromFP(size, destination, .v0)
    }

    mutating func floatUnary(_ op: FloatUnaryOp, _ size: FloatSize, _ destination: Register, _ source: Register) {
        let double = size == .f64
        let (d, s) = (reg(destination), reg(source))
        let sign = signBit(size)
        switch op {
        case .abs:
            // On the bits, as x86-64 does: a NaN keeps its payload.
            asm.logical(.and, is64: double, d, s, immediate: (double ? .max : 0xFFFF_FFFF) & ~sign)
        case .neg:
            asm.logical(.eor, is64: double, d, s, immediate: sign)
        case .sqrt, .ceil, .floor, .trunc, .nearest:
            let operation: A64Assembler.FloatUnary
            switch op {
            case .sqrt: operation = .fsqrt
            case .ceil: operation = .frintp
            case .floor: operation = .frintm
            case .trunc: operation = .frintz
            default: operation = .frintn  // ties to even, keeping the sign of zero
            }
            toFP(size, .v0, source)
            asm.float(operation, double: double, .v0, .v0)
            fromFP(size, destination, .v0)
        }
    }

    mutating func floatCompare(_ condition: FloatCondition, _ size: FloatSize, _ destination: Register, _ lhs: Register, _ rhs: Register) {
        toFP(size, .v0, lhs)
        toFP(size, .v1, rhs)
        asm.fcmp(double: size == .f64, .v0, .v1)
        // Unordered is NZCV = 0011: of these only ne holds for it.
        let c: A64Condition
        switch condition {
        case .eq: c = .eq
        case .ne: c = .ne
        case .lt: c = .mi
        case .gt: c = .gt
        case .le: c = .ls
        case .ge: c = .ge
        }
        asm.cset(is64: false, reg(destination), c)
    }

    /// `v` = the float constant `value` of `size`: fmov #imm when it is
    /// one, else through x16.
    private mutating func floatConstant(_ size: FloatSize, _ value: Double, into v: A64FPRegister) {
        let double = size == .f64
        let bits = double ? value.bitPattern : UInt64(Float(value).bitPattern)
        if let imm8 = A64Assembler.floatImmediate(bits, double: double) {
            asm.fmov(double: double, v, imm8: imm8)
        } else {
            asm.moveImmediate(Self.s0, bits)
            asm.fmov(double: double, v, Self.s0)
        }
    }

    mutating func convert(_ conversion: Conversion, _ destination: Register, _ source: Register) {
        switch conversion {
        case .promote:
            // NaNs: quieted with the payload kept (the interpreter's rule).
            toFP(.f32, .v0, source)
            asm.fcvt(toDouble: true, .v0, .v0)
            fromFP(.f64, destination, .v0)
        case .demote:
            toFP(.f64, .v0, source)
            asm.fcvt(toDouble: false, .v0, .v0)
            fromFP(.f32, destination, .v0)
        case .fromInteger(let signed, let from64, let to):
            // The w forms read an i32 as signed or unsigned 32 bits.
            asm.cvtf(signed: signed, is64: from64, double: to == .f64, .v0, reg(source))
            fromFP(to, destination, .v0)
        case .toInteger(let signed, let to64, let from, let saturating):
            toFP(from, .v0, source)
            if !saturating { checkTruncation(signed: signed, to64: to64, from: from) }
            // fcvtz* saturate and give 0 for NaN: trunc_sat exactly, and
            // in range (checked above) the trapping truncation.
            asm.fcvtz(signed: signed, is64: to64, double: from == .f64, reg(destination), .v0)
        }
    }

    /// The trapping truncations: v0 must be no NaN (invalid conversion) and
    /// within range (integer overflow): above `lower` (or equal, for the
    /// signed minimum when it is exact) and below `upper`.
    private mutating func checkTruncation(signed: Bool, to64: Bool, from: FloatSize) {
        let double = from == .f64
        let bits = to64 ? 64.0 : 32.0
        let upper = signed ? Foundation.pow(2, bits - 1) : Foundation.pow(2, bits)
        // Signed: -2^(n-1) converts (inclusive); below it the value must be
        // above -2^(n-1) - 1, which only f64 can hold for i32.
        let lowerInclusive = signed && !(to64 == false && double)
        let lower = signed ? (lowerInclusive ? -upper : -upper - 1) : -1.0
        let overflow = trapLabel(.integerOverflow)
        asm.fcmp(double: double, .v0, .v0)
        asm.b(.vs, trapLabel(.invalidConversionToInteger))
        floatConstant(from, lower, into: .v1)
        asm.fcmp(double: double, .v0, .v1)
        asm.b(lowerInclusive ? .mi : .ls, overflow)
        floatConstant(from, upper, into: .v1)
        asm.fcmp(double: double, .v0, .v1)
        asm.b(.ge, overflow)
    }
}
