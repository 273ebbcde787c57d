import WasmSyntax

/// Validates one function body (or one constant expression) as a stream of
/// instructions, following the spec's validation algorithm (appendix
/// "Validation Algorithm"): an operand stack of types, a control stack of
/// frames, and an initialisation stack for non-defaultable locals.
///
/// Function bodies are read once (docs/architecture.md, decision 1): the interpreter's
/// translator calls `validate` for each instruction as it reads it, and may
/// query the state (`operandStack`, `controlStack`, `labelTypes(depth:)`)
/// before passing the next one.
public struct FunctionValidator {
    public let context: ValidationContext
    /// The parameters, then the declared locals.
    public internal(set) var localTypes: [ValueType]
    /// The function's result types.
    public private(set) var resultTypes: [ValueType]
    public internal(set) var operandStack: [OperandType]
    public internal(set) var controlStack: [ControlFrame]
    /// Whether the function's final `end` was seen.
    public internal(set) var isFinished: Bool = false

    /// Initialisation status of each local, or empty when every local is
    /// defaultable (the common case, which then costs nothing).
    private var localInitialized: [Bool] = []
    /// Locals set since the start of the function, in order, so that a
    /// block's end can forget the ones set inside it.
    private var initStack: [UInt32] = []
    /// How many globals the code may name: all of them in functions; in
    /// constant expressions only those defined before.
    let visibleGlobals: Int
    /// Constant expressions may name any function in `ref.func`.
    let isConstantExpression: Bool
    /// Whether some feature is disabled, so that opcodes must be checked
    /// against the enabled ones (the binary reader checks them too).
    let checksFeatures: Bool

    /// The most locals a function may have (as in wasmparser and V8).
    public static let maxLocals = 50_000

    /// Starts validating the body of function `functionIndex` (an index in
    /// the module's function index space, so imports come first) with the
    /// given local declarations.
    public init(context: ValidationContext, functionIndex: UInt32, locals: [LocalRun], offset: Int) throws(ValidationError) {
        self.context = context
        self.localTypes = []
        self.resultTypes = []
        self.visibleGlobals = context.globals.count
        self.isConstantExpression = false
        self.checksFeatures = context.features != .all
        operandStack = []
        operandStack.reserveCapacity(16)
        controlStack = []
        controlStack.reserveCapacity(8)
        try start(functionIndex: functionIndex, locals: locals, offset: offset)
    }

    /// Starts validating the body of another function of the same module,
    /// in this validator's storage. A compiler validates a module's bodies
    /// one after another: its stacks, allocated anew for each of 15,000
    /// small functions, were 2% of the JIT's compile time.
    public mutating func start(functionIndex: UInt32, locals: [LocalRun], offset: Int) throws(ValidationError) {
        precondition(!isConstantExpression, "a constant expression's validator validates one expression")
        guard let type = context.funcType(ofFunction: functionIndex) else {
            throw .unknown("function", functionIndex, offset: offset)
        }
        var total = type.params.count
        for run in locals {
            total += Int(run.count)
            guard total <= Self.maxLocals else { throw ValidationError("too many locals", offset: offset) }
            try context.checkValueType(run.type, offset: offset)
        }
        localTypes.removeAll(keepingCapacity: true)
        localTypes.reserveCapacity(total)
        localTypes.append(contentsOf: type.params)
        var needsInitTracking = false
        for run in locals {
            localTypes.append(contentsOf: repeatElement(run.type, count: Int(run.count)))
            if !run.type.isDefaultable && run.count > 0 { needsInitTracking = true }
        }
        resultTypes = type.results
        isFinished = false
        operandStack.removeAll(keepingCapacity: true)
        controlStack.removeAll(keepingCapacity: true)
        initStack.removeAll(keepingCapacity: true)
        localInitialized.removeAll(keepingCapacity: true)
        if needsInitTracking {
            localInitialized = localTypes.indices.map { $0 < type.params.count || localTypes[$0].isDefaultable }
        }
        currentHeight = 0
        currentUnreachable = false
        controlStack.append(ControlFrame(kind: .function, startTypes: [], endTypes: type.results, height: 0, initHeight: 0))
    }

