import WasmRuntime
import WasmSyntax

/// A block, loop, if or the function body, as the translator tracks it.
struct ControlEntry {
    enum Kind { case function, block, loop, `if`, `else` }

    var kind: Kind
    /// The stack height below the block's parameters.
    var height: Int
    var params: [ValueType]
    var results: [ValueType]
    /// The home slot of the first parameter/result: where values flowing
    /// to the label go.
    var homeBase: Int
    /// Where branches to a loop go.
    var loopTarget: Int = 0
    /// Forward branches to the end, patched when it is reached.
    var branches: [Patch] = []
    /// An `if`'s branch to its `else` (or end) when the condition is false.
    var elseBranch: Patch?
    /// Whether the block was entered in reachable code.
    var reachable: Bool
    /// For a `try_table`: where its body starts, and its clauses.
    var tryRegion: (start: Int, clauses: Range<Int>)?
    /// For a legacy `try`: where its body starts and ends (once a `catch`
    /// was read), and the number of its exception slot.
    var legacyTry: (start: Int, end: Int?, id: Int)?

    var labelTypes: [ValueType] { kind == .loop ? params : results }
}

/// A branch whose target is patched later.
enum Patch {
    /// A one-word `br`.
    case br(start: Int)
    /// A branch whose offset is the word at `index`.
    case word(start: Int, index: Int)
    /// A branch whose offset is the low half of the word at `index` (the
    /// high half holds an immediate).
    case low32(start: Int, index: Int)
    /// The target of catch clause `index`.
    case handler(Int)
}

/// A branch condition: taken when `op(a, b)` holds (`op` is a branching
/// op), or `op(a, immediate)` for the immediate forms.
struct BranchCondition {
    var op: Op
    var a: Int
    var b: Int
    var immediate: UInt32 = 0
    /// The cast target of `brIfCast`/`brIfNotCast` (their third word).
    var castTarget: UInt64 = 0

    var hasImmediate: Bool {
        switch op {
        case .brIfI32EqImm, .brIfI32NeImm, .brIfI32LtSImm, .brIfI32LtUImm, .brIfI32GtSImm, .brIfI32GtUImm,
             .brIfI32LeSImm, .brIfI32LeUImm, .brIfI32GeSImm, .brIfI32GeUImm:
            return true
        default:
            return false
        }
    }

    var inverted: BranchCondition {
        let flipped: Op
        switch op {
        case .brIfNez: flipped = .brIfEqz
        case .brIfEqz: flipped = .brIfNez
        case .brIfI32Eq: flipped = .brIfI32Ne
        case .brIfI32Ne: flipped = .brIfI32Eq
        case .brIfI32LtS: flipped = .brIfI32GeS
        case .brIfI32GeS: flipped = .brIfI32LtS
        case .brIfI32LtU: flipped = .brIfI32GeU
        case .brIfI32GeU: flipped = .brIfI32LtU
        case .brIfI32GtS: flipped = .brIfI32LeS
        case .brIfI32LeS: flipped = .brIfI32GtS
        case .brIfI32GtU: flipped = .brIfI32LeU
        case .brIfI32LeU: flipped = .brIfI32GtU
        case .brIfI64Eq: flipped = .brIfI64Ne
        case .brIfI64Ne: flipped = .brIfI64Eq
        case .brIfI64LtS: flipped = .brIfI64GeS
        case .brIfI64GeS: flipped = .brIfI64LtS
        case .brIfI64LtU: flipped = .brIfI64GeU
        case .brIfI64GeU: flipped = .brIfI64LtU
        case .brIfI64GtS: flipped = .brIfI64LeS
        case .brIfI64LeS: flipped = .brIfI64GtS
        case .brIfI64GtU: flipped = .brIfI64LeU
        case .brIfI64LeU: flipped = .brIfI64GtU
        case .brIfI32EqImm: flipped = .brIfI32NeImm
        case .brIfI32NeImm: flipped = .brIfI32EqImm
        case .brIfI32LtSImm: flipped = .brIfI32GeSImm
        case .brIfI32GeSImm: flipped = .brIfI32LtSImm
        case .brIfI32LtUImm: flipped = .brIfI32GeUImm
        case .brIfI32GeUImm: flipped = .brIfI32LtUImm
        case .brIfI32GtSImm: flipped = .brIfI32LeSImm
        case .brIfI32LeSImm: flipped = .brIfI32GtSImm
        case .brIfI32GtUImm: flipped = .brIfI32LeUImm
        case .brIfI32LeUImm: flipped = .brIfI32GtUImm
        case .brIfCast: flipped = .brIfNotCast
        case .brIfNotCast: flipped = .brIfCast
        default: flipped = op
        }
        return BranchCondition(op: flipped, a: a, b: b, immediate: immediate, castTarget: castTarget)
    }

