import WasmBinary
import WasmSyntax

/// Instructions, flat and folded, with their immediates. Function bodies are
/// encoded to bytes as they are parsed; constant expressions are collected
/// as `Instruction` values.
extension ModuleParser {
    // MARK: - Emitting

    mutating func emit(_ instruction: Instruction) {
        if inConstantExpression {
            constantInstructions.append(instruction)
        } else {
            code.instruction(instruction)
        }
    }

    // MARK: - Sequences

    /// Parses instructions up to a `)`, the end of input, or a keyword that
    /// closes or splits a block (`end`, `else`, `catch`, `catch_all`,
    /// `delegate`), which is left for the caller.
    mutating func instructions() throws(TextError) {
        while true {
            let t = cursor.peek
            if t.kind == .leftParen {
                try foldedInstruction()
            } else if t.kind == .keyword && !isBlockDelimiter(t) {
                try plainInstruction()
            } else {
                return
            }
        }
    }

    private func isBlockDelimiter(_ t: Token) -> Bool {
        cursor.isKeyword(t, "end") || cursor.isKeyword(t, "else") || cursor.isKeyword(t, "catch")
            || cursor.isKeyword(t, "catch_all") || cursor.isKeyword(t, "delegate")
    }

    // MARK: - Labels

    private mutating func pushLabel(_ id: Token?) {
        labels.append(id.map { text.identifier($0) })
    }

    /// After `end` or `else`: an optional identifier that must repeat the
    /// block's label.
    private mutating func closingLabel(_ label: String?) throws(TextError) {
        guard let id = cursor.optionalID() else { return }
        guard let label, text.identifier(id) == label else { throw cursor.error("mismatching label", at: id) }
    }

    /// A label index: a depth as written, or the innermost label of that name.
    mutating func labelIndex() throws(TextError) -> UInt32 {
        let t = cursor.peek
        switch t.kind {
        case .nat:
            return try cursor.u32()
        case .id:
            let name = text.identifier(t)
            guard let i = labels.lastIndex(where: { $0 == name }) else {
                throw cursor.error("unknown label \(text.text(t))", at: t)
            }
            cursor.pos += 1
            return UInt32(labels.count - 1 - i)
        default:
            throw cursor.unexpected()
        }
    }

    // MARK: - Flat instructions

    private mutating func plainInstruction() throws(TextError) {
        let keyword = cursor.peek
        switch text.text(keyword) {
        case "block", "loop", "if":
            cursor.pos += 1
            let op: Opcode = cursor.isKeyword(keyword, "block") ? .block : cursor.isKeyword(keyword, "loop") ? .loop : .if
            let label = cursor.optionalID()
            let type = try blockType()
            emit(Instruction(op, .block(type)))
            pushLabel(label)
            let name = labels.last ?? nil
            try instructions()
            if op == .if && cursor.takeKeyword("else") {
                try closingLabel(name)
                try elseBranch()
            }
            try cursor.expectKeyword("end")
            try closingLabel(name)
            emit(Instruction(.end))
            labels.removeLast()
        case "try_table":
            cursor.pos += 1
            let label = cursor.optionalID()
            let type = try blockType()
            let catches = try catchClauses()
            emit(Instruction(.tryTable, .tryTable(type, catches)))
            pushLabel(label)
            let name = labels.last ?? nil
            try instructions()
            try cursor.expectKeyword("end")
            try closingLabel(name)
            emit(Instruction(.end))
            labels.removeLast()
        case "try":
            cursor.pos += 1
            let label = cursor.optionalID()
            let type = try blockType()
            emit(Instruction(.try, .block(type)))
            pushLabel(label)
            let name = labels.last ?? nil
            try instructions()
            while cursor.peekIsKeyword("catch") {
                cursor.pos += 1
                try closingLabel(name)
                emit(Instruction(.catch, .index(try index(tags))))
                try instructions()
            }
            if cursor.takeKeyword("catch_all") {
                try closingLabel(name)
                emit(Instruction(.catchAll))
                try instructions()
            }
            if cursor.takeKeyword("delegate") {
                labels.removeLast()
                emit(Instruction(.delegate, .index(try labelIndex())))
                return
            }
            try cursor.expectKeyword("end")
            try closingLabel(name)
            emit(Instruction(.end))
            labels.removeLast()
        default:
            cursor.pos += 1
            try operation(keyword)
        }
    }

