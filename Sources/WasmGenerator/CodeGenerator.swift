import WasmSyntax

/// Generates one function body against a model of the validator's state:
/// an operand stack of types and a control stack of frames, with the
/// initialisation state of non-defaultable locals, as in the spec's
/// validation algorithm. Every instruction is chosen among those whose
/// typing rule the current state satisfies (or after pushing the operands
/// it needs), so the body is valid by construction.
///
/// The model may be more precise than a validator: where the validator
/// sees a bottom (unknown) operand in unreachable code, the model keeps a
/// type that the bottom is a subtype of, which is always safe.
struct CodeGenerator {
    let env: ModuleEnvironment
    var u: ByteSource
    let type: FuncType

    /// The body, including the final `end`.
    var code: [Instruction] = []
    /// Parameters, declared locals, then the scratch locals that guards
    /// and instrumentation use.
    var locals: [ValueType]
    var scratch: [ScratchKey: UInt32] = [:]
    /// The scratch locals' indices: generated code never reads them, so a raw
    /// value that instrumentation parks there (an uncanonicalised NaN, an
    /// unguarded address) cannot escape into results.
    var scratchIndices: Set<Int> = []
    var localInitialized: [Bool]
    /// Locals set since the function started, in order (spec: the
    /// initialisation stack), so a block's end can forget those it set.
    var initStack: [Int] = []

    var operands: [ValueType] = []
    var frames: [Frame] = []

    struct ScratchKey: Hashable {
        var type: ValueType
        var slot: Int
    }

    struct Frame {
        enum Kind { case function, block, loop, `if`, `else`, tryTable }
        var kind: Kind
        var params: [ValueType]
        var results: [ValueType]
        var height: Int
        var initHeight: Int
        var unreachable = false
        /// Whether an exception thrown here is caught in this function by
        /// a `catch_all` clause (no-trap mode throws only then).
        var catchesAll = false

        var labelTypes: [ValueType] { kind == .loop ? params : results }
    }

    /// What an instruction needs on the stack, with a hint for the value
    /// the generator pushes when it has to make one.
    enum Operand {
        case value(ValueType)
        /// An address into memory `m` (a constant that is usually in bounds).
        case address(Int)
        /// An index into table `t`.
        case tableIndex(Int)
        /// A small count of the given type (lengths, deltas).
        case count(ValueType)

        func type(_ env: ModuleEnvironment) -> ValueType {
            switch self {
            case .value(let t), .count(let t): return t
            case .address(let m): return env.memories[m].limits.addressType.valueType
            case .tableIndex(let t): return env.tables[t].limits.addressType.valueType
            }
        }
    }

    init(env: ModuleEnvironment, function: Int, source: ByteSource) {
        self.env = env
        self.u = source
        self.type = env.funcType(ofFunction: function)
        var declared: [ValueType] = []
        let count = u.int(in: 0...env.config.maxLocals)
        for _ in 0..<count where !u.isExhausted {
            var t = env.valueType(&u, concreteBelow: UInt32(env.types.count))
            // Non-defaultable locals need function references.
            if case .ref(var r) = t, !r.nullable, !env.has(.functionReferences) {
                r.nullable = true
                t = .ref(r)
            }
            declared.append(t)
        }
        let params = env.funcType(ofFunction: function).params
        locals = params + declared
        localInitialized = params.map { _ in true } + declared.map(\.isDefaultable)
    }

    /// The local declarations: the declared locals as runs, then the
    /// scratch locals.
    var localRuns: [LocalRun] {
        var runs: [LocalRun] = []
        for t in locals[type.params.count...] {
            if let last = runs.last, last.type == t {
                runs[runs.count - 1].count += 1
            } else {
                runs.append(LocalRun(count: 1, type: t))
            }
        }
        return runs
    }

    // MARK: Generation

    mutating func generate() -> [Instruction] {
        frames = [Frame(kind: .function, params: [], results: type.results, height: 0, initHeight: 0)]
        emitFuelCheck()
        let target = u.int(in: 0...env.config.maxInstructions)
        var steps = 0
        while code.count < target && !u.isExhausted && steps < 4 * target + 16 {
            steps += 1
            step()
        }
        while !frames.isEmpty { closeFrame() }
        return code
    }

    /// The kinds of step, each with a weight in `step()`.
    enum Action: Int, CaseIterable {
        case leaf, fixed, control, branch, call, parametric, variable, memory, memoryControl, table, reference,
             aggregate, exception
    }