    /// The fused branch for a comparison instruction, if there is one.
    static func fused(_ compare: Op) -> Op? {
        switch compare {
        case .i32Eq: return .brIfI32Eq
        case .i32Ne: return .brIfI32Ne
        case .i32LtS: return .brIfI32LtS
        case .i32LtU: return .brIfI32LtU
        case .i32GtS: return .brIfI32GtS
        case .i32GtU: return .brIfI32GtU
        case .i32LeS: return .brIfI32LeS
        case .i32LeU: return .brIfI32LeU
        case .i32GeS: return .brIfI32GeS
        case .i32GeU: return .brIfI32GeU
        case .i64Eq: return .brIfI64Eq
        case .i64Ne: return .brIfI64Ne
        case .i64LtS: return .brIfI64LtS
        case .i64LtU: return .brIfI64LtU
        case .i64GtS: return .brIfI64GtS
        case .i64GtU: return .brIfI64GtU
        case .i64LeS: return .brIfI64LeS
        case .i64LeU: return .brIfI64LeU
        case .i64GeS: return .brIfI64GeS
        case .i64GeU: return .brIfI64GeU
        case .i32EqImm: return .brIfI32EqImm
        case .i32NeImm: return .brIfI32NeImm
        case .i32LtSImm: return .brIfI32LtSImm
        case .i32LtUImm: return .brIfI32LtUImm
        case .i32GtSImm: return .brIfI32GtSImm
        case .i32GtUImm: return .brIfI32GtUImm
        case .i32LeSImm: return .brIfI32LeSImm
        case .i32LeUImm: return .brIfI32LeUImm
        case .i32GeSImm: return .brIfI32GeSImm
        case .i32GeUImm: return .brIfI32GeUImm
        default: return nil
        }
    }
}

extension FunctionTranslator {
    func blockTypes(_ immediate: Immediate) -> (params: [ValueType], results: [ValueType]) {
        switch immediate {
        case .block(let b), .tryTable(let b, _): return context.signature(of: b)
        default: return ([], [])
        }
    }

