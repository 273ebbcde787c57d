import WasmSyntax

/// The keywords of the text format, to tell a misplaced keyword ("unexpected
/// token") from a word that is no keyword at all ("unknown operator").
enum Keywords {
    static let grammar: Set<String> = [
        "module", "type", "rec", "sub", "final", "func", "struct", "array", "field", "mut",
        "param", "result", "local", "import", "export", "table", "memory", "global", "tag",
        "elem", "data", "start", "offset", "item", "declare", "then", "else", "end", "do",
        "catch", "catch_ref", "catch_all", "catch_all_ref", "delegate", "ref", "null", "shared",
        "pagesize", "i32", "i64", "f32", "f64", "v128", "i8", "i16",
        "funcref", "externref", "anyref", "eqref", "i31ref", "structref", "arrayref", "nullref",
        "nullfuncref", "nullexternref", "exnref", "nullexnref",
        "any", "eq", "i31", "none", "nofunc", "extern", "noextern", "exn", "noexn",
        "i8x16", "i16x8", "i32x4", "i64x2", "f32x4", "f64x2",
        "inf", "nan", "nan:canonical", "nan:arithmetic",
        "binary", "quote", "definition", "instance", "register", "invoke", "get",
        "assert_return", "assert_trap", "assert_exhaustion", "assert_exception", "assert_invalid",
        "assert_malformed", "assert_unlinkable", "assert_uninstantiable", "assert_malformed_custom",
        "assert_invalid_custom", "script", "input", "output", "either", "thread", "wait",
        "ref.extern", "ref.host", "ref.struct", "ref.array", "ref.any", "ref.exn",
        "descriptor", "describes", "exact",
    ]

    static func isKnown(_ t: Token, in text: LexedText) -> Bool {
        let s = text.text(t)
        if grammar.contains(s) || AtomicInstruction.byMnemonic[s] != nil { return true }
        if let op = Opcode(mnemonic: s), !ModuleParser.binaryOnly.contains(op) { return true }
        if s.hasPrefix("offset=") || s.hasPrefix("align=") {
            // Only `offset=nat` and `align=nat` are tokens.
            let value = s.utf8.dropFirst(s.hasPrefix("offset=") ? 7 : 6)
            return isNat(Array(value))
        }
        return text.isFloatLiteral(t)
    }

    /// Whether `bytes` is a `nat` literal (decimal or hex, with `_`).
    static func isNat(_ bytes: [UInt8]) -> Bool {
        var i = 0
        var hex = false
        if bytes.count > 2 && bytes[0] == UInt8(ascii: "0") && bytes[1] == UInt8(ascii: "x") {
            hex = true
            i = 2
        }
        guard i < bytes.count else { return false }
        var previousUnderscore = true
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "_") {
                if previousUnderscore { return false }
                previousUnderscore = true
            } else if hex ? hexValue(b) != nil : (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) {
                previousUnderscore = false
            } else {
                return false
            }
            i += 1
        }
        return !previousUnderscore
    }
}

/// The atomic memory instructions of the threads proposal (prefix 0xFE).
/// They have no `Opcode` case, so the parser encodes them itself; they only
/// occur in function bodies.
struct AtomicInstruction {
    var code: UInt32
    /// log2 of the natural alignment.
    var alignLog2: UInt32
    /// `atomic.fence` takes a zero byte instead of a memarg.
    var isFence: Bool

    static let byMnemonic: [String: AtomicInstruction] = {
        var table: [String: AtomicInstruction] = [
            "memory.atomic.notify": .init(code: 0x00, alignLog2: 2, isFence: false),
            "memory.atomic.wait32": .init(code: 0x01, alignLog2: 2, isFence: false),
            "memory.atomic.wait64": .init(code: 0x02, alignLog2: 3, isFence: false),
            "atomic.fence": .init(code: 0x03, alignLog2: 0, isFence: true),
        ]
        let plain: [(String, UInt32)] = [
            ("i32.atomic.load", 2), ("i64.atomic.load", 3), ("i32.atomic.load8_u", 0),
            ("i32.atomic.load16_u", 1), ("i64.atomic.load8_u", 0), ("i64.atomic.load16_u", 1),
            ("i64.atomic.load32_u", 2), ("i32.atomic.store", 2), ("i64.atomic.store", 3),
            ("i32.atomic.store8", 0), ("i32.atomic.store16", 1), ("i64.atomic.store8", 0),
            ("i64.atomic.store16", 1), ("i64.atomic.store32", 2),
        ]
        for (k, (name, align)) in plain.enumerated() {
            table[name] = .init(code: 0x10 + UInt32(k), alignLog2: align, isFence: false)
        }
        var code: UInt32 = 0x1E
        for op in ["add", "sub", "and", "or", "xor", "xchg", "cmpxchg"] {
            let forms: [(String, UInt32)] = [
                ("i32.atomic.rmw.\(op)", 2), ("i64.atomic.rmw.\(op)", 3),
                ("i32.atomic.rmw8.\(op)_u", 0), ("i32.atomic.rmw16.\(op)_u", 1),
                ("i64.atomic.rmw8.\(op)_u", 0), ("i64.atomic.rmw16.\(op)_u", 1),
                ("i64.atomic.rmw32.\(op)_u", 2),
            ]
            for (name, align) in forms {
                table[name] = .init(code: code, alignLog2: align, isFence: false)
                code += 1
            }
        }
        return table
    }()
}
