import WasmBinary
import WasmRuntime
import WasmSyntax
import WasmValidation

/// Translates one function body to IR in a single pass: it reads each
/// instruction with `InstructionReader`, validates it with
/// `FunctionValidator`, and emits IR for it before reading the next
/// (docs/architecture.md, decision 1). Forward branches are patched when their
/// targets are reached.
///
/// The operand stack is *virtual*: every entry has a home slot at its static
/// height, but `local.get` and constants stay where they are (a local's
/// slot, an immediate) until an instruction consumes them, so that
/// `local.get a; local.get b; i32.add; local.set c` becomes one
/// `i32.add c, a, b`. The rules that keep this sound:
/// - before a local is written, entries that refer to it are copied home;
/// - at block boundaries entries that refer to locals are copied home, so
///   that every path agrees on where values are (constants may stay, they
///   never change);
/// - values that flow to a label are copied to the label's homes.
struct FunctionTranslator {
    let context: ValidationContext
    let consumesFuel: Bool
    var validator: FunctionValidator
    var reader: InstructionReader
    let functionType: FuncType

    var code: [UInt64] = []
    var stack: [Operand] = []
    var control: [ControlEntry] = []

    /// The slot of each local (parameters first); a v128 takes two.
    var localSlots: [Int] = []
    var localTypes: [ValueType] = []
    /// The first slot after the locals: the home of the stack's bottom entry.
    let localsEnd: Int
    /// A hidden local after the declared ones: zeroed on entry like them and
    /// never written, so an access to a constant address can use it as its
    /// base.
    let zeroSlot: Int
    let parameterSlots: Int
    let resultSlots: Int
    /// One past the highest slot the frame uses.
    var maxSlot: Int
    /// Whether the current code is reachable.
    var live = true
    /// The last instruction, when it wrote a single result at its `a`
    /// operand and no label has been placed since: `local.set` may redirect
    /// the result, `br_if` may fuse a comparison.
    var lastResult: (start: Int, slot: Int)?
    /// The last instruction, when it is a one-slot `copy` and no label has
    /// been placed since: the next copy joins it.
    var lastCopy: Int?
    /// Where the last instruction and the one before it start (the code
    /// ends with them), for superinstructions.
    var lastStart: Int?
    var previousStart: Int?
    /// Whether no label has been placed yet: the code so far runs once per
    /// call, straight from the entry.
    var atEntry = true
    /// Declared locals written since the entry (tracked while `atEntry`):
    /// the others still hold the zero they start with, so that writing a
    /// zero to them (`i32.const 0; local.set`, which compilers emit at the
    /// top of functions) can be left out. Saves 2 of fib's 12 instructions
    /// per call.
    var writtenAtEntry: Set<Int> = []
    /// An index or slot does not fit an instruction's operand field.
    var operandOverflow = false
    /// Catch clauses of `try_table`s, in the order they were read.
    var clauses: [HandlerClause] = []
    /// Clause indices in the order their regions ended: innermost first.
    var clauseOrder: [Int] = []
    /// Clauses that branch to the function's label, i.e. return.
    var returningClauses: [Int] = []
    /// Legacy `try` blocks keep their caught exception in a hidden slot
    /// after the frame (for `rethrow`): the clauses and `throwRef`
    /// instructions that name one, by try number, fixed up at the end.
    var legacyTryCount = 0
    var legacySlotClauses: [(clause: Int, id: Int)] = []
    var legacySlotUses: [(code: Int, id: Int)] = []
    /// The module offset of the wasm instruction being translated (the
    /// body's start before the first one).
    var sourceOffset: Int
    /// Where each instruction's IR starts and the wasm instruction it came
    /// from (`SourceMap`): an entry when the offset changes, dropped with
    /// the instructions a peephole removes. Only traps read it.
    var sourceMap: [UInt64] = []

    /// Lazy `local.get` stops above this stack height, which bounds the
    /// work of copying entries home before a local is written.
    static let maxLazyHeight = 128

    init(context: ValidationContext, configuration: EngineConfiguration, function: WasmSyntax.Function, index: UInt32) throws(CompileError) {
        self.context = context
        self.consumesFuel = configuration.consumesFuel
        do {
            validator = try FunctionValidator(context: context, functionIndex: index, locals: function.locals, offset: function.bodyOffset)
        } catch {
            throw CompileError(validationError: error)
        }
        reader = InstructionReader(function.body, features: context.features)
        sourceOffset = function.bodyOffset
        functionType = context.funcType(ofFunction: index) ?? FuncType()
        localTypes = validator.localTypes
        var slot = 0
        localSlots.reserveCapacity(localTypes.count)
        for t in localTypes {
            localSlots.append(slot)
            slot += t.slotCount
        }
        zeroSlot = slot
        localsEnd = slot + 1
        parameterSlots = functionType.params.slotCount
        resultSlots = functionType.results.slotCount
        maxSlot = Swift.max(localsEnd, resultSlots)
    }

