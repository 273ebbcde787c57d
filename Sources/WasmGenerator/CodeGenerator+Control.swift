import WasmSyntax

/// Blocks, branches, calls, exceptions, and the parametric and variable
/// instructions.
extension CodeGenerator {
    var nestingRoom: Bool { frames.count <= env.config.maxNesting }

    // MARK: Blocks

    mutating func control() -> Bool {
        enum Choice { case block, loop, `if`, tryTable, handledTryTable, `else`, end, nop, unreachable }
        var choices: [Choice] = [.nop]
        if nestingRoom {
            choices += [.block, .block, .loop, .if, .if]
            if env.has(.exceptions) { choices += [.tryTable, .handledTryTable] }
        }
        if current.kind == .if { choices += [.else, .else] }
        if frames.count > 1 {
            choices += [.end, .end]
            if stackMatches(current.results) { choices += [.end, .end] }
        }
        if !env.config.noTraps { choices.append(.unreachable) }
        switch choices[u.index(choices.count)] {
        case .block: return openBlock(.block)
        case .loop: return openBlock(.loop)
        case .if: return openBlock(.if)
        case .tryTable: return openTryTable(handlerBlock: false)
        case .handledTryTable: return openTryTable(handlerBlock: true)
        case .else: startElse()
        case .end: closeFrame()
        case .nop: emit(.nop)
        case .unreachable:
            emit(.unreachable)
            markUnreachable()
        }
        return true
    }

    /// A block type and its parameters and results. Parameters are taken
    /// from the stack where it has suitable values.
    mutating func blockType() -> (BlockType, [ValueType], [ValueType]) {
        if env.has(.multiValue) && u.chance(1, 3) {
            var ready: [UInt32] = []
            var all: [UInt32] = []
            for x in env.funcTypeIndices {
                guard let f = env.funcType(x) else { continue }
                all.append(x)
                if !f.params.isEmpty && canPop(f.params) { ready.append(x) }
            }
            let x = (u.chance(2, 3) ? u.choose(ready) : nil) ?? u.choose(all)
            if let x, let f = env.funcType(x) {
                return (.typeIndex(x), f.params, f.results)
            }
        }
        if u.chance(1, 3) { return (.empty, [], []) }
        // Often the type of a value on the stack, so that it flows out.
        let t = env.expressible((u.chance(1, 2) ? operand(0) : nil) ?? anyType())
        return (.value(t), [], [t])
    }

    mutating func openBlock(_ kind: Frame.Kind) -> Bool {
        let (bt, params, results) = blockType()
        let needed = kind == .if ? params + [.i32] : params
        guard prepare(needed) else { return false }
        switch kind {
        case .loop: emit(.loop, .block(bt))
        case .if: emit(.if, .block(bt))
        default: emit(.block, .block(bt))
        }
        pop(needed.count)
        pushFrame(kind, params: params, results: results)
        if kind == .loop { emitFuelCheck() }
        return true
    }

    /// The values a catch clause delivers to its label.
    func delivered(_ clause: Catch) -> [ValueType] {
        var types: [ValueType] = []
        switch clause {
        case .catch(let tag, _), .catchRef(let tag, _): types = env.tagParams(Int(tag))
        case .catchAll, .catchAllRef: break
        }
        switch clause {
        case .catchRef, .catchAllRef: types.append(.ref(RefType(nullable: false, heapType: .exn)))
        default: break
        }
        return types
    }

    func labelTypes(_ label: Int) -> [ValueType] {
        frames[frames.count - 1 - label].labelTypes
    }

    func accepts(label: Int, _ values: [ValueType]) -> Bool {
        let types = labelTypes(label)
        return types.count == values.count && zip(values, types).allSatisfy { env.isSubtype($0, $1) }
    }

    /// A clause of a given kind for tag `tag` and label 0.
    func clause(_ kind: Int, tag: Int, label: Int) -> Catch {
        switch kind {
        case 0: return .catch(tag: UInt32(tag), label: UInt32(label))
        case 1: return .catchRef(tag: UInt32(tag), label: UInt32(label))
        case 2: return .catchAll(label: UInt32(label))
        default: return .catchAllRef(label: UInt32(label))
        }
    }