    /// `else` and its instructions. An empty else branch is left out, as
    /// `if bt instr* end` means the same (and encoders write it so).
    private mutating func elseBranch() throws(TextError) {
        let codeMark = code.bytes.count
        let constantMark = constantInstructions.count
        emit(Instruction(.else))
        try instructions()
        if inConstantExpression {
            if constantInstructions.count == constantMark + 1 { constantInstructions.removeLast() }
        } else if code.bytes.count == codeMark + 1 {
            code.bytes.removeLast()
        }
    }

    /// `(catch tag label)`, `(catch_ref tag label)`, `(catch_all label)`,
    /// `(catch_all_ref label)` of `try_table`, resolved outside its block.
    private mutating func catchClauses() throws(TextError) -> [Catch] {
        var catches: [Catch] = []
        while true {
            if cursor.takeOpen("catch") {
                let tag = try index(tags)
                catches.append(.catch(tag: tag, label: try labelIndex()))
            } else if cursor.takeOpen("catch_ref") {
                let tag = try index(tags)
                catches.append(.catchRef(tag: tag, label: try labelIndex()))
            } else if cursor.takeOpen("catch_all") {
                catches.append(.catchAll(label: try labelIndex()))
            } else if cursor.takeOpen("catch_all_ref") {
                catches.append(.catchAllRef(label: try labelIndex()))
            } else {
                return catches
            }
            try cursor.expectRightParen()
        }
    }

    // MARK: - Folded instructions

    /// `( instr ... )`: a folded block, `if`, `try`, or a plain instruction
    /// whose folded operands come first in the encoding.
    mutating func foldedInstruction() throws(TextError) {
        guard foldDepth < Self.maxFoldDepth else { throw cursor.error("nesting too deep", at: cursor.peek) }
        foldDepth += 1
        defer { foldDepth -= 1 }
        try cursor.expectLeftParen()
        let keyword = cursor.peek
        guard keyword.kind == .keyword else { throw cursor.unexpected() }
        switch text.text(keyword) {
        case "block", "loop":
            cursor.pos += 1
            let label = cursor.optionalID()
            let type = try blockType()
            emit(Instruction(cursor.isKeyword(keyword, "block") ? .block : .loop, .block(type)))
            pushLabel(label)
            try instructions()
            labels.removeLast()
            emit(Instruction(.end))
        case "if":
            cursor.pos += 1
            let label = cursor.optionalID()
            let type = try blockType()
            while cursor.atLeftParen && !cursor.peekIsOpen("then") {
                try foldedInstruction()
            }
            emit(Instruction(.if, .block(type)))
            pushLabel(label)
            guard cursor.takeOpen("then") else { throw cursor.unexpected() }
            try instructions()
            try cursor.expectRightParen()
            if cursor.takeOpen("else") {
                try elseBranch()
                try cursor.expectRightParen()
            }
            labels.removeLast()
            emit(Instruction(.end))
        case "try_table":
            cursor.pos += 1
            let label = cursor.optionalID()
            let type = try blockType()
            let catches = try catchClauses()
            emit(Instruction(.tryTable, .tryTable(type, catches)))
            pushLabel(label)
            try instructions()
            labels.removeLast()
            emit(Instruction(.end))
        case "try":
            cursor.pos += 1
            let label = cursor.optionalID()
            let type = try blockType()
            emit(Instruction(.try, .block(type)))
            pushLabel(label)
            guard cursor.takeOpen("do") else { throw cursor.unexpected() }
            try instructions()
            try cursor.expectRightParen()
            var hasHandlers = false
            while cursor.takeOpen("catch") {
                hasHandlers = true
                emit(Instruction(.catch, .index(try index(tags))))
                try instructions()
                try cursor.expectRightParen()
            }
            if cursor.takeOpen("catch_all") {
                hasHandlers = true
                emit(Instruction(.catchAll))
                try instructions()
                try cursor.expectRightParen()
            }
            if !hasHandlers && cursor.peekIsOpen("delegate") {
                cursor.pos += 2
                labels.removeLast()
                emit(Instruction(.delegate, .index(try labelIndex())))
                try cursor.expectRightParen()
            } else {
                labels.removeLast()
                emit(Instruction(.end))
            }
        default:
            if isBlockDelimiter(keyword) { throw cursor.unexpected() }
            cursor.pos += 1
            try operation(keyword, folded: true)
        }
        try cursor.expectRightParen()
    }