    /// Translates the whole body.
    mutating func translate() throws(CompileError) -> TranslatedFunction {
        control.append(ControlEntry(kind: .function, height: 0, params: [], results: functionType.results, homeBase: localsEnd, reachable: true))
        if consumesFuel { emit(IR.word(.consumeFuel)) }
        while !validator.isFinished {
            sourceOffset = reader.offset
            let instruction = try validator.read(from: &reader)
            translate(instruction)
        }
        try validator.checkEnd(of: reader)
        fuseLastTwo()
        previousStart = nil
        if legacyTryCount > 0 {
            let base = maxSlot
            maxSlot += legacyTryCount
            for (clause, id) in legacySlotClauses { clauses[clause].exceptionSlot = base + id }
            for (index, id) in legacySlotUses { code[index] = IR.word(.throwRef, checked(base + id)) }
        }
        if !returningClauses.isEmpty {
            // Catching to the function's label returns the caught values.
            for i in returningClauses { clauses[i].target = code.count }
            emit(IR.word(.ret))
        }
        if operandOverflow || maxSlot > IR.maxOperand {
            throw CompileError(.unsupported, "function too large for the interpreter", offset: reader.offset)
        }
        return TranslatedFunction(code: code, frameSlots: maxSlot, parameterSlots: parameterSlots,
                                  localSlots: localsEnd, resultSlots: resultSlots,
                                  handlers: clauseOrder.map { clauses[$0] }, sourceMap: sourceMap)
    }

    /// Emits IR for one validated instruction.
    mutating func translate(_ instruction: Instruction) {
        let op = instruction.opcode
        if !live {
            translateUnreachable(instruction)
            return
        }
        switch op {
        case .nop: break
        case .unreachable:
            emit(IR.word(.unreachable))
            live = false
        case .block, .loop, .if, .else, .end, .br, .brIf, .brTable, .return:
            translateControl(instruction)
        case .call, .callIndirect, .callRef, .returnCall, .returnCallIndirect, .returnCallRef:
            translateCall(instruction)
        case .drop:
            _ = pop()
        case .select, .selectTyped:
            translateSelect()
        case .localGet:
            guard case .index(let i) = instruction.immediate else { return }
            let slot = localSlots[Int(i)]
            let type = localTypes[Int(i)]
            if stack.count < Self.maxLazyHeight {
                push(type, .local(slot))
            } else {
                let home = nextHome
                emitCopy(to: home, from: slot, type: type)
                push(type, .temp)
            }
        case .localSet, .localTee:
            guard case .index(let i) = instruction.immediate else { return }
            translateLocalSet(Int(i), tee: op == .localTee)
        case .globalGet:
            guard case .index(let i) = instruction.immediate else { return }
            let type = context.globals[Int(i)].valueType
            let home = nextHome
            emitResult(IR.word(type == .v128 ? .globalGet128 : .globalGet, home, checked(Int(i))), slot: home)
            push(type, .temp)
        case .globalSet:
            guard case .index(let i) = instruction.immediate else { return }
            let value = pop()
            let slot = self.slot(of: value)
            emit(IR.word(value.type == .v128 ? .globalSet128 : .globalSet, slot, checked(Int(i))))
        case .i32Const, .i64Const, .f32Const, .f64Const:
            guard let (type, bits) = instruction.scalarConstant else { return }
            push(type, .const(bits))
        case .v128Const:
            guard case .v128(let v) = instruction.immediate else { return }
            push(.v128, .const128(v))
        case .refNull:
            guard case .heapType(let h) = instruction.immediate else { return }
            push(.ref(RefType(nullable: true, heapType: h)), .const(0))
        case .i32ReinterpretF32, .f32ReinterpretI32, .i64ReinterpretF64, .f64ReinterpretI64:
            // Same bits, new type.
            var value = pop()
            value.type = op.signature?.results.first ?? value.type
            stack.append(value)
        case .refIsNull:
            let value = pop()
            let slot = self.slot(of: value)
            let home = nextHome
            emitResult(IR.word(.refIsNull, home, slot), slot: home)
            push(.i32, .temp)
        case .refAsNonNull:
            var value = pop()
            let s = slot(of: value)
            emit(IR.word(.refAsNonNull, s))
            if case .ref(var r) = value.type { r.nullable = false; value.type = .ref(r) }
            if value.isConstant { value.location = .temp }
            stack.append(value)
        case .refEq:
            // References are compared by their bits.
            let rhs = pop()
            let lhs = pop()
            let r = slot(of: rhs)
            let l = slot(of: lhs)
            emitResult(IR.word(.i64Eq, lhs.home, l), UInt64(r), slot: lhs.home)
            push(.i32, .temp)
        case .brOnNull, .brOnNonNull, .tryTable, .throw, .throwRef, .try, .catch, .catchAll, .delegate, .rethrow:
            translateControl(instruction)
        case .i64Add128, .i64Sub128:
            let h2 = pop(), l2 = pop(), h1 = pop(), l1 = pop()
            let s3 = slot(of: h2), s2 = slot(of: l2), s1 = slot(of: h1), s0 = slot(of: l1)
            emit(IR.word(op == .i64Add128 ? .i64Add128 : .i64Sub128, l1.home, s0), IR.pair(s1, s2), UInt64(s3))
            push(.i64, .temp)
            push(.i64, .temp)
        case .i64MulWideS, .i64MulWideU:
            let y = pop(), x = pop()
            let s1 = slot(of: y), s0 = slot(of: x)
            emit(IR.word(op == .i64MulWideS ? .i64MulWideS : .i64MulWideU, x.home, s0), UInt64(s1))
            push(.i64, .temp)
            push(.i64, .temp)
        case .refFunc:
            guard case .index(let f) = instruction.immediate else { return }
            let home = nextHome
            emitResult(IR.word(.refFunc, home, checked(Int(f))), slot: home)
            let typeIndex = context.functionTypeIndices[Int(f)]
            push(.ref(RefType(nullable: false, heapType: .concrete(typeIndex))), .temp)
        default:
            if translateMemory(instruction) { return }
            if translateTable(instruction) { return }
            if translateNumeric(op) { return }
            if translateVector(instruction) { return }
            if translateGC(instruction) { return }
            // Validation accepted an instruction the interpreter cannot run
            // (a 3.0 proposal not implemented yet): trap if it is reached,
            // and keep following the block structure.
            emit(IR.word(.unreachable))
            live = false
            if op == .tryTable { translateUnreachable(instruction) }
        }
    }

