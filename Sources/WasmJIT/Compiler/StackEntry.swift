import WasmSyntax

/// One value of the compiler's virtual operand stack.
struct StackEntry {
    var type: ValueType
    var location: Location
    /// The first slot of the value's home (a v128 takes two).
    var home: Int

    enum Location: Equatable {
        /// A constant not yet in any register or slot (its bits).
        case constant(UInt64)
        /// A v128 constant. Vectors are never in registers between
        /// instructions: they are constants, locals or in their homes.
        case vectorConstant(lo: UInt64, hi: UInt64)
        /// The current value of local `index` (copied before the local is
        /// written).
        case local(Int)
        case register(Register)
        /// In the home slot of its stack height.
        case home
    }
}

/// The allocatable registers of both classes (general and float): which
/// are free, and which stack entry owns each of the others (so that the
/// oldest of a class can be spilled when none of it is free).
struct RegisterFile {
    private var free: [Register]
    private var floatFree: [Register]
    /// The stack height whose entry holds each register (by index), -1
    /// while it is free or belongs to the instruction being compiled.
    private var owners = [Int](repeating: -1, count: 128)

    init(_ allocatable: [Register], float: [Register]) {
        free = allocatable.reversed()
        floatFree = float.reversed()
    }

    /// Every register free again, in the storage there is (the next
    /// function of a piece).
    mutating func reset(_ allocatable: [Register], float: [Register]) {
        free.removeAll(keepingCapacity: true)
        free.append(contentsOf: allocatable.reversed())
        floatFree.removeAll(keepingCapacity: true)
        floatFree.append(contentsOf: float.reversed())
        for i in owners.indices { owners[i] = -1 }
    }

    mutating func take(float: Bool = false) -> Register? { float ? floatFree.popLast() : free.popLast() }

    /// Takes `r` itself, when it is free (a label's cached locals).
    mutating func take(_ r: Register) -> Bool {
        if r.isFloat {
            guard let i = floatFree.firstIndex(of: r) else { return false }
            floatFree.remove(at: i)
        } else {
            guard let i = free.firstIndex(of: r) else { return false }
            free.remove(at: i)
        }
        return true
    }

    func freeCount(float: Bool = false) -> Int { float ? floatFree.count : free.count }

    mutating func free(_ r: Register) {
        owners[Int(r.index)] = -1
        if r.isFloat { floatFree.append(r) } else { free.append(r) }
    }

    /// `r` now holds the entry at `height`.
    mutating func own(_ r: Register, at height: Int) { owners[Int(r.index)] = height }

    /// `r` now belongs to the instruction being compiled.
    mutating func disown(_ r: Register) { owners[Int(r.index)] = -1 }

    /// The register of the class (`float`) of the lowest stack entry that
    /// holds one.
    func oldestOwned(float: Bool = false) -> (register: Register, height: Int)? {
        var best: (register: Register, height: Int)?
        let range = float ? Int(Register.firstFloat)..<owners.count : 0..<Int(Register.firstFloat)
        for index in range where owners[index] >= 0 && owners[index] < (best?.height ?? .max) {
            best = (Register(UInt8(index)), owners[index])
        }
        return best
    }
}

/// A block, loop, if or the function body, as the compiler sees it.
struct ControlFrame {
    enum Kind { case function, block, loop, `if` }
    var kind: Kind
    /// The operand stack height below the block's parameters.
    var height: Int
    var params: [ValueType]
    var results: [ValueType]
    /// Where branches go: the end (block, if, function) or the start (loop).
    var label: Label
    /// An `if`'s false branch, until `else` or `end` places it.
    var elseLabel: Label?
    /// A try_table's catch clauses and the label of their dispatch, where
    /// an exception thrown in its body goes.
    var catches: [Catch] = []
    var dispatch: Label?
    /// How many handlers are active inside this frame's body (its own
    /// included): where `delegate` to this frame sends an exception.
    var handlersInside = 0
    /// A legacy `try`: the next catch clause's test, while catch clauses
    /// are being compiled; in a catch body the caught exception is in the
    /// home at the frame's height (a hidden entry below the payload).
    var isLegacyTry = false
    var nextCatch: Label?
    var inCatch = false

    /// The locals in registers where the label is: for a loop, the state
    /// at its header, which every back-edge restores (`conformCache`); for
    /// the others, what every branch to the label so far agrees on (nil:
    /// no branch yet). Exception dispatch reaches labels with none.
    var labelCache: LocalCache?
    /// An `if`'s cache at its false branch, until `else` or `end`.
    var elseCache: LocalCache?

    /// How many values a branch to this frame carries.
    var branchArity: Int { kind == .loop ? params.count : results.count }
}

/// Which locals are in which registers (at most one register a local and
/// one local a register), least recently used first.
///
/// The cache is write-through: `local.set` writes the slot and keeps the
/// value in a register, so a local's slot always holds its value and any
/// entry can be dropped without code: before calls and builtins (which
/// clobber every allocatable register), and where a trap exit or an
/// exception handler is entered (they read no register). What it saves is
/// the load of each `local.get`, and with it the store-to-load forwarding
/// latency of loop-carried locals (about 5 cycles a trip on x86-64 for
/// `i = i + 1` kept in a slot, which is the whole trip of a small loop).
struct LocalCache: Equatable {
    struct Entry: Equatable {
        var local: Int
        var register: Register
    }

    private(set) var entries: [Entry] = []

    var isEmpty: Bool { entries.isEmpty }

    func register(of local: Int) -> Register? {
        for e in entries where e.local == local { return e.register }
        return nil
    }

    mutating func add(_ local: Int, _ r: Register) {
        assert(!entries.contains { $0.local == local || $0.register == r }, "local \(local) or its register is cached twice")
        entries.append(Entry(local: local, register: r))
    }

    /// `local` was just used: it is evicted last.
    mutating func touch(_ local: Int) {
        guard let i = entries.firstIndex(where: { $0.local == local }), i != entries.count - 1 else { return }
        // Rotated in place: one uniqueness check, no reallocation.
        entries.withUnsafeMutableBufferPointer { buffer in
            let entry = buffer[i]
            for j in i..<(buffer.count - 1) { buffer[j] = buffer[j + 1] }
            buffer[buffer.count - 1] = entry
        }
    }

    /// Drops every entry, keeping the storage for the next ones.
    mutating func removeAll() { entries.removeAll(keepingCapacity: true) }

    /// Removes `local`'s entry; the answer is its register.
    mutating func remove(local: Int) -> Register? {
        guard let i = entries.firstIndex(where: { $0.local == local }) else { return nil }
        return entries.remove(at: i).register
    }

    /// What a label reached with both states can assume: the locals in
    /// the same register in both.
    func intersection(_ other: LocalCache) -> LocalCache {
        var result = LocalCache()
        result.entries = entries.filter { other.register(of: $0.local) == $0.register }
        return result
    }
}