    mutating func translateControl(_ instruction: Instruction) {
        switch instruction.opcode {
        case .block, .loop:
            let (params, results) = blockTypes(instruction.immediate)
            enterBlock(instruction.opcode == .loop ? .loop : .block, params: params, results: results)
        case .if:
            let (params, results) = blockTypes(instruction.immediate)
            let condition = pop()
            prepareBlockEntry(parameterCount: params.count)
            let c = branchCondition(for: condition)
            let patch = emitBranch(c.inverted)
            let height = stack.count - params.count
            control.append(ControlEntry(kind: .if, height: height, params: params, results: results,
                                        homeBase: homeAt(height), elseBranch: patch, reachable: true))
        case .else:
            translateElse()
        case .end:
            translateEnd()
        case .br:
            guard case .index(let depth) = instruction.immediate else { return }
            branch(depth: Int(depth))
            live = false
        case .brIf:
            guard case .index(let depth) = instruction.immediate else { return }
            translateBrIf(depth: Int(depth))
        case .brTable:
            guard case .brTable(let targets, let defaultTarget) = instruction.immediate else { return }
            translateBrTable(targets: targets, defaultTarget: defaultTarget)
            live = false
        case .return:
            emitReturn()
            live = false
        case .brOnNull:
            // Branch when null, with the values below the reference; keep
            // the (now non-null) reference otherwise.
            guard case .index(let depth) = instruction.immediate else { return }
            var reference = pop()
            let s = slot(of: reference)
            branchIf(BranchCondition(op: .brIfEqz, a: s, b: 0), depth: Int(depth))
            if case .ref(var r) = reference.type { r.nullable = false; reference.type = .ref(r) }
            if reference.isConstant { reference.location = .temp }
            stack.append(reference)
        case .tryTable:
            guard case .tryTable(_, let catches) = instruction.immediate else { return }
            let (params, results) = blockTypes(instruction.immediate)
            prepareBlockEntry(parameterCount: params.count)
            let first = clauses.count
            for c in catches {
                let index = control.count - 1 - Int(c.label)
                let target = control[index]
                let kind: HandlerClause.Kind
                var tag = 0
                switch c {
                case .catch(let t, _): kind = .catch; tag = Int(t)
                case .catchRef(let t, _): kind = .catchRef; tag = Int(t)
                case .catchAll: kind = .catchAll
                case .catchAllRef: kind = .catchAllRef
                }
                let clause = clauses.count
                clauses.append(HandlerClause(start: 0, end: 0, kind: kind, tag: tag, target: 0,
                                             destination: target.kind == .function ? 0 : target.homeBase,
                                             depth: control.count))
                switch target.kind {
                case .function: returningClauses.append(clause)
                case .loop: clauses[clause].target = target.loopTarget
                default: control[index].branches.append(.handler(clause))
                }
            }
            let height = stack.count - params.count
            var entry = ControlEntry(kind: .block, height: height, params: params, results: results,
                                     homeBase: homeAt(height), reachable: true)
            entry.tryRegion = (code.count, first..<clauses.count)
            placeLabel()
            control.append(entry)
        case .try:
            let (params, results) = blockTypes(instruction.immediate)
            prepareBlockEntry(parameterCount: params.count)
            let height = stack.count - params.count
            var entry = ControlEntry(kind: .block, height: height, params: params, results: results,
                                     homeBase: homeAt(height), reachable: true)
            entry.legacyTry = (code.count, nil, legacyTryCount)
            legacyTryCount += 1
            placeLabel()
            control.append(entry)
        case .catch, .catchAll:
            translateLegacyCatch(instruction)
        case .delegate:
            translateDelegate(instruction)
        case .rethrow:
            guard case .index(let depth) = instruction.immediate else { return }
            let target = control[control.count - 1 - Int(depth)]
            guard let legacy = target.legacyTry else { return }
            legacySlotUses.append((code.count, legacy.id))
            emit(IR.word(.throwRef))
            live = false
        case .throw:
            guard case .index(let tag) = instruction.immediate, let payload = context.tagParameters(tag) else { return }
            let base = prepareArguments(payload.count)
            maxSlot = Swift.max(maxSlot, base + payload.slotCount)
            emit(IR.word(.throwTag, checked(Int(tag)), base), UInt64(payload.slotCount))
            live = false
        case .throwRef:
            let exception = pop()
            emit(IR.word(.throwRef, slot(of: exception)))
            live = false
        case .brOnNonNull:
            // Branch when not null, with the reference as the last value.
            guard case .index(let depth) = instruction.immediate else { return }
            let index = stack.count - 1
            let s: Int
            if case .local(let l) = stack[index].location { s = l } else { materialize(index); s = stack[index].home }
            branchIf(BranchCondition(op: .brIfNez, a: s, b: 0), depth: Int(depth))
            _ = pop()
        default:
            break
        }
    }