    // MARK: Operand stack

    /// The home slot of the next entry pushed.
    var nextHome: Int {
        guard let top = stack.last else { return localsEnd }
        return top.home + top.type.slotCount
    }

    mutating func push(_ type: ValueType, _ location: Operand.Location) {
        let home = nextHome
        stack.append(Operand(location: location, type: type, home: home))
        let end = home + type.slotCount
        if end > maxSlot { maxSlot = end }
    }

    mutating func pop() -> Operand {
        // Validation guarantees the entry exists in reachable code.
        stack.popLast() ?? Operand(location: .const(0), type: .i32, home: nextHome)
    }

    /// The slot that holds a popped operand; constants are written to their home first.
    mutating func slot(of operand: Operand) -> Int {
        switch operand.location {
        case .temp: return operand.home
        case .local(let s): return s
        case .const, .const128:
            emitMove(to: operand.home, from: operand)
            return operand.home
        }
    }

    /// Moves stack entry `index` to its home slot.
    mutating func materialize(_ index: Int) {
        let operand = stack[index]
        if case .temp = operand.location { return }
        emitMove(to: operand.home, from: operand)
        stack[index].location = .temp
    }

    /// Moves every entry that refers to a local to its home (before a block
    /// boundary, or before the local `slot` is written when given).
    mutating func materializeLocals(slot: Int? = nil) {
        for i in stack.indices {
            guard case .local(let s) = stack[i].location else { continue }
            if slot == nil || slot == s { materialize(i) }
        }
    }

    // MARK: Emission

    /// Notes the start of an instruction about to be appended.
    mutating func begin() {
        fuseLastTwo()
        previousStart = lastStart
        lastStart = code.count
        SourceMap.note(&sourceMap, code: code.count, offset: sourceOffset)
    }

    /// Turns the last two instructions into a superinstruction when the
    /// second uses the first one's result and `WC_FUSIONS` has the pair:
    /// the first one's operation changes, every word stays. Done when the
    /// next instruction begins (and at the end), when the two are final:
    /// until then the last one may still be redirected, merged or removed.
    mutating func fuseLastTwo() {
        guard let p = previousStart, let x = lastStart, p < x, x < code.count else { return }
        let first = code[p], second = code[x]
        let result = IR.a(first)
        var fields: [(CChar, Int)] = [(CChar(UInt8(ascii: "b")), IR.b(second)), (CChar(UInt8(ascii: "a")), IR.a(second))]
        if x + 1 < code.count { fields.insert((CChar(UInt8(ascii: "c")), Int(truncatingIfNeeded: code[x + 1])), at: 0) }
        for (field, slot) in fields where slot == result {
            if let fused = Fusions.fused(IR.op(first), length: x - p, IR.op(second), field) {
                code[p] = first & ~UInt64(0xFFFF) | UInt64(fused.rawValue)
                return
            }
        }
    }

