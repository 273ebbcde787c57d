/// Values of number tokens. The lexer has checked the syntax, so these only
/// compute values and detect overflow.
extension LexedText {
    /// The magnitude of a `nat` or `int` token and whether it is negative;
    /// nil when the magnitude exceeds 64 bits or the token is no integer.
    func integer(_ t: Token) -> (negative: Bool, magnitude: UInt64)? {
        guard t.kind == .nat || t.kind == .int else { return nil }
        var i = Int(t.start)
        let end = Int(t.end)
        var negative = false
        if source[i] == UInt8(ascii: "+") {
            i += 1
        } else if source[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        var value: UInt64 = 0
        if end - i > 2 && source[i] == UInt8(ascii: "0") && source[i + 1] == UInt8(ascii: "x") {
            i += 2
            while i < end {
                if let d = hexValue(source[i]) {
                    guard value >> 60 == 0 else { return nil }
                    value = value << 4 | UInt64(d)
                }
                i += 1
            }
        } else {
            while i < end {
                let b = source[i]
                if b != UInt8(ascii: "_") {
                    let (m, o1) = value.multipliedReportingOverflow(by: 10)
                    let (s, o2) = m.addingReportingOverflow(UInt64(b - UInt8(ascii: "0")))
                    guard !o1 && !o2 else { return nil }
                    value = s
                }
                i += 1
            }
        }
        return (negative, value)
    }

    /// An unsigned literal (`nat` token) of at most `max`.
    func natural(_ t: Token, max: UInt64) -> UInt64? {
        guard t.kind == .nat, let (_, v) = integer(t), v <= max else { return nil }
        return v
    }

    /// The bits of an N-bit integer literal (signed or unsigned
    /// interpretation, `-2^(N-1) ... 2^N-1`), or nil when out of range.
    func integerBits(_ t: Token, bitWidth: Int) -> UInt64? {
        guard let (negative, magnitude) = integer(t) else { return nil }
        let unsignedMax: UInt64 = bitWidth == 64 ? .max : (1 << UInt64(bitWidth)) - 1
        let mask = unsignedMax
        if negative {
            guard magnitude <= UInt64(1) << UInt64(bitWidth - 1) else { return nil }
            return (0 &- magnitude) & mask
        }
        guard magnitude <= unsignedMax else { return nil }
        return magnitude
    }

    /// Whether the token can denote a float: a number token or one of the
    /// keywords `inf`, `nan`, `nan:0x...`.
    func isFloatLiteral(_ t: Token) -> Bool {
        switch t.kind {
        case .nat, .int, .float: return true
        case .keyword: return equals(t, "inf") || equals(t, "nan") || isNaNPayloadKeyword(t)
        default: return false
        }
    }

    private func isNaNPayloadKeyword(_ t: Token) -> Bool {
        guard hasPrefix(t, "nan:0x"), t.end - t.start > 6 else { return false }
        var previousUnderscore = true
        for i in (Int(t.start) + 6)..<Int(t.end) {
            let b = source[i]
            if b == UInt8(ascii: "_") {
                if previousUnderscore { return false }
                previousUnderscore = true
            } else if hexValue(b) != nil {
                previousUnderscore = false
            } else {
                return false
            }
        }
        return !previousUnderscore
    }

    /// The bits of an f32 literal, or nil when it is out of range (rounds
    /// to infinity, or a NaN payload that does not fit) or not a float.
    func float32Bits(_ t: Token) -> UInt32? {
        guard let bits = floatBits(t, exponentBits: 8, mantissaBits: 23) else { return nil }
        return UInt32(truncatingIfNeeded: bits)
    }

    func float64Bits(_ t: Token) -> UInt64? {
        floatBits(t, exponentBits: 11, mantissaBits: 52)
    }

    private func floatBits(_ t: Token, exponentBits: UInt64, mantissaBits: UInt64) -> UInt64? {
        guard isFloatLiteral(t) else { return nil }
        var i = Int(t.start)
        let end = Int(t.end)
        var negative = false
        if source[i] == UInt8(ascii: "+") {
            i += 1
        } else if source[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        let signBit: UInt64 = negative ? 1 << (exponentBits + mantissaBits) : 0
        let infinity: UInt64 = ((1 << exponentBits) - 1) << mantissaBits
        let rest = Token(.keyword, i, end)
        if equals(rest, "inf") { return signBit | infinity }
        if equals(rest, "nan") { return signBit | infinity | (1 << (mantissaBits - 1)) }
        if hasPrefix(rest, "nan:") {
            var payload: UInt64 = 0
            for k in (i + 6)..<end {
                guard let d = hexValue(source[k]) else { continue }
                guard payload >> 60 == 0 else { return nil }
                payload = payload << 4 | UInt64(d)
            }
            guard payload != 0, payload < 1 << mantissaBits else { return nil }
            return signBit | infinity | payload
        }
        // Decimal and hexadecimal literals: the C library's conversion
        // (strtof/strtod) rounds correctly to nearest-even, hex included.
        var text = ""
        text.reserveCapacity(end - i)
        for k in i..<end where source[k] != UInt8(ascii: "_") {
            text.unicodeScalars.append(Unicode.Scalar(source[k]))
        }
        if mantissaBits == 23 {
            guard let f = Float(text), f.isFinite else { return nil }
            return signBit | UInt64(f.bitPattern)
        }
        guard let d = Double(text), d.isFinite else { return nil }
        return signBit | d.bitPattern
    }
}