    // MARK: - Plain instructions

    /// A plain instruction: its immediates, then (folded) its operands, then
    /// the instruction itself.
    private mutating func operation(_ keyword: Token, folded: Bool = false) throws(TextError) {
        let mnemonic = text.text(keyword)
        guard let op = Opcode(mnemonic: mnemonic), !Self.binaryOnly.contains(op) else {
            if let atomic = AtomicInstruction.byMnemonic[mnemonic] {
                try atomicOperation(atomic, keyword: keyword, folded: folded)
                return
            }
            if Self.descriptorInstructions.contains(mnemonic) {
                throw cursor.unsupported("custom descriptors instruction \(mnemonic)", at: keyword)
            }
            throw cursor.unexpected(keyword)
        }
        let instruction = try immediates(op, keyword: keyword)
        if folded {
            while cursor.atLeftParen { try foldedInstruction() }
        }
        emit(instruction)
    }

    /// Opcodes that only exist in the binary format: the text writes them
    /// with the plain mnemonic and a type that selects the variant.
    static let binaryOnly: Set<Opcode> = [.selectTyped, .refTestNull, .refCastNull]

    static let descriptorInstructions: Set<String> = [
        "ref.get_desc", "ref.cast_desc_eq", "ref.test_desc", "struct.new_desc", "struct.new_default_desc",
        "br_on_cast_desc_eq", "br_on_cast_desc_eq_fail", "array.new_exact",
    ]

    private mutating func atomicOperation(_ atomic: AtomicInstruction, keyword: Token, folded: Bool) throws(TextError) {
        guard !inConstantExpression else {
            throw cursor.unsupported("atomic instruction in a constant expression", at: keyword)
        }
        var immediate = BinaryWriter()
        if atomic.isFence {
            immediate.byte(0)
        } else {
            immediate.memarg(try memarg(naturalAlignment: atomic.alignLog2))
        }
        if folded {
            while cursor.atLeftParen { try foldedInstruction() }
        }
        code.byte(0xFE)
        code.u32(atomic.code)
        code.append(immediate.bytes)
    }