    /// Starts validating a constant expression of the given type, in which
    /// only the first `visibleGlobals` globals may be named. Feed it the
    /// expression's instructions followed by `end`.
    public init(context: ValidationContext, constantExpressionOf type: ValueType, visibleGlobals: Int) {
        self.context = context
        self.localTypes = []
        self.resultTypes = [type]
        self.visibleGlobals = min(visibleGlobals, context.globals.count)
        self.isConstantExpression = true
        self.checksFeatures = context.features != .all
        operandStack = []
        controlStack = [ControlFrame(kind: .function, startTypes: [], endTypes: [type], height: 0, initHeight: 0)]
    }

    // MARK: State for translators

    public var isUnreachable: Bool {
        controlStack.isEmpty || currentUnreachable
    }

    /// The types that a branch to the label at `depth` carries.
    public func labelTypes(depth: UInt32) -> [ValueType]? {
        guard depth < controlStack.count else { return nil }
        return controlStack[controlStack.count - 1 - Int(depth)].labelTypes
    }

    /// Whether local `index` is known to be set (always true for
    /// defaultable locals and parameters).
    public func isLocalInitialized(_ index: UInt32) -> Bool {
        guard index < localTypes.count else { return false }
        return localInitialized.isEmpty || localInitialized[Int(index)]
    }

    // MARK: Operand stack

    @inline(__always)
    mutating func push(_ t: ValueType) {
        operandStack.append(.known(t))
    }

    @inline(__always)
    mutating func push(_ ts: [ValueType]) {
        for t in ts { operandStack.append(.known(t)) }
    }

    /// Copies of the innermost frame's `height` and `unreachable`, which
    /// every pop reads.
    private(set) var currentHeight = 0
    private(set) var currentUnreachable = false

    /// Whether an operand is exactly of type `t`, decided without the
    /// derived equality of the payload-carrying enums in the common cases.
    @inline(__always)
    static func isExactly(_ operand: OperandType, _ t: ValueType) -> Bool {
        guard case .known(let a) = operand else { return false }
        switch (a, t) {
        case (.i32, .i32), (.i64, .i64), (.f32, .f32), (.f64, .f64), (.v128, .v128): return true
        case (.ref(let x), .ref(let y)): return x == y
        default: return false
        }
    }

    /// Pops any operand (bottom in unreachable code).
    mutating func popAny(offset: Int) throws(ValidationError) -> OperandType {
        if operandStack.count > currentHeight { return operandStack.removeLast() }
        if currentUnreachable { return .unknown }
        throw .typeMismatch("instruction requires [any] but stack has []", offset: offset)
    }

    /// Pops one operand that must match `expected`, returning the actual
    /// type.
    @discardableResult
    @inline(__always)
    mutating func pop(_ expected: ValueType, offset: Int) throws(ValidationError) -> OperandType {
        // The common case inline: the top operand has exactly that type.
        let count = operandStack.count
        if count > currentHeight {
            let actual = operandStack[count - 1]
            if Self.isExactly(actual, expected) {
                operandStack.removeLast()
                return actual
            }
        }
        return try popSlowly(expected, offset: offset)
    }

    /// `pop(_:offset:)` for subtypes, polymorphic stacks and errors.
    @inline(never)
    private mutating func popSlowly(_ expected: ValueType, offset: Int) throws(ValidationError) -> OperandType {
        if operandStack.count > currentHeight {
            let actual = operandStack[operandStack.count - 1]
            guard context.matches(actual, expected) else {
                throw .typeMismatch("instruction requires [\(expected.textName)] but stack has [\(TypeNames.operand(actual))]", offset: offset)
            }
            operandStack.removeLast()
            return actual
        }
        if currentUnreachable { return .unknown }
        throw .typeMismatch("instruction requires [\(expected.textName)] but stack has []", offset: offset)
    }

    /// Pops operands matching `expected` (the last one on top).
    mutating func pop(_ expected: [ValueType], offset: Int) throws(ValidationError) {
        let n = expected.count
        if n == 0 { return }
        let available = try checkTop(expected, offset: offset)
        // A loop: removeLast(_:) goes through the generic replaceSubrange.
        for _ in 0..<Swift.min(n, available) { operandStack.removeLast() }
    }

