import WasmSyntax

/// The register cache of locals (`LocalCache`, Liftoff's approach in a
/// write-through form) and the operands that read a cached register in
/// place.
extension FunctionCompiler {
    /// Locals of these types may live in registers (f32 and f64 in float
    /// registers); references and vectors stay in their slots.
    func isCacheable(_ type: ValueType) -> Bool {
        type == .i32 || type == .i64 || type == .f32 || type == .f64
    }

    /// The register that holds local `index`, if any (now the most
    /// recently used).
    mutating func cachedRegister(of index: Int) -> Register? {
        guard let r = cache.register(of: index) else { return nil }
        cache.touch(index)
        return r
    }

    /// Reads local `index` from its slot into a free register that becomes
    /// its cache entry; nil when no register is free or the type is not
    /// cached.
    mutating func cacheFromSlot(_ index: Int) -> Register? {
        let type = localTypes[index]
        guard isCacheable(type), let c = registers.take(float: isFloat(type)) else { return nil }
        masm.loadSlot(width(type), c, slot: localSlots[index])
        cache.add(index, c)
        return c
    }

    /// Drops every cached local (no code: the slots are current).
    mutating func forgetCache() {
        for e in cache.entries {
            assert(borrowCounts[Int(e.register.index)] == 0, "a borrowed register is dropped from the cache")
            registers.free(e.register)
        }
        cache.removeAll()
    }

    /// The register of the class (`float`) of the least recently used
    /// cached local that no operand of the current instruction reads, for
    /// another use.
    mutating func evictCachedLocal(float: Bool = false) -> Register? {
        guard let e = cache.entries.first(where: { $0.register.isFloat == float && borrowCounts[Int($0.register.index)] == 0 })
        else { return nil }
        _ = cache.remove(local: e.local)
        return e.register
    }

    /// The cache where a label is placed: `state`'s entries whose register
    /// is free (all of them at the labels the frontend places: every value
    /// is home there).
    mutating func restoreCache(_ state: LocalCache?) {
        forgetCache()
        guard let state else { return }
        for e in state.entries where registers.take(e.register) { cache.add(e.local, e.register) }
    }

    /// A branch to the (forward) label of `control[index]` with the
    /// current cache.
    mutating func recordBranch(toFrame index: Int) {
        control[index].labelCache = control[index].labelCache.map { $0.intersection(cache) } ?? cache
    }

    /// Whether a branch to loop `target` may jump straight to its header:
    /// every local cached there is in the same register now.
    func cacheConforms(to target: ControlFrame) -> Bool {
        guard target.kind == .loop, let header = target.labelCache else { return true }
        return header.entries.allSatisfy { cache.register(of: $0.local) == $0.register }
    }

    /// Before a back-edge (the code then jumps; the compiler's state is
    /// unchanged): every local cached at the loop's header into its
    /// register there, by a move when its register now is no other
    /// local's destination, else from its slot (which is always current,
    /// so there are no cycles to break).
    mutating func conformCache(to header: LocalCache, from current: LocalCache) {
        let fixups = header.entries.filter { current.register(of: $0.local) != $0.register }
        guard !fixups.isEmpty else { return }
        // Register indices of both classes (floats from 64): 128 bits.
        var destinations = Set<UInt8>()
        for f in fixups { destinations.insert(f.register.index) }
        for f in fixups {
            let w = width(localTypes[f.local])
            if let source = current.register(of: f.local), !destinations.contains(source.index) {
                masm.move(w, f.register, source)
            } else {
                masm.loadSlot(w, f.register, slot: localSlots[f.local])
            }
        }
    }

    /// A register with the value of a popped entry that the caller only
    /// reads: a cached local's own register (borrowed: it stays in the
    /// cache and is not evicted until `releaseOperand`), else a register
    /// the caller owns, as `intoRegister` gives.
    mutating func operandRegister(_ entry: StackEntry) -> Register {
        if case .local(let index) = entry.location {
            if let c = cachedRegister(of: index) ?? (registers.freeCount(float: isFloat(entry.type)) >= 1 ? cacheFromSlot(index) : nil) {
                borrowCounts[Int(c.index)] += 1
                return c
            }
        }
        return intoRegister(entry)
    }

    /// Gives back what `operandRegister` gave.
    mutating func releaseOperand(_ r: Register) {
        if borrowCounts[Int(r.index)] > 0 {
            borrowCounts[Int(r.index)] -= 1
        } else {
            registers.free(r)
        }
    }

    /// Whether `r` is a cached local's register lent to an operand.
    func isBorrowed(_ r: Register) -> Bool { borrowCounts[Int(r.index)] > 0 }