    private mutating func immediates(_ op: Opcode, keyword: Token) throws(TextError) -> Instruction {
        switch op.immediateKind {
        case .none:
            if op == .select && cursor.peekIsOpen("result") {
                var types: [ValueType] = []
                while cursor.takeOpen("result") {
                    while !cursor.atRightParen { types.append(try valueType()) }
                    try cursor.expectRightParen()
                }
                return Instruction(.selectTyped, .valueTypes(types))
            }
            return Instruction(op)
        case .block, .tryTable:
            throw cursor.unexpected(keyword)
        case .label:
            return Instruction(op, .index(try labelIndex()))
        case .brTable:
            var targets: [UInt32] = [try labelIndex()]
            while cursor.atIndex { targets.append(try labelIndex()) }
            let defaultTarget = targets.removeLast()
            return Instruction(op, .brTable(targets: targets, defaultTarget: defaultTarget))
        case .function:
            return Instruction(op, .index(try index(functions)))
        case .callIndirect:
            let table = try optionalIndex(tables)
            let use = try typeUse(allowNames: false)
            return Instruction(op, .indexPair(try resolve(use).index, table))
        case .type:
            return Instruction(op, .index(try index(types)))
        case .local:
            return Instruction(op, .index(try index(locals)))
        case .global:
            return Instruction(op, .index(try index(globals)))
        case .table:
            return Instruction(op, .index(try optionalIndex(tables)))
        case .memory:
            return Instruction(op, .index(try optionalIndex(memories)))
        case .tag:
            return Instruction(op, .index(try index(tags)))
        case .elem:
            return Instruction(op, .index(try index(elems)))
        case .data:
            usesDataIndex = true
            return Instruction(op, .index(try index(datas)))
        case .valueTypes:
            throw cursor.unexpected(keyword)
        case .memarg:
            return Instruction(op, .memarg(try memarg(naturalAlignment: Self.naturalAlignment(op))))
        case .memargLane:
            let hasMemory = cursor.peek.kind == .id
                || (cursor.peek.kind == .nat && (cursor.peek(1).kind == .nat || isMemargKeyword(cursor.peek(1))))
            var m = try memarg(naturalAlignment: Self.naturalAlignment(op), allowMemory: hasMemory)
            if !hasMemory { m.memory = 0 }
            return Instruction(op, .memargLane(m, lane: try laneIndex()))
        case .lane:
            return Instruction(op, .lane(try laneIndex()))
        case .shuffle:
            var lanes: [Token] = []
            while cursor.text.isFloatLiteral(cursor.peek) { lanes.append(cursor.advance()) }
            guard lanes.count == 16 else { throw cursor.laneCountError("invalid lane length") }
            var bytes: [UInt8] = []
            for lane in lanes {
                guard let v = text.natural(lane, max: 255) else { throw cursor.error("i8 constant out of range", at: lane) }
                bytes.append(UInt8(v))
            }
            return Instruction(op, .v128(V128(bytes: bytes)))
        case .i32:
            return Instruction(op, .i32(try cursor.i32()))
        case .i64:
            return Instruction(op, .i64(try cursor.i64()))
        case .f32:
            return Instruction(op, .f32(try cursor.f32()))
        case .f64:
            return Instruction(op, .f64(try cursor.f64()))
        case .v128:
            return Instruction(op, .v128(try cursor.v128()))
        case .heapType:
            if op == .refNull { return Instruction(op, .heapType(try heapType())) }
            // ref.test / ref.cast take a reference type; nullability picks
            // the opcode.
            let r = try referenceType()
            let variant: Opcode = op == .refTest ? (r.nullable ? .refTestNull : .refTest)
                                                 : (r.nullable ? .refCastNull : .refCast)
            return Instruction(variant, .heapType(r.heapType))
        case .brOnCast:
            let label = try labelIndex()
            let from = try referenceType()
            let to = try referenceType()
            return Instruction(op, .brOnCast(label: label, from: from, to: to))
        case .typeField:
            let type = try index(types)
            let fieldToken = cursor.peek
            let field: UInt32
            if fieldToken.kind == .id {
                guard let names = fieldNames[type], let f = names.names[text.identifier(fieldToken)] else {
                    throw cursor.error("unknown field \(text.text(fieldToken))", at: fieldToken)
                }
                cursor.pos += 1
                field = f
            } else {
                field = try cursor.u32()
            }
            return Instruction(op, .indexPair(type, field))
        case .typeCount:
            let type = try index(types)
            return Instruction(op, .indexPair(type, try cursor.u32()))
        case .typeData:
            usesDataIndex = true
            let type = try index(types)
            return Instruction(op, .indexPair(type, try index(datas)))
        case .typeElem:
            let type = try index(types)
            return Instruction(op, .indexPair(type, try index(elems)))
        case .typeType:
            let destination = try index(types)
            return Instruction(op, .indexPair(destination, try index(types)))
        case .memoryInit:
            usesDataIndex = true
            if cursor.peek(1).kind == .nat || cursor.peek(1).kind == .id {
                let memory = try index(memories)
                return Instruction(op, .indexPair(try index(datas), memory))
            }
            return Instruction(op, .indexPair(try index(datas), 0))
        case .memoryCopy:
            if cursor.atIndex {
                let destination = try index(memories)
                return Instruction(op, .indexPair(destination, try index(memories)))
            }
            return Instruction(op, .indexPair(0, 0))
        case .tableInit:
            if cursor.peek(1).kind == .nat || cursor.peek(1).kind == .id {
                let table = try index(tables)
                return Instruction(op, .indexPair(try index(elems), table))
            }
            return Instruction(op, .indexPair(try index(elems), 0))
        case .tableCopy:
            if cursor.atIndex {
                let destination = try index(tables)
                return Instruction(op, .indexPair(destination, try index(tables)))
            }
            return Instruction(op, .indexPair(0, 0))
        }
    }