    mutating func step() {
        // Unreachable code is valid but rarely interesting: leave soon.
        if current.unreachable && frames.count > 1 && u.chance(1, 2) {
            closeFrame()
            return
        }
        let height = available
        var weights = [Int](repeating: 0, count: Action.allCases.count)
        func set(_ a: Action, _ w: Int, _ c: InstructionClass? = nil) {
            if let c, !env.allows(c) { return }
            weights[a.rawValue] = w
        }
        set(.leaf, height < 3 ? 6 : (height > 8 ? 1 : 3))
        set(.fixed, 10)
        set(.control, 4, .control)
        set(.branch, 2, .branch)
        if !env.functionTypes.isEmpty { set(.call, 2, .call) }
        set(.parametric, height > 6 ? 6 : 2, .parametric)
        set(.variable, 5, .variable)
        if !env.memories.isEmpty {
            set(.memory, 4, .memory)
            set(.memoryControl, 2, .memoryControl)
        }
        if !env.tables.isEmpty || (!env.elements.isEmpty && env.has(.bulkMemory)) { set(.table, 2, .table) }
        if env.has(.referenceTypes) { set(.reference, 3, .reference) }
        if env.has(.gc) { set(.aggregate, 4, .aggregate) }
        if env.has(.exceptions) && !env.tags.isEmpty { set(.exception, 1, .exception) }
        let done: Bool
        switch Action.allCases[u.weighted(weights)] {
        case .leaf: done = pushLeaf(anyType())
        case .fixed: done = fixed()
        case .control: done = control()
        case .branch: done = branch()
        case .call: done = call()
        case .parametric: done = parametric()
        case .variable: done = variable()
        case .memory: done = memoryAccess()
        case .memoryControl: done = memoryControl()
        case .table: done = table()
        case .reference: done = reference()
        case .aggregate: done = aggregate()
        case .exception: done = exception()
        }
        if !done { _ = pushLeaf(anyType()) }
    }

    // MARK: The operand stack

    var current: Frame { frames[frames.count - 1] }

    /// Operands of the innermost frame.
    var available: Int { operands.count - current.height }

    /// The operand `depth` below the top, or nil when it is below the
    /// frame (a bottom value in unreachable code, or nothing).
    func operand(_ depth: Int) -> ValueType? {
        depth < available ? operands[operands.count - 1 - depth] : nil
    }

    /// Whether the top of the stack matches `types` (the last on top),
    /// counting values below the frame as bottoms in unreachable code.
    func canPop(_ types: some Collection<ValueType>, skipping: Int = 0) -> Bool {
        var depth = skipping
        for t in types.reversed() {
            if let actual = operand(depth) {
                if !env.isSubtype(actual, t) { return false }
            } else if !current.unreachable {
                return false
            }
            depth += 1
        }
        return true
    }

    mutating func pop(_ n: Int) {
        operands.removeLast(min(n, available))
    }

    mutating func push(_ t: ValueType) { operands.append(t) }

    mutating func push(_ ts: [ValueType]) { operands.append(contentsOf: ts) }

    mutating func emit(_ op: Opcode, _ immediate: Immediate = .none) {
        code.append(Instruction(op, immediate))
    }

    mutating func markUnreachable() {
        pop(available)
        frames[frames.count - 1].unreachable = true
    }

    /// Makes the top of the stack match `operands`: keeps the longest run
    /// of values already there that matches their beginning, and pushes
    /// new values for the rest. False if a value could not be made.
    mutating func prepare(_ needed: [Operand]) -> Bool {
        let types = needed.map { $0.type(env) }
        var keep = types.count
        while keep > 0 && !canPop(types[..<keep]) { keep -= 1 }
        if keep < types.count && keep > 0 && u.chance(1, 4) { keep = 0 }
        for i in keep..<needed.count {
            switch needed[i] {
            case .value(let t):
                if !pushLeaf(t) { return false }
            case .address(let m):
                pushAddress(memory: m)
            case .tableIndex(let t):
                let table = env.tables[t]
                let bound = max(1, Int(min(table.limits.min, 64)))
                let index = u.chance(1, 16) ? Int(u.byte()) : u.index(bound)
                pushConstant(index, table.limits.addressType.valueType)
            case .count(let t):
                pushConstant(u.chance(1, 8) ? Int(u.byte()) : u.index(5), t)
            }
        }
        return true
    }

    mutating func prepare(_ types: [ValueType]) -> Bool {
        prepare(types.map { .value($0) })
    }

    mutating func pushConstant(_ value: Int, _ t: ValueType) {
        if t == .i64 {
            emit(.i64Const, .i64(Int64(value)))
        } else {
            emit(.i32Const, .i32(Int32(truncatingIfNeeded: value)))
        }
        push(t)
    }

    /// An address, usually one in bounds of the memory's initial size.
    mutating func pushAddress(memory m: Int) {
        let memory = env.memories[m]
        let size = Int(min(memory.limits.min, 16)) * 65536
        let value: Int
        switch u.index(8) {
        case 0: value = Int(u.u32())
        case 1: value = max(0, size - u.index(20))
        default: value = u.index(max(1, min(size, 4096)))
        }
        pushConstant(value, memory.limits.addressType.valueType)
    }

    // MARK: Values

    /// A type for a value that the generator makes up.
    mutating func anyType() -> ValueType {
        if u.chance(1, 3), let t = locals.isEmpty ? nil : locals[u.index(locals.count)] { return t }
        return env.valueType(&u, concreteBelow: UInt32(env.types.count))
    }