    /// Removes the last instruction (which starts at `start`).
    mutating func removeLastInstruction(at start: Int) {
        code.removeSubrange(start...)
        SourceMap.drop(&sourceMap, from: start)
        lastResult = nil
        lastStart = previousStart
        previousStart = nil
    }

    mutating func emit(_ w0: UInt64) {
        begin()
        code.append(w0)
        lastResult = nil
        lastCopy = nil
    }

    mutating func emit(_ w0: UInt64, _ w1: UInt64) {
        begin()
        code.append(w0)
        code.append(w1)
        lastResult = nil
        lastCopy = nil
    }

    mutating func emit(_ w0: UInt64, _ w1: UInt64, _ w2: UInt64) {
        begin()
        code.append(w0)
        code.append(w1)
        code.append(w2)
        lastResult = nil
        lastCopy = nil
    }

    /// Emits an instruction that writes one result at its `a` operand.
    mutating func emitResult(_ w0: UInt64, _ rest: UInt64..., slot: Int) {
        begin()
        let start = code.count
        code.append(w0)
        code.append(contentsOf: rest)
        lastResult = (start, slot)
        lastCopy = nil
    }

    /// Marks the current position as a branch target: peephole rewrites
    /// must not reach across it.
    mutating func placeLabel() {
        lastResult = nil
        lastCopy = nil
        atEntry = false
    }

    mutating func emitMove(to destination: Int, from operand: Operand) {
        switch operand.location {
        case .temp: emitCopy(to: destination, from: operand.home, type: operand.type)
        case .local(let s): emitCopy(to: destination, from: s, type: operand.type)
        case .const(let bits): emit(IR.word(.const64, destination), bits)
        case .const128(let v): emit(IR.word(.const128, destination), v.lo, v.hi)
        }
    }

    mutating func emitCopy(to destination: Int, from source: Int, type: ValueType) {
        guard destination != source else { return }
        if type == .v128 {
            emit(IR.word(.copy128, destination, source))
            return
        }
        // Runs of copies (moves between locals at a loop's end, values to
        // a label) pair up into one instruction.
        if let previous = lastCopy {
            code[previous] = code[previous] & ~UInt64(0xFFFF) | UInt64(Op.copy2.rawValue)
            code.append(IR.pair(destination, source))
            lastCopy = nil
            return
        }
        emit(IR.word(.copy, destination, source))
        lastCopy = code.count - 1
    }

    /// An index for an operand field; flags indices that do not fit.
    mutating func checked(_ value: Int) -> Int {
        if value < 0 || value > IR.maxOperand { operandOverflow = true }
        return value
    }

    // MARK: Locals

    mutating func translateLocalSet(_ index: Int, tee: Bool) {
        let target = localSlots[index]
        var value = pop()
        if case .local(let s) = value.location, s == target {
            // local.set x of local.get x: nothing changes.
            if tee { stack.append(value) }
            return
        }
        if atEntry {
            if index >= functionType.params.count && value.isZeroConstant && !writtenAtEntry.contains(index) {
                // The local still holds its initial zero.
                if tee { stack.append(value) }
                return
            }
            writtenAtEntry.insert(index)
        }
        // Entries that still refer to the local must read its old value
        // (copying them home also ends the chance to redirect below).
        materializeLocals(slot: target)
        if case .temp = value.location, let last = lastResult, last.slot == value.home {
            // Redirect the instruction that computed the value to the local.
            code[last.start] = code[last.start] & ~(UInt64(0xFF_FFFF) << 16) | UInt64(target) << 16
            lastResult = nil
            if tee {
                value.location = .local(target)
                stack.append(value)
            }
            return
        }
        emitMove(to: target, from: value)
        if tee {
            if case .temp = value.location { value.location = .local(target) }
            stack.append(value)
        }
    }

    mutating func translateSelect() {
        let condition = pop()
        let second = pop()
        let first = pop()
        let conditionSlot = slot(of: condition)
        let secondSlot = slot(of: second)
        let firstSlot = slot(of: first)
        let home = first.home
        emitResult(IR.word(first.type == .v128 ? .select128 : .select, home, conditionSlot),
                   IR.pair(firstSlot, secondSlot), slot: home)
        push(first.type, .temp)
    }
}

/// An entry of the virtual operand stack.
struct Operand {
    enum Location {
        /// In its home slot.
        case temp
        /// In a local's slot (a `local.get` not yet copied).
        case local(Int)
        /// A constant not yet written anywhere.
        case const(UInt64)
        case const128(V128)
    }

    var location: Location
    var type: ValueType
    /// The slot of this stack height.
    var home: Int
}

/// What the translator produces for one function.
struct TranslatedFunction {
    var code: [UInt64]
    var frameSlots: Int
    var parameterSlots: Int
    var localSlots: Int
    var resultSlots: Int
    var handlers: [HandlerClause]
    /// IR positions to wasm module offsets (`SourceMap`).
    var sourceMap: [UInt64] = []
}