    /// Structure tracking in unreachable code: no code is emitted until the
    /// end of the block that became unreachable (or an `else`).
    mutating func translateUnreachable(_ instruction: Instruction) {
        switch instruction.opcode {
        case .block, .loop, .if, .try, .tryTable:
            let (params, results) = blockTypes(instruction.immediate)
            let kind: ControlEntry.Kind = instruction.opcode == .loop ? .loop : instruction.opcode == .if ? .if : .block
            control.append(ControlEntry(kind: kind, height: stack.count, params: params, results: results,
                                        homeBase: nextHome, reachable: false))
        case .else:
            translateElse()
        case .catch, .catchAll:
            translateLegacyCatch(instruction)
        case .delegate:
            translateDelegate(instruction)
        case .end:
            translateEnd()
        default:
            break
        }
    }

    /// The home slot of stack height `height`.
    func homeAt(_ height: Int) -> Int {
        height < stack.count ? stack[height].home : nextHome
    }

    /// Before a block: entries that refer to locals go home, parameters go home.
    mutating func prepareBlockEntry(parameterCount: Int) {
        materializeLocals()
        for i in Swift.max(stack.count - parameterCount, 0)..<stack.count { materialize(i) }
    }

    mutating func enterBlock(_ kind: ControlEntry.Kind, params: [ValueType], results: [ValueType]) {
        prepareBlockEntry(parameterCount: params.count)
        let height = stack.count - params.count
        var entry = ControlEntry(kind: kind, height: height, params: params, results: results,
                                 homeBase: homeAt(height), reachable: true)
        if kind == .loop {
            if consumesFuel {
                // Entering the loop skips the fuel check; back-edges land on it.
                emit(IR.word(.br) | UInt64(bitPattern: Int64(2) << 16))
                entry.loopTarget = code.count
                emit(IR.word(.consumeFuel))
            } else {
                entry.loopTarget = code.count
            }
            placeLabel()
        }
        control.append(entry)
    }

    mutating func translateElse() {
        guard var entry = control.popLast() else { return }
        if live {
            for i in Swift.max(stack.count - entry.results.count, 0)..<stack.count { materialize(i) }
            entry.branches.append(emitJump())
        }
        if let p = entry.elseBranch { patch(p, to: code.count) }
        placeLabel()
        entry.elseBranch = nil
        entry.kind = .else
        if stack.count > entry.height { stack.removeLast(stack.count - entry.height) }
        for t in entry.params { push(t, .temp) }
        live = entry.reachable
        control.append(entry)
    }

    /// A legacy `catch`/`catch_all`: like `else`, the end of the body (or of
    /// the previous handler) and the start of a handler that receives the
    /// payload in the block's homes.
    mutating func translateLegacyCatch(_ instruction: Instruction) {
        guard var entry = control.popLast() else { return }
        if live {
            for i in Swift.max(stack.count - entry.results.count, 0)..<stack.count { materialize(i) }
            entry.branches.append(emitJump())
        }
        placeLabel()
        var payload: [ValueType] = []
        if var legacy = entry.legacyTry {
            if legacy.end == nil {
                legacy.end = code.count
                entry.legacyTry = legacy
            }
            var tag = 0
            if case .index(let t) = instruction.immediate, instruction.opcode == .catch {
                tag = Int(t)
                payload = context.tagParameters(t) ?? []
            }
            let clause = clauses.count
            clauses.append(HandlerClause(start: legacy.start, end: legacy.end ?? code.count,
                                         kind: instruction.opcode == .catch ? .catch : .catchAll, tag: tag,
                                         target: code.count, destination: entry.homeBase, depth: control.count))
            clauseOrder.append(clause)
            legacySlotClauses.append((clause, legacy.id))
        }
        if stack.count > entry.height { stack.removeLast(stack.count - entry.height) }
        for t in payload { push(t, .temp) }
        live = entry.reachable && entry.legacyTry != nil
        control.append(entry)
    }

