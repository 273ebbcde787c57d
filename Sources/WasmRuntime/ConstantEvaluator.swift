import WasmSyntax

/// Evaluates constant expressions (global and table initialisers, segment
/// offsets and element items) during instantiation. Validation has checked
/// them, so an unexpected instruction is an internal error, reported as a trap.
struct ConstantEvaluator {
    let context: UnsafeMutablePointer<InstanceContext>
    /// How many functions and globals of the instance exist so far.
    let functionCount: Int
    let globalCount: Int
    /// For GC instructions: the store, the module's types and their IDs.
    let store: Store
    let types: [SubType]
    let typeIDs: [Int]

    /// The value as slots (the high slot is only used by v128).
    func evaluate(_ expression: ConstExpression) throws(Trap) -> (UInt64, UInt64) {
        var stack: [(UInt64, UInt64)] = []
        stack.reserveCapacity(4)
        func pop() throws(Trap) -> (UInt64, UInt64) {
            guard let v = stack.popLast() else { throw Trap(.host("invalid constant expression")) }
            return v
        }
        for instruction in expression {
            switch (instruction.opcode, instruction.immediate) {
            case (.i32Const, .i32(let v)): stack.append((UInt64(UInt32(bitPattern: v)), 0))
            case (.i64Const, .i64(let v)): stack.append((UInt64(bitPattern: v), 0))
            case (.f32Const, .f32(let bits)): stack.append((UInt64(bits), 0))
            case (.f64Const, .f64(let bits)): stack.append((bits, 0))
            case (.v128Const, .v128(let v)): stack.append((v.lo, v.hi))
            case (.refNull, _): stack.append((ReferenceBits.null, 0))
            case (.refFunc, .index(let i)):
                guard Int(i) < functionCount else { throw Trap(.host("invalid constant expression")) }
                stack.append((UInt64(UInt(bitPattern: context.pointee.functions[Int(i)])), 0))
            case (.globalGet, .index(let i)):
                guard Int(i) < globalCount else { throw Trap(.host("invalid constant expression")) }
                let cell = context.pointee.globals[Int(i)]
                stack.append((cell[0], cell[1]))
            case (.i32Add, _), (.i32Sub, _), (.i32Mul, _):
                let b = UInt32(truncatingIfNeeded: try pop().0), a = UInt32(truncatingIfNeeded: try pop().0)
                let r: UInt32 = instruction.opcode == .i32Add ? a &+ b : instruction.opcode == .i32Sub ? a &- b : a &* b
                stack.append((UInt64(r), 0))
            case (.i64Add, _), (.i64Sub, _), (.i64Mul, _):
                let b = try pop().0, a = try pop().0
                let r: UInt64 = instruction.opcode == .i64Add ? a &+ b : instruction.opcode == .i64Sub ? a &- b : a &* b
                stack.append((r, 0))
            case (.refI31, _):
                stack.append((ReferenceBits.i31(UInt32(truncatingIfNeeded: try pop().0)), 0))
            case (.anyConvertExtern, _), (.externConvertAny, _):
                break
            case (.structNew, .index(let t)), (.structNewDefault, .index(let t)):
                guard Int(t) < types.count, case .struct(let fields) = types[Int(t)].composite else {
                    throw Trap(.host("invalid constant expression"))
                }
                let total = types[Int(t)].composite.fieldSlotOffsets.total
                let object = try store.allocateObject(typeID: typeIDs[Int(t)], length: 0, slots: UInt64(total))
                if instruction.opcode == .structNew {
                    var values: [(UInt64, UInt64)] = []
                    for _ in fields { values.append(try pop()) }
                    var slot = ObjectLayout.fields
                    for (f, v) in zip(fields, values.reversed()) {
                        object[slot] = v.0
                        if f.storage.slotCount == 2 { object[slot + 1] = v.1 }
                        slot += f.storage.slotCount
                    }
                }
                stack.append((UInt64(UInt(bitPattern: object)), 0))
            case (.arrayNew, .index(let t)), (.arrayNewDefault, .index(let t)), (.arrayNewFixed, .indexPair(let t, _)):
                guard Int(t) < types.count, case .array(let element) = types[Int(t)].composite else {
                    throw Trap(.host("invalid constant expression"))
                }
                var values: [(UInt64, UInt64)] = []
                let length: UInt64
                switch instruction.opcode {
                case .arrayNewFixed:
                    guard case .indexPair(_, let n) = instruction.immediate else { throw Trap(.host("invalid constant expression")) }
                    for _ in 0..<n { values.append(try pop()) }
                    values.reverse()
                    length = UInt64(n)
                case .arrayNew:
                    length = UInt64(UInt32(truncatingIfNeeded: try pop().0))
                    values = [try pop()]
                default:
                    length = UInt64(UInt32(truncatingIfNeeded: try pop().0))
                }
                let width = element.storage.slotCount
                let object = try store.allocateObject(typeID: typeIDs[Int(t)], length: length, slots: length * UInt64(width))
                if !values.isEmpty {
                    for i in 0..<Int(length) {
                        let v = values.count == 1 ? values[0] : values[i]
                        object[ObjectLayout.fields + i * width] = v.0
                        if width == 2 { object[ObjectLayout.fields + i * width + 1] = v.1 }
                    }
                }
                stack.append((UInt64(UInt(bitPattern: object)), 0))
            default:
                throw Trap(.host("unsupported constant instruction \(instruction.opcode.mnemonic)"))
            }
        }
        return try pop()
    }
}