    /// Checks that the top of the stack matches `expected` without popping;
    /// returns how many operands of the current frame are on the stack.
    /// (`mutating` only so that callers need not copy `self` to call it.)
    @discardableResult
    mutating func checkTop(_ expected: [ValueType], offset: Int) throws(ValidationError) -> Int {
        let n = expected.count
        let available = operandStack.count - currentHeight
        let top = operandStack.count - 1
        for i in 0..<n {
            if i < available {
                let actual = operandStack[top - i], wanted = expected[n - 1 - i]
                guard Self.isExactly(actual, wanted) || context.matches(actual, wanted) else {
                    throw mismatch(expected, available: available, offset: offset)
                }
            } else if !currentUnreachable {
                throw mismatch(expected, available: available, offset: offset)
            } else {
                break
            }
        }
        return available
    }

    private func mismatch(_ expected: [ValueType], available: Int, offset: Int) -> ValidationError {
        let shown = Swift.min(expected.count, available)
        let actual = operandStack[(operandStack.count - shown)...]
        return .typeMismatch("instruction requires \(TypeNames.resultType(expected)) but stack has \(TypeNames.operands(actual))", offset: offset)
    }

    /// Pops a reference operand, returning nil for a bottom value (whose
    /// heap type is unknown).
    mutating func popReference(offset: Int) throws(ValidationError) -> (operand: OperandType, type: RefType?) {
        let operand = try popAny(offset: offset)
        switch operand {
        case .known(.ref(let r)): return (operand, r)
        case .unknown, .unknownReference: return (operand, nil)
        case .known(let t):
            throw .typeMismatch("instruction requires reference type but stack has \(t.textName)", offset: offset)
        }
    }

    /// Marks the rest of the current block unreachable.
    mutating func markUnreachable() {
        let frame = controlStack.count - 1
        while operandStack.count > currentHeight { operandStack.removeLast() }
        controlStack[frame].unreachable = true
        currentUnreachable = true
    }

    // MARK: Control stack

    mutating func pushFrame(_ kind: ControlFrame.Kind, start: [ValueType], end: [ValueType]) {
        controlStack.append(ControlFrame(kind: kind, startTypes: start, endTypes: end, height: operandStack.count, initHeight: initStack.count))
        currentHeight = operandStack.count
        currentUnreachable = false
        push(start)
    }

    /// Checks the block's results and removes its frame.
    mutating func popFrame(offset: Int) throws(ValidationError) -> ControlFrame {
        let top = controlStack.count - 1
        let endTypes = controlStack[top].endTypes
        let height = controlStack[top].height
        try pop(endTypes, offset: offset)
        if operandStack.count != height {
            // Report what the block left, as the reference interpreter does.
            var all = Array(operandStack[height...])
            all.append(contentsOf: endTypes.map(OperandType.known))
            throw .typeMismatch("block requires \(TypeNames.resultType(endTypes)) but stack has \(TypeNames.operands(all))", offset: offset)
        }
        let initHeight = controlStack[top].initHeight
        while initStack.count > initHeight {
            localInitialized[Int(initStack.removeLast())] = false
        }
        let frame = controlStack.removeLast()
        if top > 0 {
            currentHeight = controlStack[top - 1].height
            currentUnreachable = controlStack[top - 1].unreachable
        }
        return frame
    }

    /// The frame a label index refers to.
    func frame(label: UInt32, offset: Int) throws(ValidationError) -> ControlFrame {
        guard label < controlStack.count else { throw .unknown("label", label, offset: offset) }
        return controlStack[controlStack.count - 1 - Int(label)]
    }

    func labelTypes(_ label: UInt32, offset: Int) throws(ValidationError) -> [ValueType] {
        try frame(label: label, offset: offset).labelTypes
    }

    // MARK: Locals

    func localType(_ index: UInt32, offset: Int) throws(ValidationError) -> ValueType {
        guard index < localTypes.count else { throw .unknown("local", index, offset: offset) }
        return localTypes[Int(index)]
    }

    mutating func setLocal(_ index: UInt32) {
        if !localInitialized.isEmpty && !localInitialized[Int(index)] {
            localInitialized[Int(index)] = true
            initStack.append(index)
        }
    }
}

