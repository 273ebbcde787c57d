import WasmBinary
import WasmSyntax

/// The rule an invalid module breaks: one targeted mutation of a valid
/// module, for fuzzing validators (the mutated module must be rejected).
public enum InvalidModuleRule: String, CaseIterable, Sendable {
    /// An instruction gets an operand of the wrong type.
    case operandType = "operand-type"
    case unknownLocal = "unknown-local"
    case unknownFunction = "unknown-function"
    case unknownGlobal = "unknown-global"
    case unknownLabel = "unknown-label"
    /// A block type names a type index that does not exist.
    case unknownBlockType = "unknown-block-type"
    /// A block type names a struct or array type.
    case nonFunctionBlockType = "non-function-block-type"
    /// `global.set` of an immutable global.
    case immutableGlobal = "immutable-global"
    /// A function body without its final `end`.
    case missingEnd = "missing-end"
    /// A LEB128 integer longer than its type allows.
    case overlongLEB = "overlong-leb"
    /// A LEB128 integer with bits set beyond its type's range.
    case unusedLEBBits = "leb-unused-bits"
    case duplicateExport = "duplicate-export"
    /// Limits whose minimum exceeds their maximum.
    case limitsMinAboveMax = "limits-min-above-max"
    /// A start function that takes parameters or returns results.
    case startSignature = "start-signature"

    /// Whether the spec calls the failure malformed (binary format) rather
    /// than invalid.
    public var isMalformed: Bool {
        switch self {
        case .missingEnd, .overlongLEB, .unusedLEBBits: return true
        default: return false
        }
    }

    /// A substring of the official test suite's message for the failure.
    public var expectedMessage: String {
        switch self {
        case .operandType, .nonFunctionBlockType: return "type mismatch"
        case .unknownLocal: return "unknown local"
        case .unknownFunction: return "unknown function"
        case .unknownGlobal: return "unknown global"
        case .unknownLabel: return "unknown label"
        case .unknownBlockType: return "unknown type"
        case .immutableGlobal: return "immutable global"
        case .missingEnd: return "unexpected end"
        case .overlongLEB: return "integer representation too long"
        case .unusedLEBBits: return "integer too large"
        case .duplicateExport: return "duplicate export name"
        case .limitsMinAboveMax: return "size minimum must not be greater than maximum"
        case .startSignature: return "start function"
        }
    }
}

/// A module that breaks exactly one rule, and which.
public struct InvalidModule: Sendable {
    public var module: Module
    /// The rule the mutation was meant to break; a mutation that is not
    /// possible in the module falls back to another rule, recorded here.
    public var rule: InvalidModuleRule
    /// What was changed, and where.
    public var description: String
    /// The features the module was generated with.
    public var features: Features
}

extension ModuleGenerator {
    /// A valid module (from all but the first byte) with one mutation
    /// (chosen by the first byte and placed by the bytes the generator
    /// left over) that breaks one validation or binary-format rule.
    public func generateInvalid(_ bytes: [UInt8]) -> InvalidModule {
        let ruleByte = bytes.first ?? 0
        let generated = generate(Array(bytes.dropFirst()))
        let rest = Array(bytes.dropFirst().dropFirst(generated.bytesUsed))
        let rule = InvalidModuleRule.allCases[Int(ruleByte) % InvalidModuleRule.allCases.count]
        var mutator = ModuleMutator(module: generated.module, features: generated.features, u: ByteSource(rest))
        let (applied, description) = mutator.apply(rule)
        return InvalidModule(module: mutator.module, rule: applied, description: description, features: generated.features)
    }
}

/// Applies one rule-breaking mutation to a valid module.
struct ModuleMutator {
    var module: Module
    let features: Features
    var u: ByteSource

    var types: [SubType] { module.definedTypes }

    var importedFunctionCount: Int {
        module.imports.filter { if case .function = $0.descriptor { return true } else { return false } }.count
    }

    var functionCount: Int { importedFunctionCount + module.functions.count }

    var globalTypes: [GlobalType] {
        var all: [GlobalType] = []
        for item in module.imports { if case .global(let g) = item.descriptor { all.append(g) } }
        return all + module.globals.map(\.type)
    }