    /// `local.set` / `local.tee` of a scalar: the value goes to the slot
    /// and stays in a register as the local's cache. A local already
    /// cached keeps its register (one move), so that loop back-edges find
    /// it where the header has it.
    mutating func setCachedLocal(_ index: Int, _ value: StackEntry) {
        let type = localTypes[index]
        let w = width(type)
        let slot = localSlots[index]
        // `local.set i (local.get i)` writes what the local holds (reads
        // of a local are materialized before it is written). Reading it
        // below could also cache it a second time.
        if value.location == .local(index) { return }
        if let c = cachedRegister(of: index) {
            switch value.location {
            case .constant(let bits):
                masm.moveImmediate(c, bits)
            case .register(let r):
                masm.move(w, c, r)
                registers.free(r)
            case .local(let other):
                if let o = cache.register(of: other) {
                    masm.move(w, c, o)
                } else {
                    masm.loadSlot(w, c, slot: localSlots[other])
                }
            case .home:
                masm.loadSlot(w, c, slot: value.home)
            case .vectorConstant:
                preconditionFailure("a vector constant is not a scalar")
            }
            masm.storeSlot(w, slot: slot, c)
            return
        }
        let r = intoRegister(value)
        masm.storeSlot(w, slot: slot, r)
        cache.add(index, r)
    }
}

extension FunctionCompiler {
    /// How many instructions of a loop's body `scanLoop` reads at most:
    /// beyond, the header keeps the cache as it is (compile time stays
    /// linear in the body; a nest of loops is read once per level).
    static var loopScanLimit: Int { 4096 }

    /// The locals a loop's body (from the reader's position to its `end`)
    /// carries from one trip to the next (read before any write in the
    /// body's order, and written), and the ones it only reads; nil when
    /// the body is longer than the limit or does not decode (the validator
    /// reports that).
    mutating func scanLoop() -> (carried: [Int], readOnly: [Int])? {
        var scan = reader
        var depth = 0
        // Per local seen (`order`, in the order of first access): whether
        // its first access reads it, and whether the body writes it, in
        // `loopScanMarks` (cleared for them on the way out). A dictionary
        // and a set here cost 1% of the compile time in hashing.
        if loopScanMarks.count < localTypes.count { loopScanMarks = [UInt8](repeating: 0, count: localTypes.count) }
        let seen: UInt8 = 1, firstRead: UInt8 = 2, written: UInt8 = 4
        var order: [Int] = []
        defer { for local in order { loopScanMarks[local] = 0 } }
        for _ in 0..<Self.loopScanLimit {
            guard !scan.isAtEnd, let op = try? scan.readOpcode() else { return nil }
            switch op {
            case .block, .loop, .if, .tryTable, .try:
                depth += 1
                guard (try? scan.skipImmediate(for: op)) != nil else { return nil }
            case .delegate:
                depth -= 1
                guard (try? scan.skipImmediate(for: op)) != nil else { return nil }
            case .end:
                if depth == 0 {
                    let carried = order.filter { loopScanMarks[$0] & (firstRead | written) == firstRead | written }
                    let readOnly = order.filter { loopScanMarks[$0] & written == 0 }
                    return (carried, readOnly)
                }
                depth -= 1
            case .localGet, .localSet, .localTee:
                guard case .index(let i)? = try? scan.readImmediate(for: op) else { return nil }
                let local = Int(i)
                guard local < localTypes.count else { return nil }
                if loopScanMarks[local] & seen == 0 {
                    loopScanMarks[local] = seen | (op == .localGet ? firstRead : 0)
                    order.append(local)
                }
                if op != .localGet { loopScanMarks[local] |= written }
            default:
                guard (try? scan.skipImmediate(for: op)) != nil else { return nil }
            }
        }
        return nil
    }

    /// The cache a loop starts with (its header's): the locals the body
    /// carries from trip to trip first, then the ones it only reads, up to
    /// half the allocatable registers of each class (the other half is
    /// the body's);
    /// locals the body does not touch leave the cache, and carried ones
    /// not cached yet are loaded. A loop-carried local in a register is
    /// what the cache is for: in a slot, each trip waits for the store
    /// of the last one to forward (Benchmarks/ matmul's inner loop, whose
    /// header otherwise kept three locals of the outer loops and reloaded
    /// them at every back-edge).
    mutating func prepareLoopHeader() {
        guard let (carried, readOnly) = scanLoop() else { return }
        let budget = (general: masm.allocatable.count / 2, float: masm.floatAllocatable.count / 2)
        var keep: [Int] = []
        var kept = (general: 0, float: 0)
        func fits(_ local: Int) -> Bool {
            isFloat(localTypes[local]) ? kept.float < budget.float : kept.general < budget.general
        }
        func add(_ local: Int) {
            keep.append(local)
            if isFloat(localTypes[local]) { kept.float += 1 } else { kept.general += 1 }
        }
        for local in carried where isCacheable(localTypes[local]) && fits(local) { add(local) }
        // Only-read locals are kept when already cached, not loaded.
        for local in readOnly where cache.register(of: local) != nil && fits(local) { add(local) }
        for e in cache.entries where !keep.contains(e.local) {
            _ = cache.remove(local: e.local)
            registers.free(e.register)
        }
        for local in keep where cache.register(of: local) == nil {
            guard cacheFromSlot(local) != nil else { continue }
        }
        for local in keep { cache.touch(local) }
    }
}