    /// A legacy `delegate`: ends the `try`; exceptions from its body go to
    /// the handlers of the label it names, skipping those nested deeper.
    mutating func translateDelegate(_ instruction: Instruction) {
        guard let entry = control.last else { return }
        if let legacy = entry.legacyTry, case .index(let depth) = instruction.immediate {
            // The label counts from outside the try.
            let target = control.count - 2 - Int(depth)
            let clause = clauses.count
            clauses.append(HandlerClause(start: legacy.start, end: code.count, kind: .delegate, tag: 0, target: 0,
                                         destination: 0, depth: control.count - 1, delegateDepth: Swift.max(target, 0)))
            clauseOrder.append(clause)
        }
        translateEnd()
    }

    mutating func translateEnd() {
        guard let entry = control.popLast() else { return }
        if let region = entry.tryRegion {
            for i in region.clauses {
                clauses[i].start = region.start
                clauses[i].end = code.count
            }
            clauseOrder.append(contentsOf: region.clauses)
        }
        if entry.kind == .function {
            if live { emitReturn() }
            live = false
            return
        }
        if live {
            for i in Swift.max(stack.count - entry.results.count, 0)..<stack.count { materialize(i) }
        }
        var reachable = live
        if let p = entry.elseBranch {
            patch(p, to: code.count)
            reachable = true
        }
        if !entry.branches.isEmpty {
            for p in entry.branches { patch(p, to: code.count) }
            reachable = true
        }
        placeLabel()
        if stack.count > entry.height { stack.removeLast(stack.count - entry.height) }
        for t in entry.results { push(t, .temp) }
        live = reachable
    }

    // MARK: Branches

    /// Whether the values for a label are not all in the label's homes yet.
    func needsTransfer(_ types: [ValueType], to destination: Int) -> Bool {
        var d = destination
        for operand in stack.suffix(types.count) {
            guard case .temp = operand.location, operand.home == d else { return true }
            d += operand.type.slotCount
        }
        return false
    }

    /// Copies the top `types.count` entries to the homes starting at
    /// `destination`, without changing the virtual stack (the values stay
    /// where they are on a path that does not branch).
    mutating func transfer(_ types: [ValueType], to destination: Int) {
        var d = destination
        for operand in stack.suffix(types.count) {
            if case .temp = operand.location, operand.home == d {} else {
                emitMove(to: d, from: operand)
            }
            d += operand.type.slotCount
        }
    }

    /// An unconditional branch to the label at `depth` with its values.
    mutating func branch(depth: Int) {
        let index = control.count - 1 - depth
        let target = control[index]
        if target.kind == .function {
            emitReturn()
            return
        }
        transfer(target.labelTypes, to: target.homeBase)
        if target.kind == .loop {
            emitJump(to: target.loopTarget)
        } else {
            control[index].branches.append(emitJump())
        }
    }

    mutating func translateBrIf(depth: Int) {
        let condition = pop()
        branchIf(branchCondition(for: condition), depth: depth)
    }

    /// A conditional branch to the label at `depth`, with its values.
    mutating func branchIf(_ c: BranchCondition, depth: Int) {
        let index = control.count - 1 - depth
        let target = control[index]
        if target.kind == .function || needsTransfer(target.labelTypes, to: target.homeBase) {
            let skip = emitBranch(c.inverted)
            branch(depth: depth)
            patch(skip, to: code.count)
            placeLabel()
        } else if target.kind == .loop {
            emitBranch(c, to: target.loopTarget)
        } else {
            control[index].branches.append(emitBranch(c))
        }
    }

    mutating func translateBrTable(targets: [UInt32], defaultTarget: UInt32) {
        let index = pop()
        let indexSlot = slot(of: index)
        let all = targets + [defaultTarget]
        let start = code.count
        emit(IR.word(.brTable, indexSlot, checked(targets.count)))
        code.append(contentsOf: repeatElement(0, count: all.count))
        var stubs: [Int: Int] = [:]
        for (k, d) in all.enumerated() {
            let depth = Int(d)
            let wordIndex = start + 1 + k
            let controlIndex = control.count - 1 - depth
            let target = control[controlIndex]
            if target.kind != .function && !needsTransfer(target.labelTypes, to: target.homeBase) {
                if target.kind == .loop {
                    code[wordIndex] = UInt64(bitPattern: Int64(target.loopTarget - start))
                } else {
                    control[controlIndex].branches.append(.word(start: start, index: wordIndex))
                }
                continue
            }
            // Values to move first: a stub per label, after the table.
            if let stub = stubs[depth] {
                code[wordIndex] = UInt64(bitPattern: Int64(stub - start))
                continue
            }
            let stub = code.count
            placeLabel()
            stubs[depth] = stub
            code[wordIndex] = UInt64(bitPattern: Int64(stub - start))
            branch(depth: depth)
        }
    }

