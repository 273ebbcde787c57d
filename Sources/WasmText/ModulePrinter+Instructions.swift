import WasmBinary
import WasmSyntax

/// Function bodies and constant expressions, as flat instructions.
extension ModulePrinter {
    mutating func printFunction(_ f: Function, index: Int) {
        var header = "(func (;\(index);) (type \(f.typeIndex))"
        if !f.locals.isEmpty {
            header += " (local"
            for run in f.locals {
                // A hostile count must not make the printer allocate; a run
                // that large cannot come from text anyway.
                if run.count > 10_000 {
                    header += " (; \(run.count) × ;) " + run.type.textName
                } else {
                    for _ in 0..<run.count { header += " " + run.type.textName }
                }
            }
            header += ")"
        }
        line(1, header)
        var depth = 2
        do throws(DecodingError) {
            var instructions = try Self.decodeBody(f.body)
            // The final `end` closes the function, not a block.
            if instructions.last.map(isEnd) == true { instructions.removeLast() }
            for i in instructions {
                switch i {
                case .instruction(let inst):
                    switch inst.opcode {
                    case .end, .else, .catch, .catchAll, .delegate: depth = max(2, depth - 1)
                    default: break
                    }
                    line(depth, instruction(inst))
                    switch inst.opcode {
                    case .block, .loop, .if, .try, .tryTable, .else, .catch, .catchAll: depth += 1
                    default: break
                    }
                case .atomic(let text):
                    line(depth, text)
                }
            }
        } catch {
            line(depth, "(; undecodable body: \(error) ;)")
        }
        line(1, ")")
    }

    private func isEnd(_ i: DecodedInstruction) -> Bool {
        if case .instruction(let inst) = i { return inst.opcode == .end }
        return false
    }

    enum DecodedInstruction {
        case instruction(Instruction)
        /// An atomic instruction, already in text form.
        case atomic(String)
    }

    /// Reads a body with the shared instruction reader; the atomics, which
    /// it does not know, are read here.
    static func decodeBody(_ body: ArraySlice<UInt8>) throws(DecodingError) -> [DecodedInstruction] {
        var out: [DecodedInstruction] = []
        var offset = body.startIndex
        while offset < body.endIndex {
            if body[offset] == 0xFE {
                var reader = BinaryReader(body[offset...])
                _ = try reader.readByte()
                let code = try reader.readU32()
                guard let (name, atomic) = atomicNames[code] else {
                    throw DecodingError("illegal opcode fe \(String(code, radix: 16))", at: offset)
                }
                if atomic.isFence {
                    try reader.readZeroByte()
                    out.append(.atomic(name))
                } else {
                    var align = try reader.readU32()
                    var memory: UInt32 = 0
                    if align & 0x40 != 0 {
                        align &= ~0x40
                        memory = try reader.readU32()
                    }
                    let memarg = MemArg(align: align, offset: try reader.readU64(), memory: memory)
                    out.append(.atomic(name + memargText(memarg, natural: atomic.alignLog2)))
                }
                offset = reader.offset
            } else {
                var reader = InstructionReader(body[offset...])
                out.append(.instruction(try reader.read()))
                offset = reader.offset
            }
        }
        return out
    }

    private static let atomicNames: [UInt32: (String, AtomicInstruction)] = {
        var table: [UInt32: (String, AtomicInstruction)] = [:]
        for (name, atomic) in AtomicInstruction.byMnemonic { table[atomic.code] = (name, atomic) }
        return table
    }()

    /// A constant expression: flat instructions without the final `end`.
    func constantExpression(_ e: ConstExpression) -> String {
        instructionList(e)
    }

    func instructionList(_ e: [Instruction]) -> String {
        e.map(instruction).joined(separator: " ")
    }

    // MARK: - One instruction

    func instruction(_ i: Instruction) -> String {
        let op = i.opcode
        let name: String
        switch op {
        case .selectTyped: name = "select"
        case .refTestNull: name = "ref.test"
        case .refCastNull: name = "ref.cast"
        default: name = op.mnemonic
        }
        let operands = immediate(i)
        return operands.isEmpty ? name : name + " " + operands
    }