    mutating func apply(_ rule: InvalidModuleRule) -> (InvalidModuleRule, String) {
        switch rule {
        case .duplicateExport:
            ensureFunction()
            let name = module.exports.first?.name ?? "dup"
            if module.exports.isEmpty { module.exports.append(Export(name: name, descriptor: .function(0))) }
            module.exports.append(Export(name: name, descriptor: .function(0)))
            return (rule, "export \"\(name)\" twice")
        case .limitsMinAboveMax:
            if !module.memories.isEmpty {
                let m = u.index(module.memories.count)
                var limits = module.memories[m].limits
                let max = limits.max ?? limits.min
                limits.max = max
                limits.min = max + 1
                module.memories[m].limits = limits
                return (rule, "defined memory \(m) gets limits \(limits.min)..\(max)")
            }
            if !module.tables.isEmpty {
                let t = u.index(module.tables.count)
                var limits = module.tables[t].type.limits
                let max = limits.max ?? limits.min
                limits.max = max
                limits.min = max + 1
                module.tables[t].type.limits = limits
                return (rule, "defined table \(t) gets limits \(limits.min)..\(max)")
            }
            let hasMemory = module.imports.contains { if case .memory = $0.descriptor { return true } else { return false } }
            if !hasMemory {
                module.memories.append(MemoryType(limits: Limits(min: 1, max: 0)))
                return (rule, "a memory with limits 1..0")
            }
            return apply(.duplicateExport)
        case .startSignature:
            let candidates = (0..<functionCount).filter { f in
                guard let t = functionType(f) else { return false }
                return !t.params.isEmpty || !t.results.isEmpty
            }
            guard let f = u.choose(candidates) else {
                ensureFunction()
                module.start = UInt32(functionCount)
                return (.unknownFunction, "start names function \(functionCount), which does not exist")
            }
            module.start = UInt32(f)
            return (rule, "start names function \(f), which has parameters or results")
        case .missingEnd:
            let f = chooseFunction()
            module.functions[f].body = module.functions[f].body.dropLast()
            return (rule, "the final end of defined function \(f) removed")
        default:
            return mutateBody(rule)
        }
    }