    /// `try_table` with handlers for labels whose types fit. With
    /// `handlerBlock` it first opens a block whose results are what one
    /// handler delivers, so that the handler has a label to go to.
    mutating func openTryTable(handlerBlock: Bool) -> Bool {
        if handlerBlock && frames.count + 1 <= env.config.maxNesting {
            let kind = u.index(4)
            let tag = env.tags.isEmpty ? 0 : u.index(env.tags.count)
            if kind < 2 && env.tags.isEmpty { return false }
            var values = delivered(clause(kind, tag: tag, label: 0))
            if !env.has(.functionReferences) {
                // Without function references, the caught exnref is nullable.
                values = values.map { if case .ref(var r) = $0 { r.nullable = true; return .ref(r) } else { return $0 } }
            }
            var bt: BlockType?
            switch values.count {
            case 0: bt = .empty
            case 1: bt = .value(values[0])
            default:
                if env.has(.multiValue) {
                    for x in env.funcTypeIndices {
                        if let f = env.funcType(x), f.params.isEmpty, f.results == values { bt = .typeIndex(x); break }
                    }
                }
            }
            if let bt {
                emit(.block, .block(bt))
                pushFrame(.block, params: [], results: values)
            }
        }
        // Every clause whose values its label accepts.
        var clauses: [Catch] = []
        for label in 0..<frames.count {
            for kind in 0..<4 {
                if kind < 2 {
                    for tag in env.tags.indices where accepts(label: label, delivered(clause(kind, tag: tag, label: label))) {
                        clauses.append(clause(kind, tag: tag, label: label))
                    }
                } else if accepts(label: label, delivered(clause(kind, tag: 0, label: label))) {
                    clauses.append(clause(kind, tag: 0, label: label))
                }
            }
        }
        var chosen: [Catch] = []
        if handlerBlock, let first = clauses.first(where: { $0.label == 0 }) { chosen.append(first) }
        while chosen.count < 4 && u.chance(1, 2), let c = u.choose(clauses) { chosen.append(c) }
        let (bt, params, results) = blockType()
        guard prepare(params) else { return false }
        emit(.tryTable, .tryTable(bt, chosen))
        pop(params.count)
        let catchesAll = chosen.contains {
            switch $0 {
            case .catchAll, .catchAllRef: return true
            default: return false
            }
        }
        pushFrame(.tryTable, params: params, results: results, catchesAll: catchesAll)
        return true
    }

    // MARK: Branches

    mutating func branch() -> Bool {
        enum Choice { case br, brIf, brTable, `return`, brOnNull, brOnNonNull, brOnCast, brOnCastFail }
        var choices: [Choice] = [.br, .brIf, .brIf, .brTable, .return]
        if env.has(.functionReferences) { choices += [.brOnNull, .brOnNonNull] }
        if env.has(.gc) { choices += [.brOnCast, .brOnCastFail] }
        switch choices[u.index(choices.count)] {
        case .br:
            let label = chooseLabel(extra: [], skipping: 0)
            guard prepare(labelTypes(label)) else { return false }
            emit(.br, .index(UInt32(label)))
            markUnreachable()
        case .brIf:
            let label = chooseLabel(extra: [.i32], skipping: 0)
            let types = labelTypes(label)
            guard prepare(types + [.i32]) else { return false }
            emit(.brIf, .index(UInt32(label)))
            pop(types.count + 1)
            push(types)
        case .brTable:
            let label = chooseLabel(extra: [.i32], skipping: 0)
            let types = labelTypes(label)
            guard prepare(types + [.i32]) else { return false }
            var targets: [UInt32] = []
            var candidates: [UInt32] = []
            for l in 0..<frames.count where labelTypes(l).count == types.count && canPop(labelTypes(l), skipping: 1) {
                candidates.append(UInt32(l))
            }
            while targets.count < 8 && u.chance(2, 3), let t = u.choose(candidates) { targets.append(t) }
            emit(.brTable, .brTable(targets: targets, defaultTarget: UInt32(label)))
            markUnreachable()
        case .return:
            guard prepare(type.results) else { return false }
            emit(.return)
            markUnreachable()
        case .brOnNull:
            let label = chooseLabel(extra: [nil], skipping: 0)
            let types = labelTypes(label)
            let reference = referenceOperand(skipping: 0) ?? env.refType(&u, concreteBelow: UInt32(env.types.count))
            guard prepare(types + [.ref(reference)]) else { return false }
            emit(.brOnNull, .index(UInt32(label)))
            pop(types.count + 1)
            push(types)
            push(.ref(RefType(nullable: false, heapType: reference.heapType)))
        case .brOnNonNull:
            var labels: [Int] = []
            for l in 0..<frames.count {
                if case .ref = labelTypes(l).last { labels.append(l) }
            }
            guard let label = u.choose(labels), case .ref(let target) = labelTypes(label).last else { return false }
            let rest = Array(labelTypes(label).dropLast())
            guard prepare(rest + [.ref(RefType(nullable: true, heapType: target.heapType))]) else { return false }
            emit(.brOnNonNull, .index(UInt32(label)))
            pop(rest.count + 1)
            push(rest)
        case .brOnCast:
            return branchOnCast(fail: false)
        case .brOnCastFail:
            return branchOnCast(fail: true)
        }
        return true
    }