    /// Copies the function's results to slots 0... and returns.
    mutating func emitReturn() {
        let results = functionType.results
        let entries = Array(stack.suffix(results.count))
        if results.isEmpty {
            emit(IR.word(.ret))
            return
        }
        if results.count == 1 && results[0] != .v128 {
            switch entries[0].location {
            case .temp: emit(IR.word(.ret1, entries[0].home))
            case .local(let s): emit(IR.word(.ret1, s))
            case .const, .const128:
                emitMove(to: 0, from: entries[0])
                emit(IR.word(.ret))
            }
            return
        }
        emitMovesToFrameBase(entries)
        emit(IR.word(.ret))
    }

    /// Moves values to slots 0... of the frame (results, tail call
    /// arguments), without changing the virtual stack. A temporary is at or
    /// above its destination, so moving in order is safe for those; a local
    /// below the destinations could be overwritten before it is read, so it
    /// is read from its home instead.
    mutating func emitMovesToFrameBase(_ entries: [Operand]) {
        let total = entries.reduce(0) { $0 + $1.type.slotCount }
        var sources: [Operand] = entries
        for (j, operand) in entries.enumerated() {
            if case .local(let s) = operand.location, s < total {
                emitMove(to: operand.home, from: operand)
                sources[j].location = .temp
            }
        }
        var d = 0
        for operand in sources {
            emitMove(to: d, from: operand)
            d += operand.type.slotCount
        }
    }

    // MARK: Branch emission

    /// The condition for a popped i32 operand, fusing the comparison that
    /// computed it when that was the last instruction.
    mutating func branchCondition(for operand: Operand) -> BranchCondition {
        if case .temp = operand.location, let last = lastResult, last.slot == operand.home {
            let w = code[last.start]
            let op = IR.op(w)
            if op == .i32Eqz || op == .i64Eqz {
                removeLastInstruction(at: last.start)
                return BranchCondition(op: .brIfEqz, a: IR.b(w), b: 0)
            }
            if let fused = BranchCondition.fused(op) {
                let w1 = code[last.start + 1]
                removeLastInstruction(at: last.start)
                var c = BranchCondition(op: fused, a: IR.b(w), b: IR.lo(w1))
                if c.hasImmediate {
                    c.b = 0
                    c.immediate = UInt32(truncatingIfNeeded: w1)
                }
                return c
            }
        }
        return BranchCondition(op: .brIfNez, a: slot(of: operand), b: 0)
    }

    /// A conditional branch to be patched.
    mutating func emitBranch(_ c: BranchCondition) -> Patch {
        let start = code.count
        if c.hasImmediate {
            emit(IR.word(c.op, c.a), UInt64(c.immediate) << 32)
            return .low32(start: start, index: start + 1)
        }
        if c.op == .brIfCast || c.op == .brIfNotCast {
            emit(IR.word(c.op, c.a), 0, c.castTarget)
            return .word(start: start, index: start + 1)
        }
        emit(IR.word(c.op, c.a, c.b), 0)
        return .word(start: start, index: start + 1)
    }

    mutating func emitBranch(_ c: BranchCondition, to target: Int) {
        let patch = emitBranch(c)
        self.patch(patch, to: target)
    }

    mutating func emitJump() -> Patch {
        let start = code.count
        emit(IR.word(.br))
        return .br(start: start)
    }

