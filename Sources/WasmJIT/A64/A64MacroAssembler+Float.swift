import Foundation

/// Floating point, in the float registers (`floatAllocatable`); v0-v2 are
/// the backend's float scratch registers (caller-saved, and nothing lives
/// in them between instructions).
extension A64MacroAssembler {
    /// The sign bit of `size`.
    private func signBit(_ size: FloatSize) -> UInt64 { size == .f64 ? 1 << 63 : 1 << 31 }

    mutating func floatBinary(_ op: FloatBinaryOp, _ size: FloatSize, _ destination: Register, _ lhs: Register, _ rhs: Register) {
        let double = size == .f64
        let (d, l, r) = (fp(destination), fp(lhs), fp(rhs))
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
        case .copysign:
            // Bits only, so NaN payloads stay: (lhs & ~sign) | (rhs & sign),
            // in x16/x17 (rare in code). Both masks are bitmask immediates.
            let sign = signBit(size)
            let all: UInt64 = double ? .max : 0xFFFF_FFFF
            asm.fmov(double: double, Self.s0, l)
            asm.fmov(double: double, Self.s1, r)
            asm.logical(.and, is64: double, Self.s0, Self.s0, immediate: all & ~sign)
            asm.logical(.and, is64: double, Self.s1, Self.s1, immediate: sign)
            asm.logical(.orr, is64: double, Self.s0, Self.s0, Self.s1)
            asm.fmov(double: double, d, Self.s0)
            return
        }
        asm.float(operation, double: double, d, l, r)
    }

    mutating func floatUnary(_ op: FloatUnaryOp, _ size: FloatSize, _ destination: Register, _ source: Register) {
        let double = size == .f64
        let (d, s) = (fp(destination), fp(source))
        let operation: A64Assembler.FloatUnary
        switch op {
        // fabs and fneg only clear or flip the sign bit (FPCR.AH is 0 on
        // Linux): a NaN keeps its payload, as on x86-64.
        case .abs: operation = .fabs
        case .neg: operation = .fneg
        case .sqrt: operation = .fsqrt
        case .ceil: operation = .frintp
        case .floor: operation = .frintm
        case .trunc: operation = .frintz
        case .nearest: operation = .frintn  // ties to even, keeping the sign of zero
        }
        asm.float(operation, double: double, d, s)
    }

    mutating func floatCompare(_ condition: FloatCondition, _ size: FloatSize, _ destination: Register, _ lhs: Register, _ rhs: Register) {
        asm.fcmp(double: size == .f64, fp(lhs), fp(rhs))
        asm.cset(is64: false, reg(destination), Self.a64(condition))
    }

    /// The condition after fcmp. Unordered is NZCV = 0011: of these only ne
    /// holds for it, and each one's inverse is its exact negation (so a
    /// branch when false is a branch on the inverse).
    static func a64(_ condition: FloatCondition) -> A64Condition {
        switch condition {
        case .eq: return .eq
        case .ne: return .ne
        case .lt: return .mi
        case .gt: return .gt
        case .le: return .ls
        case .ge: return .ge
        }
    }

    mutating func branch(floatCompare condition: FloatCondition, _ size: FloatSize, _ lhs: Register, _ rhs: Register, when: Bool,
                         to label: Label) {
        asm.fcmp(double: size == .f64, fp(lhs), fp(rhs))
        let c = Self.a64(condition)
        branch(when ? c : c.inverted, to: label)
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
            asm.fcvt(toDouble: true, fp(destination), fp(source))
        case .demote:
            asm.fcvt(toDouble: false, fp(destination), fp(source))
        case .fromInteger(let signed, let from64, let to):
            // The w forms read an i32 as signed or unsigned 32 bits.
            asm.cvtf(signed: signed, is64: from64, double: to == .f64, fp(destination), reg(source))
        case .toInteger(let signed, let to64, let from, let saturating):
            let s = fp(source)
            if !saturating { checkTruncation(signed: signed, to64: to64, from: from, s) }
            // fcvtz* saturate and give 0 for NaN: trunc_sat exactly, and
            // in range (checked above) the trapping truncation.
            asm.fcvtz(signed: signed, is64: to64, double: from == .f64, reg(destination), s)
        }
    }

    /// The trapping truncations: `v` must be no NaN (invalid conversion) and
    /// within range (integer overflow): above `lower` (or equal, for the
    /// signed minimum when it is exact) and below `upper`.
    private mutating func checkTruncation(signed: Bool, to64: Bool, from: FloatSize, _ v: A64FPRegister) {
        let double = from == .f64
        let bits = to64 ? 64.0 : 32.0
        let upper = signed ? Foundation.pow(2, bits - 1) : Foundation.pow(2, bits)
        // Signed: -2^(n-1) converts (inclusive); below it the value must be
        // above -2^(n-1) - 1, which only f64 can hold for i32.
        let lowerInclusive = signed && !(to64 == false && double)
        let lower = signed ? (lowerInclusive ? -upper : -upper - 1) : -1.0
        let overflow = trapLabel(.integerOverflow)
        asm.fcmp(double: double, v, v)
        asm.b(.vs, trapLabel(.invalidConversionToInteger))
        floatConstant(from, lower, into: .v1)
        asm.fcmp(double: double, v, .v1)
        asm.b(lowerInclusive ? .mi : .ls, overflow)
        floatConstant(from, upper, into: .v1)
        asm.fcmp(double: double, v, .v1)
        asm.b(.ge, overflow)
    }
}