    /// A label, preferring those whose values are on the stack (below
    /// `extra` more operands, which callers push themselves).
    mutating func chooseLabel(extra: [ValueType?], skipping: Int) -> Int {
        if u.chance(3, 4) {
            var ready: [Int] = []
            for l in 0..<frames.count where canPop(labelTypes(l), skipping: extra.count + skipping) && extraReady(extra) {
                ready.append(l)
            }
            if let l = u.choose(ready) { return l }
        }
        return u.index(frames.count)
    }

    /// Whether the top operands match `extra` (nil: any reference).
    private func extraReady(_ extra: [ValueType?]) -> Bool {
        var depth = 0
        for t in extra.reversed() {
            guard let actual = operand(depth) else { return current.unreachable }
            if let t {
                if !env.isSubtype(actual, t) { return false }
            } else if !actual.isReference {
                return false
            }
            depth += 1
        }
        return true
    }

    /// The reference type on top of the stack, if there is one.
    func referenceOperand(skipping: Int) -> RefType? {
        if case .ref(let r) = operand(skipping) { return r }
        return nil
    }

    // MARK: Calls

    mutating func call() -> Bool {
        enum Choice { case call, callIndirect, callRef, returnCall, returnCallIndirect, returnCallRef }
        var choices: [Choice] = [.call, .call]
        let noTraps = env.config.noTraps
        let funcTables = env.tables.indices.filter { env.isSubtype(env.tables[$0].elementType, .funcref) }
        if !funcTables.isEmpty && !noTraps { choices.append(.callIndirect) }
        if env.has(.functionReferences) && env.functionsDeclared { choices.append(.callRef) }
        if env.has(.tailCall) {
            choices.append(.returnCall)
            if !funcTables.isEmpty && !noTraps { choices.append(.returnCallIndirect) }
            if env.has(.functionReferences) && env.functionsDeclared { choices.append(.returnCallRef) }
        }
        let choice = choices[u.index(choices.count)]
        let tail = choice == .returnCall || choice == .returnCallIndirect || choice == .returnCallRef
        func returnsFit(_ f: FuncType) -> Bool {
            f.results.count == type.results.count && zip(f.results, type.results).allSatisfy { env.isSubtype($0, $1) }
        }
        switch choice {
        case .call, .returnCall:
            var candidates: [Int] = []
            var ready: [Int] = []
            for f in env.functionTypes.indices {
                let t = env.funcType(ofFunction: f)
                if tail && !returnsFit(t) { continue }
                candidates.append(f)
                if !t.params.isEmpty && canPop(t.params) { ready.append(f) }
            }
            guard let f = (u.chance(2, 3) ? u.choose(ready) : nil) ?? u.choose(candidates) else { return false }
            let t = env.funcType(ofFunction: f)
            guard prepare(t.params) else { return false }
            emit(tail ? .returnCall : .call, .index(UInt32(f)))
            finishCall(t, tail: tail)
        case .callIndirect, .returnCallIndirect:
            guard let table = u.choose(funcTables) else { return false }
            let types = env.funcTypeIndices.filter { !tail || returnsFit(env.funcType($0) ?? FuncType()) }
            guard let x = u.choose(types), let t = env.funcType(x) else { return false }
            guard prepare(t.params.map { .value($0) } + [.tableIndex(table)]) else { return false }
            emit(tail ? .returnCallIndirect : .callIndirect, .indexPair(x, UInt32(table)))
            pop(1)
            finishCall(t, tail: tail)
        case .callRef, .returnCallRef:
            // The type of a function reference on the stack, or of a function.
            var x: UInt32?
            if let r = referenceOperand(skipping: 0), case .concrete(let y) = r.heapType, let t = env.funcType(y),
               (!noTraps || !r.nullable), canPop(t.params, skipping: 1), !tail || returnsFit(t) {
                x = y
            }
            if x == nil {
                let candidates = env.functionTypes.indices.filter { !tail || returnsFit(env.funcType(ofFunction: $0)) }
                guard let f = u.choose(candidates) else { return false }
                let y = env.functionTypes[f]
                guard let t = env.funcType(y), prepare(t.params) else { return false }
                emit(.refFunc, .index(UInt32(f)))
                push(.ref(RefType(nullable: false, heapType: .concrete(y))))
                x = y
            }
            guard let x, let t = env.funcType(x) else { return false }
            emit(tail ? .returnCallRef : .callRef, .index(x))
            pop(1)
            finishCall(t, tail: tail)
        }
        return true
    }