    private func immediate(_ i: Instruction) -> String {
        let op = i.opcode
        switch i.immediate {
        case .none:
            return ""
        case .index(let x):
            switch op.immediateKind {
            case .memory, .table: return x == 0 ? "" : "\(x)"
            default: return "\(x)"
            }
        case .indexPair(let a, let b):
            switch op.immediateKind {
            case .callIndirect: return "\(b) (type \(a))"
            case .memoryInit, .tableInit: return "\(b) \(a)"
            default: return "\(a) \(b)"
            }
        case .block(let bt):
            return blockType(bt)
        case .brTable(let targets, let defaultTarget):
            return (targets + [defaultTarget]).map(String.init).joined(separator: " ")
        case .tryTable(let bt, let catches):
            var parts: [String] = []
            let type = blockType(bt)
            if !type.isEmpty { parts.append(type) }
            for c in catches {
                switch c {
                case .catch(let tag, let label): parts.append("(catch \(tag) \(label))")
                case .catchRef(let tag, let label): parts.append("(catch_ref \(tag) \(label))")
                case .catchAll(let label): parts.append("(catch_all \(label))")
                case .catchAllRef(let label): parts.append("(catch_all_ref \(label))")
                }
            }
            return parts.joined(separator: " ")
        case .memarg(let m):
            return Self.memargText(m, natural: ModuleParser.naturalAlignment(op)).trimmingLeadingSpace
        case .memargLane(let m, let lane):
            return (Self.memargText(m, natural: ModuleParser.naturalAlignment(op)) + " \(lane)").trimmingLeadingSpace
        case .lane(let l):
            return "\(l)"
        case .i32(let v):
            return "\(v)"
        case .i64(let v):
            return "\(v)"
        case .f32(let bits):
            return Self.float32(bits)
        case .f64(let bits):
            return Self.float64(bits)
        case .v128(let v):
            if op == .i8x16Shuffle { return v.bytes.map(String.init).joined(separator: " ") }
            let words = [v.lo & 0xFFFF_FFFF, v.lo >> 32, v.hi & 0xFFFF_FFFF, v.hi >> 32]
            return "i32x4 " + words.map { "0x" + String($0, radix: 16) }.joined(separator: " ")
        case .valueTypes(let types):
            return "(result" + types.map { " " + $0.textName }.joined() + ")"
        case .heapType(let h):
            switch op {
            case .refTest, .refCast: return RefType(nullable: false, heapType: h).textName
            case .refTestNull, .refCastNull: return RefType(nullable: true, heapType: h).textName
            default: return h.textName
            }
        case .brOnCast(let label, let from, let to):
            return "\(label) \(from.textName) \(to.textName)"
        }
    }

    private func blockType(_ bt: BlockType) -> String {
        switch bt {
        case .empty: return ""
        case .value(let t): return "(result \(t.textName))"
        case .typeIndex(let i): return "(type \(i))"
        }
    }

    /// ` 1 offset=8 align=4`: the memory when not 0, then the offset and
    /// alignment (in bytes) when not the defaults.
    static func memargText(_ m: MemArg, natural: UInt32) -> String {
        var s = ""
        if m.memory != 0 { s += " \(m.memory)" }
        if m.offset != 0 { s += " offset=\(m.offset)" }
        if m.align != natural { s += m.align < 64 ? " align=\(UInt64(1) << UInt64(m.align))" : " (; align 2^\(m.align) ;)" }
        return s
    }

    static func float32(_ bits: UInt32) -> String {
        let f = Float(bitPattern: bits)
        if f.isNaN {
            let payload = bits & 0x7F_FFFF
            return (bits >> 31 != 0 ? "-" : "") + (payload == 0x40_0000 ? "nan" : "nan:0x" + String(payload, radix: 16))
        }
        if f.isInfinite { return f < 0 ? "-inf" : "inf" }
        return "\(f)"
    }

    static func float64(_ bits: UInt64) -> String {
        let f = Double(bitPattern: bits)
        if f.isNaN {
            let payload = bits & 0xF_FFFF_FFFF_FFFF
            return (bits >> 63 != 0 ? "-" : "") + (payload == 0x8_0000_0000_0000 ? "nan" : "nan:0x" + String(payload, radix: 16))
        }
        if f.isInfinite { return f < 0 ? "-inf" : "inf" }
        return "\(f)"
    }
}

extension String {
    fileprivate var trimmingLeadingSpace: String {
        hasPrefix(" ") ? String(dropFirst()) : self
    }
}