    /// Inserts code that breaks `rule` at an instruction boundary of a
    /// defined function.
    private mutating func mutateBody(_ rule: InvalidModuleRule) -> (InvalidModuleRule, String) {
        let f = chooseFunction()
        let body = module.functions[f].body
        // Instruction boundaries and the label depth at each.
        var boundaries: [(offset: Int, depth: Int)] = []
        var reader = InstructionReader(body)
        var depth = 1
        while !reader.isAtEnd {
            let offset = reader.offset
            guard let instruction = try? reader.read() else { break }
            if instruction.opcode == .end && reader.isAtEnd {
                boundaries.append((offset, depth))
                break
            }
            boundaries.append((offset, depth))
            switch instruction.opcode {
            case .block, .loop, .if, .tryTable, .try: depth += 1
            case .end, .delegate: depth -= 1
            default: break
            }
        }
        let (offset, labels) = boundaries.isEmpty ? (body.startIndex, 1) : boundaries[u.index(boundaries.count)]
        var w = BinaryWriter()
        var rule = rule
        var what: String
        switch rule {
        case .operandType:
            let pushes: [(Instruction, ValueType)] = [(Instruction(.i32Const, .i32(0)), .i32), (Instruction(.i64Const, .i64(0)), .i64),
                                                      (Instruction(.f32Const, .f32(0)), .f32), (Instruction(.f64Const, .f64(0)), .f64)]
            let consumers: [(Opcode, ValueType)] = [(.i32Eqz, .i32), (.i64Eqz, .i64), (.f32Neg, .f32), (.f64Neg, .f64)]
            let (push, pushed) = pushes[u.index(4)]
            let wrong = consumers.filter { $0.1 != pushed }
            let (consumer, _) = wrong[u.index(wrong.count)]
            w.instruction(push)
            w.instruction(Instruction(consumer))
            w.instruction(Instruction(.drop))
            what = "\(push.opcode.mnemonic) then \(consumer.mnemonic)"
        case .unknownLocal:
            let locals = UInt32((functionType(importedFunctionCount + f)?.params.count ?? 0))
                + module.functions[f].locals.reduce(0) { $0 + $1.count }
            w.instruction(Instruction(.localGet, .index(locals)))
            w.instruction(Instruction(.drop))
            what = "local.get \(locals)"
        case .unknownFunction:
            w.instruction(Instruction(.call, .index(UInt32(functionCount))))
            what = "call \(functionCount)"
        case .unknownGlobal:
            w.instruction(Instruction(.globalGet, .index(UInt32(globalTypes.count))))
            w.instruction(Instruction(.drop))
            what = "global.get \(globalTypes.count)"
        case .unknownLabel:
            w.instruction(Instruction(.br, .index(UInt32(labels))))
            what = "br \(labels) inside \(labels) labels"
        case .nonFunctionBlockType where !features.contains(.multiValue),
             .unknownBlockType where !features.contains(.multiValue):
            // Without multi-value a type index is no block type at all
            // (malformed); break a label rule instead.
            rule = .unknownLabel
            w.instruction(Instruction(.br, .index(UInt32(labels))))
            what = "br \(labels) inside \(labels) labels"
        case .nonFunctionBlockType, .unknownBlockType:
            let nonFunction = types.indices.filter { types[$0].funcType == nil }
            let x: Int
            if rule == .nonFunctionBlockType, let y = u.choose(nonFunction) {
                x = y
            } else {
                rule = .unknownBlockType
                x = types.count
            }
            w.instruction(Instruction(.block, .block(.typeIndex(UInt32(x)))))
            w.instruction(Instruction(.end))
            what = "block (type \(x))"
        case .immutableGlobal:
            let globals = globalTypes
            let candidates = globals.indices.filter { !globals[$0].mutable && globals[$0].valueType.isNumber }
            if let g = u.choose(candidates) {
                let value: Instruction
                switch globals[g].valueType {
                case .i32: value = Instruction(.i32Const, .i32(0))
                case .i64: value = Instruction(.i64Const, .i64(0))
                case .f32: value = Instruction(.f32Const, .f32(0))
                default: value = Instruction(.f64Const, .f64(0))
                }
                w.instruction(value)
                w.instruction(Instruction(.globalSet, .index(UInt32(g))))
                what = "global.set \(g) (immutable)"
            } else {
                rule = .unknownGlobal
                w.instruction(Instruction(.globalGet, .index(UInt32(globals.count))))
                w.instruction(Instruction(.drop))
                what = "global.get \(globals.count)"
            }
        case .overlongLEB:
            // i32.const 0 in six bytes (at most five are allowed).
            w.append([0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x1A])
            what = "i32.const with a six-byte LEB128"
        default:
            rule = .unusedLEBBits
            // local.get with a u32 index of 2^32.
            w.append([0x20, 0x80, 0x80, 0x80, 0x80, 0x10, 0x1A])
            what = "local.get with a LEB128 index of 2^32"
        }
        var bytes = Array(body[body.startIndex..<offset])
        bytes += w.bytes
        bytes += body[offset...]
        module.functions[f].body = bytes[...]
        return (rule, "\(what) inserted at byte \(offset - body.startIndex) of defined function \(f)")
    }

    func functionType(_ f: Int) -> FuncType? {
        var index = 0
        for item in module.imports {
            if case .function(let t) = item.descriptor {
                if index == f { return types.indices.contains(Int(t)) ? types[Int(t)].funcType : nil }
                index += 1
            }
        }
        let d = f - index
        guard d >= 0, d < module.functions.count else { return nil }
        let t = Int(module.functions[d].typeIndex)
        return types.indices.contains(t) ? types[t].funcType : nil
    }

    /// A defined function to mutate (one is added if there is none).
    private mutating func chooseFunction() -> Int {
        ensureFunction()
        return u.index(module.functions.count)
    }

    /// Adds a function of type [] -> [] if the module defines none.
    private mutating func ensureFunction() {
        guard module.functions.isEmpty else { return }
        var typeIndex = types.firstIndex { $0.funcType == FuncType() }
        if typeIndex == nil {
            module.types.append(RecGroup(types: [SubType(composite: .func(FuncType()))]))
            typeIndex = types.count - 1
        }
        module.functions.append(Function(typeIndex: UInt32(typeIndex ?? 0), body: [0x0B]))
    }
}