    private mutating func finishCall(_ t: FuncType, tail: Bool) {
        pop(t.params.count)
        if tail {
            markUnreachable()
        } else {
            push(t.results)
        }
    }

    // MARK: Exceptions

    mutating func exception() -> Bool {
        // Without traps, only throw where a catch_all of this function catches.
        if env.config.noTraps && !current.catchesAll { return false }
        if u.chance(1, 3) {
            // throw_ref: of an exception a handler caught, or (trapping) null.
            let caught = ValueType.ref(RefType(nullable: false, heapType: .exn))
            if canPop([caught]) || !env.config.noTraps {
                guard prepare([canPop([caught]) ? caught : .exnref]) else { return false }
                emit(.throwRef)
                markUnreachable()
                return true
            }
        }
        let tag = u.index(env.tags.count)
        guard prepare(env.tagParams(tag)) else { return false }
        emit(.throw, .index(UInt32(tag)))
        markUnreachable()
        return true
    }

    // MARK: Parametric and variable instructions

    mutating func parametric() -> Bool {
        switch u.index(3) {
        case 0:
            guard available > 0 || current.unreachable else { return false }
            emit(.drop)
            pop(1)
        case 1:
            // select: two values of one number or vector type.
            var t: ValueType = [.i32, .i64, .f32, .f64][u.index(4)]
            if let top = operand(1), top.isNumber || top == .v128, operand(0) == .i32, operand(2) == top { t = top }
            if t == .v128 && !env.has(.simd) { t = .i32 }
            guard prepare([t, t, .i32]) else { return false }
            emit(.select)
            pop(3)
            push(t)
        default:
            guard env.has(.referenceTypes) else { return false }
            let t = env.expressible((u.chance(1, 2) ? operand(1) : nil) ?? anyType())
            guard prepare([t, t, .i32]) else { return false }
            emit(.selectTyped, .valueTypes([t]))
            pop(3)
            push(t)
        }
        return true
    }

    mutating func variable() -> Bool {
        switch u.index(5) {
        case 0:
            let candidates = locals.indices.filter { localInitialized[$0] && !scratchIndices.contains($0) }
            guard let x = u.choose(candidates) else { return false }
            emit(.localGet, .index(UInt32(x)))
            push(locals[x])
        case 1, 2:
            guard !locals.isEmpty else { return false }
            var x = u.index(locals.count)
            if let top = operand(0), u.chance(2, 3) {
                let fitting = locals.indices.filter { env.isSubtype(top, locals[$0]) }
                if let y = u.choose(fitting) { x = y }
            }
            guard prepare([locals[x]]) else { return false }
            let tee = u.bool()
            emit(tee ? .localTee : .localSet, .index(UInt32(x)))
            pop(1)
            setLocal(x)
            if tee { push(locals[x]) }
        case 3:
            guard let g = u.choose(Array(env.globals.indices)) else { return false }
            emit(.globalGet, .index(UInt32(g)))
            push(env.globals[g].valueType)
        default:
            // Never the fuel global: termination depends on it.
            let candidates = env.globals.indices.filter { env.globals[$0].mutable && UInt32($0) != env.fuelGlobal }
            guard let g = u.choose(candidates) else { return false }
            guard prepare([env.globals[g].valueType]) else { return false }
            emit(.globalSet, .index(UInt32(g)))
            pop(1)
        }
        return true
    }
}