    /// Pushes a value of a subtype of `t`: a local, a global, or a
    /// constant (which may allocate). False if there is no way to make one.
    @discardableResult
    mutating func pushLeaf(_ t: ValueType) -> Bool {
        if u.chance(2, 5) {
            var candidates: [Int] = []
            for i in locals.indices where localInitialized[i] && !scratchIndices.contains(i) && env.isSubtype(locals[i], t) { candidates.append(i) }
            if let x = u.choose(candidates) {
                emit(.localGet, .index(UInt32(x)))
                push(locals[x])
                return true
            }
        }
        if u.chance(1, 4) {
            var candidates: [Int] = []
            for g in env.globals.indices where env.isSubtype(env.globals[g].valueType, t) { candidates.append(g) }
            if let g = u.choose(candidates) {
                emit(.globalGet, .index(UInt32(g)))
                push(env.globals[g].valueType)
                return true
            }
        }
        if let (instructions, made) = env.constantValue(t, &u, visibleGlobals: env.globals.count) {
            code.append(contentsOf: instructions)
            push(made)
            return true
        }
        // A non-null reference no constant can make: a local or global may hold one.
        for i in locals.indices where localInitialized[i] && env.isSubtype(locals[i], t) {
            emit(.localGet, .index(UInt32(i)))
            push(locals[i])
            return true
        }
        for g in env.globals.indices where env.isSubtype(env.globals[g].valueType, t) {
            emit(.globalGet, .index(UInt32(g)))
            push(env.globals[g].valueType)
            return true
        }
        return false
    }

    /// A scratch local of a defaultable type, for guards and
    /// instrumentation; `slot` tells apart several of one type.
    mutating func scratchLocal(_ t: ValueType, slot: Int = 0) -> UInt32 {
        var t = t
        if case .ref(var r) = t { r.nullable = true; t = .ref(r) }
        let key = ScratchKey(type: t, slot: slot)
        if let x = scratch[key] { return x }
        let x = UInt32(locals.count)
        locals.append(t)
        localInitialized.append(true)
        scratch[key] = x
        scratchIndices.insert(Int(x))
        return x
    }

    // MARK: Frames

    mutating func pushFrame(_ kind: Frame.Kind, params: [ValueType], results: [ValueType], catchesAll: Bool = false) {
        let inherited = current.catchesAll
        frames.append(Frame(kind: kind, params: params, results: results, height: operands.count,
                            initHeight: initStack.count, catchesAll: inherited || catchesAll))
        push(params)
    }

    /// Forgets the locals set inside the innermost frame.
    mutating func resetLocals(to height: Int) {
        while initStack.count > height {
            localInitialized[initStack.removeLast()] = false
        }
    }

    mutating func setLocal(_ x: Int) {
        if !localInitialized[x] {
            localInitialized[x] = true
            initStack.append(x)
        }
    }

    /// Whether the stack matches `types` exactly, as the end of a block
    /// requires (nothing left over).
    func stackMatches(_ types: [ValueType]) -> Bool {
        available <= types.count && canPop(types) && (available == types.count || current.unreachable)
    }

    /// Makes the stack of the innermost frame match `types`: keeps matching
    /// values (moving them over leftovers through scratch locals), drops
    /// the rest and makes up what is missing. In unreachable code dropping
    /// everything is enough; a value that cannot be made ends the block
    /// with `unreachable`.
    mutating func fixStack(_ types: [ValueType]) {
        if stackMatches(types) { return }
        let n = types.count
        if available > n && canPop(types) && types.allSatisfy({ $0.isDefaultable }) && n <= 4 {
            var saved: [UInt32] = []
            for i in (0..<n).reversed() {
                let x = scratchLocal(types[i], slot: i + 1)
                emit(.localSet, .index(x))
                saved.append(x)
                pop(1)
            }
            while available > 0 { emit(.drop); pop(1) }
            for (i, x) in saved.reversed().enumerated() {
                emit(.localGet, .index(x))
                push(types[i])
            }
            return
        }
        while available > 0 { emit(.drop); pop(1) }
        if current.unreachable { return }
        for t in types where !pushLeaf(t) {
            emit(.unreachable)
            markUnreachable()
            return
        }
    }

    /// Ends the innermost frame (an `if` whose parameters do not pass
    /// through to its results gets an `else` first).
    mutating func closeFrame() {
        let frame = current
        if frame.kind == .if && !passesThrough(frame) {
            startElse()
            return
        }
        fixStack(frame.results)
        emit(.end)
        operands.removeLast(operands.count - frame.height)
        resetLocals(to: frame.initHeight)
        frames.removeLast()
        if !frames.isEmpty { push(frame.results) }
    }

    func passesThrough(_ frame: Frame) -> Bool {
        frame.params.count == frame.results.count && zip(frame.params, frame.results).allSatisfy { env.isSubtype($0, $1) }
    }

    mutating func startElse() {
        let frame = current
        fixStack(frame.results)
        emit(.else)
        operands.removeLast(operands.count - frame.height)
        resetLocals(to: frame.initHeight)
        frames[frames.count - 1].kind = .else
        frames[frames.count - 1].unreachable = false
        push(frame.params)
    }
}