    mutating func emitJump(to target: Int) {
        emit(IR.word(.br) | UInt64(bitPattern: Int64(target - code.count) << 16))
    }

    mutating func patch(_ p: Patch, to target: Int) {
        switch p {
        case .br(let start):
            code[start] = IR.word(.br) | UInt64(bitPattern: Int64(target - start) << 16)
        case .word(let start, let index):
            code[index] = UInt64(bitPattern: Int64(target - start))
        case .low32(let start, let index):
            let offset = target - start
            if offset < Int(Int32.min) || offset > Int(Int32.max) { operandOverflow = true }
            code[index] = code[index] & 0xFFFF_FFFF_0000_0000 | UInt64(UInt32(truncatingIfNeeded: offset))
        case .handler(let index):
            clauses[index].target = target
        }
    }

    // MARK: Calls

    mutating func translateCall(_ instruction: Instruction) {
        switch (instruction.opcode, instruction.immediate) {
        case (.call, .index(let f)):
            guard let type = context.funcType(ofFunction: f) else { return }
            let base = prepareArguments(type.params.count)
            emit(IR.word(.call, checked(Int(f)), base))
            finishCall(type, base: base)
        case (.callIndirect, .indexPair(let typeIndex, let table)):
            guard let type = context.funcType(atTypeIndex: typeIndex) else { return }
            let element = pop()
            let elementSlot = slot(of: element)
            let base = prepareArguments(type.params.count)
            emit(IR.word(.callIndirect, checked(Int(table)), base), IR.pair(Int(typeIndex), elementSlot))
            finishCall(type, base: base)
        case (.callRef, .index(let typeIndex)):
            guard let type = context.funcType(atTypeIndex: typeIndex) else { return }
            let reference = pop()
            let referenceSlot = slot(of: reference)
            let base = prepareArguments(type.params.count)
            emit(IR.word(.callRef, referenceSlot, base))
            finishCall(type, base: base)
        case (.returnCall, .index(let f)):
            guard let type = context.funcType(ofFunction: f) else { return }
            emitMovesToFrameBase(Array(stack.suffix(type.params.count)))
            emit(IR.word(.returnCall, checked(Int(f))))
            live = false
        case (.returnCallIndirect, .indexPair(let typeIndex, let table)):
            guard let type = context.funcType(atTypeIndex: typeIndex) else { return }
            let element = stableSlot(of: pop(), above: type.params.slotCount)
            emitMovesToFrameBase(Array(stack.suffix(type.params.count)))
            emit(IR.word(.returnCallIndirect, checked(Int(table)), element), UInt64(typeIndex))
            live = false
        case (.returnCallRef, .index(let typeIndex)):
            guard let type = context.funcType(atTypeIndex: typeIndex) else { return }
            let reference = stableSlot(of: pop(), above: type.params.slotCount)
            emitMovesToFrameBase(Array(stack.suffix(type.params.count)))
            emit(IR.word(.returnCallRef, reference))
            live = false
        default:
            break
        }
    }

    /// The slot of a popped operand that tail call arguments moved to slots
    /// `0..<limit` will not overwrite.
    mutating func stableSlot(of operand: Operand, above limit: Int) -> Int {
        if case .local(let s) = operand.location, s < limit {
            emitMove(to: operand.home, from: operand)
            return operand.home
        }
        return slot(of: operand)
    }

    /// Moves the arguments to their homes, where the callee's frame starts;
    /// returns that slot.
    mutating func prepareArguments(_ count: Int) -> Int {
        let first = stack.count - count
        for i in first..<stack.count { materialize(i) }
        let base = homeAt(first)
        stack.removeLast(count)
        return base
    }

    mutating func finishCall(_ type: FuncType, base: Int) {
        placeLabel()
        for t in type.results { push(t, .temp) }
        // The callee's frame overlaps ours from `base`; make sure ours covers
        // its arguments and results.
        maxSlot = Swift.max(maxSlot, base + Swift.max(type.params.slotCount, type.results.slotCount))
    }
}
