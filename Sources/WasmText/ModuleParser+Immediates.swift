import WasmBinary
import WasmSyntax

/// An instruction parsed but not yet emitted: a folded instruction's
/// operands come first in the encoding.
enum PendingInstruction {
    case instruction(Instruction)
    /// Bytes of an instruction that has no `Opcode` (the atomics).
    case encoded([UInt8])
}

/// Plain instructions and their immediates.
extension ModuleParser {

    /// A plain instruction (the cursor is after its keyword) with its
    /// immediates, ready to emit once any folded operands are.
    mutating func operation(_ keyword: Token) throws(TextError) -> PendingInstruction {
        let mnemonic = text.text(keyword)
        guard let op = Opcode(mnemonic: mnemonic), !Self.binaryOnly.contains(op) else {
            if let atomic = AtomicInstruction.byMnemonic[mnemonic] {
                return try atomicOperation(atomic, keyword: keyword)
            }
            if Self.descriptorInstructions.contains(mnemonic) {
                throw cursor.unsupported("custom descriptors instruction \(mnemonic)", at: keyword)
            }
            throw cursor.unexpected(keyword)
        }
        return .instruction(try immediates(op, keyword: keyword))
    }

    /// Opcodes that only exist in the binary format: the text writes them
    /// with the plain mnemonic and a type that selects the variant.
    static let binaryOnly: Set<Opcode> = [.selectTyped, .refTestNull, .refCastNull]

    static let descriptorInstructions: Set<String> = [
        "ref.get_desc", "ref.cast_desc_eq", "ref.test_desc", "struct.new_desc", "struct.new_default_desc",
        "br_on_cast_desc_eq", "br_on_cast_desc_eq_fail", "array.new_exact",
    ]

    /// The threads proposal's atomics have no `Opcode`: they are encoded
    /// here, prefix 0xFE, and only allowed in function bodies.
    private mutating func atomicOperation(_ atomic: AtomicInstruction, keyword: Token) throws(TextError) -> PendingInstruction {
        guard !inConstantExpression else {
            throw cursor.unsupported("atomic instruction in a constant expression", at: keyword)
        }
        var encoding = BinaryWriter()
        encoding.byte(0xFE)
        encoding.u32(atomic.code)
        if atomic.isFence {
            encoding.byte(0)
        } else {
            encoding.memarg(try memarg(naturalAlignment: atomic.alignLog2))
        }
        return .encoded(encoding.bytes)
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
            // Offsets are 64-bit with memory64, 32-bit before it.
            let wide = features.contains(.memory64)
            guard let offset = text.natural(value, max: wide ? .max : UInt64(UInt32.max)) else {
                throw cursor.error(wide ? "i64 constant out of range" : "i32 constant out of range", at: t)
            }
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