    // MARK: - Memory and lane immediates

    private func isMemargKeyword(_ t: Token) -> Bool {
        t.kind == .keyword && (text.hasPrefix(t, "offset=") || text.hasPrefix(t, "align="))
    }

    /// `memidx? offset=n? align=n?`. The alignment is written in bytes and
    /// must be a power of two; the immediate stores its log2.
    mutating func memarg(naturalAlignment: UInt32, allowMemory: Bool = true) throws(TextError) -> MemArg {
        var m = MemArg(align: naturalAlignment)
        if allowMemory && cursor.atIndex { m.memory = try index(memories) }
        if cursor.peek.kind == .keyword && text.hasPrefix(cursor.peek, "offset=") {
            let t = cursor.advance()
            let value = Token(.nat, Int(t.start) + 7, Int(t.end))
            guard Keywords.isNat(Array(text.source[value.range])) else { throw cursor.unexpected(t) }
            guard let offset = text.natural(value, max: .max) else { throw cursor.error("i64 constant out of range", at: t) }
            m.offset = offset
        }
        if cursor.peek.kind == .keyword && text.hasPrefix(cursor.peek, "align=") {
            let t = cursor.advance()
            let value = Token(.nat, Int(t.start) + 6, Int(t.end))
            guard Keywords.isNat(Array(text.source[value.range])) else { throw cursor.unexpected(t) }
            guard let align = text.natural(value, max: .max) else { throw cursor.error("i64 constant out of range", at: t) }
            guard align != 0, align & (align - 1) == 0 else {
                throw cursor.error("alignment must be a power of two", at: t)
            }
            m.align = UInt32(align.trailingZeroBitCount)
        }
        return m
    }

    private mutating func laneIndex() throws(TextError) -> UInt8 {
        let t = cursor.peek
        guard t.kind == .nat else { throw cursor.unexpected() }
        guard let v = text.natural(t, max: 255) else { throw cursor.error("i8 constant out of range", at: t) }
        cursor.pos += 1
        return UInt8(v)
    }

    /// log2 of the natural alignment of a memory access: its width in bytes.
    static func naturalAlignment(_ op: Opcode) -> UInt32 {
        switch op {
        case .i32Load8S, .i32Load8U, .i64Load8S, .i64Load8U, .i32Store8, .i64Store8,
             .v128Load8Splat, .v128Load8Lane, .v128Store8Lane:
            return 0
        case .i32Load16S, .i32Load16U, .i64Load16S, .i64Load16U, .i32Store16, .i64Store16,
             .v128Load16Splat, .v128Load16Lane, .v128Store16Lane:
            return 1
        case .i32Load, .f32Load, .i64Load32S, .i64Load32U, .i32Store, .f32Store, .i64Store32,
             .v128Load32Splat, .v128Load32Lane, .v128Store32Lane, .v128Load32Zero:
            return 2
        case .i64Load, .f64Load, .i64Store, .f64Store, .v128Load8x8S, .v128Load8x8U, .v128Load16x4S,
             .v128Load16x4U, .v128Load32x2S, .v128Load32x2U, .v128Load64Splat, .v128Load64Lane,
             .v128Store64Lane, .v128Load64Zero:
            return 3
        default:
            return 4
        }
    }
}
