import WasmRuntime
import WasmSyntax

/// Runs IR. One loop dispatches on the operation of each instruction; the
/// machine state is four locals: `pc` (the instruction), `sp` (the frame's
/// slot 0), `ctx` (the instance) and `mem` (its memory 0). Calls between
/// WebAssembly functions push a `Frame` and continue in the same loop, so
/// the native stack does not grow with the wasm call depth.
///
/// Handlers are kept small and self-contained (operands decoded from the
/// instruction words, no state outside the four locals) so that the loop
/// can later be replaced by threaded dispatch. Performance depends on the
/// four locals staying in registers: nothing may take their address (pass
/// them `inout` to a function that is not inlined), and rare operations
/// (GC, exceptions, host calls) live in separate functions.
enum Executor {
    static func run(_ entry: UnsafeMutablePointer<FunctionHeader>, base: UnsafeMutablePointer<UInt64>, stack: ExecutionStack, store: Store) throws(Trap) {
        let entryFrames = stack.frameCount
        defer { stack.frameCount = entryFrames }
        let consumesFuel = store.engine.configuration.consumesFuel
        var fuel = store.fuel
        defer { if consumesFuel { store.fuel = fuel } }
        guard let entryInstance = entry.pointee.instance else { throw Trap(.typeMismatch) }

        var sp = base
        var ctx = entryInstance
        var mem = ctx.pointee.memory0
        var pc = UnsafeMutablePointer<UInt64>(bitPattern: 8)!
        // The frame stack in locals (the class's copy is synced around host
        // calls, which may start nested invocations above it).
        try enter(entry, at: base, returnPC: nil, sp: &sp, ctx: &ctx, mem: &mem, pc: &pc, stack: stack)

        while true {
            let w = pc.pointee
            let a = IR.a(w)
            let b = IR.b(w)
            switch IR.op(w) {
            // MARK: Control
            case .unreachable:
                throw Trap(.unreachable)
            case .consumeFuel:
                guard fuel > 0 else { throw Trap(.outOfFuel) }
                fuel -= 1
                pc += 1
            case .br:
                pc += IR.brOffset(w)
            case .brIfNez:
                pc += sp[a] != 0 ? offset(pc[1]) : 2
            case .brIfEqz:
                pc += sp[a] == 0 ? offset(pc[1]) : 2
            case .brTable:
                let i = Int(sp[i32: a])
                pc += offset(pc[1 + (i < b ? i : b)])
            case .ret1:
                sp[0] = sp[a]
                fallthrough
            case .ret:
                stack.frameCount -= 1
                let frame = stack.frames[stack.frameCount]
                guard let returnPC = frame.returnPC else { return }
                pc = returnPC
                sp = frame.sp
                ctx = frame.instance
                mem = ctx.pointee.memory0

            case .brIfI32Eq: pc += sp[i32: a] == sp[i32: b] ? offset(pc[1]) : 2
            case .brIfI32Ne: pc += sp[i32: a] != sp[i32: b] ? offset(pc[1]) : 2
            case .brIfI32LtS: pc += sp[s32: a] < sp[s32: b] ? offset(pc[1]) : 2
            case .brIfI32LtU: pc += sp[i32: a] < sp[i32: b] ? offset(pc[1]) : 2
            case .brIfI32GtS: pc += sp[s32: a] > sp[s32: b] ? offset(pc[1]) : 2
            case .brIfI32GtU: pc += sp[i32: a] > sp[i32: b] ? offset(pc[1]) : 2
            case .brIfI32LeS: pc += sp[s32: a] <= sp[s32: b] ? offset(pc[1]) : 2
            case .brIfI32LeU: pc += sp[i32: a] <= sp[i32: b] ? offset(pc[1]) : 2
            case .brIfI32GeS: pc += sp[s32: a] >= sp[s32: b] ? offset(pc[1]) : 2
            case .brIfI32GeU: pc += sp[i32: a] >= sp[i32: b] ? offset(pc[1]) : 2
            case .brIfI64Eq: pc += sp[a] == sp[b] ? offset(pc[1]) : 2
            case .brIfI64Ne: pc += sp[a] != sp[b] ? offset(pc[1]) : 2
            case .brIfI64LtS: pc += sp[s64: a] < sp[s64: b] ? offset(pc[1]) : 2
            case .brIfI64LtU: pc += sp[a] < sp[b] ? offset(pc[1]) : 2
            case .brIfI64GtS: pc += sp[s64: a] > sp[s64: b] ? offset(pc[1]) : 2
            case .brIfI64GtU: pc += sp[a] > sp[b] ? offset(pc[1]) : 2
            case .brIfI64LeS: pc += sp[s64: a] <= sp[s64: b] ? offset(pc[1]) : 2
            case .brIfI64LeU: pc += sp[a] <= sp[b] ? offset(pc[1]) : 2
            case .brIfI64GeS: pc += sp[s64: a] >= sp[s64: b] ? offset(pc[1]) : 2
            case .brIfI64GeU: pc += sp[a] >= sp[b] ? offset(pc[1]) : 2
            case .brIfI32EqImm: pc += sp[i32: a] == imm32hi(pc) ? offset32(pc) : 2
            case .brIfI32NeImm: pc += sp[i32: a] != imm32hi(pc) ? offset32(pc) : 2
            case .brIfI32LtSImm: pc += sp[s32: a] < Int32(bitPattern: imm32hi(pc)) ? offset32(pc) : 2
            case .brIfI32LtUImm: pc += sp[i32: a] < imm32hi(pc) ? offset32(pc) : 2
            case .brIfI32GtSImm: pc += sp[s32: a] > Int32(bitPattern: imm32hi(pc)) ? offset32(pc) : 2
            case .brIfI32GtUImm: pc += sp[i32: a] > imm32hi(pc) ? offset32(pc) : 2
            case .brIfI32LeSImm: pc += sp[s32: a] <= Int32(bitPattern: imm32hi(pc)) ? offset32(pc) : 2
            case .brIfI32LeUImm: pc += sp[i32: a] <= imm32hi(pc) ? offset32(pc) : 2
            case .brIfI32GeSImm: pc += sp[s32: a] >= Int32(bitPattern: imm32hi(pc)) ? offset32(pc) : 2
            case .brIfI32GeUImm: pc += sp[i32: a] >= imm32hi(pc) ? offset32(pc) : 2

            case .call:
                let callee = ctx.pointee.functions[a]
                let frame = sp + b
                if callee.pointee.instance != nil {
                    try enter(callee, at: frame, returnPC: pc + 1, sp: &sp, ctx: &ctx, mem: &mem, pc: &pc, stack: stack)
                } else {
                    fuel = try callHost(callee, frame: frame, stack: stack, store: store, fuel: fuel)
                    pc += 1
                }
            case .callIndirect:
                let w1 = pc[1]
                let table = ctx.pointee.tables[a]
                let index = table.pointee.is64 ? sp[IR.hi(w1)] : UInt64(sp[i32: IR.hi(w1)])
                guard index < UInt64(table.pointee.count) else { throw Trap(.undefinedElement) }
                let bits = table.pointee.elements[Int(index)]
                guard let callee = UnsafeMutablePointer<FunctionHeader>(bitPattern: UInt(bits)) else {
                    throw Trap(.uninitializedElement, detail: "\(index)")
                }
                let expected = ctx.pointee.typeIDs[IR.lo(w1)]
                if callee.pointee.typeID != expected && !store.types.isSubtype(callee.pointee.typeID, of: expected) {
                    throw Trap(.indirectCallTypeMismatch)
                }
                let frame = sp + b
                if callee.pointee.instance != nil {
                    try enter(callee, at: frame, returnPC: pc + 2, sp: &sp, ctx: &ctx, mem: &mem, pc: &pc, stack: stack)
                } else {
                    fuel = try callHost(callee, frame: frame, stack: stack, store: store, fuel: fuel)
                    pc += 2
                }

            case .callRef:
                guard let callee = UnsafeMutablePointer<FunctionHeader>(bitPattern: UInt(sp[a])) else {
                    throw Trap(.nullFunctionReference)
                }
                let frame = sp + b
                if callee.pointee.instance != nil {
                    try enter(callee, at: frame, returnPC: pc + 1, sp: &sp, ctx: &ctx, mem: &mem, pc: &pc, stack: stack)
                } else {
                    fuel = try callHost(callee, frame: frame, stack: stack, store: store, fuel: fuel)
                    pc += 1
                }
            case .returnCall, .returnCallIndirect, .returnCallRef:
                let callee: UnsafeMutablePointer<FunctionHeader>
                switch IR.op(w) {
                case .returnCall:
                    callee = ctx.pointee.functions[a]
                case .returnCallRef:
                    guard let c = UnsafeMutablePointer<FunctionHeader>(bitPattern: UInt(sp[a])) else {
                        throw Trap(.nullFunctionReference)
                    }
                    callee = c
                default:
                    let table = ctx.pointee.tables[a]
                    let index = table.pointee.is64 ? sp[b] : UInt64(sp[i32: b])
                    guard index < UInt64(table.pointee.count) else { throw Trap(.undefinedElement) }
                    guard let c = UnsafeMutablePointer<FunctionHeader>(bitPattern: UInt(table.pointee.elements[Int(index)])) else {
                        throw Trap(.uninitializedElement, detail: "\(index)")
                    }
                    let expected = ctx.pointee.typeIDs[Int(pc[1])]
                    if c.pointee.typeID != expected && !store.types.isSubtype(c.pointee.typeID, of: expected) {
                        throw Trap(.indirectCallTypeMismatch)
                    }
                    callee = c
                }
                if callee.pointee.instance != nil {
                    // Replace the current frame: the caller's record stays.
                    let function = callee.pointee.code.unsafelyUnwrapped.assumingMemoryBound(to: CompiledFunction.self)
                    guard function.pointee.frameSlots <= stack.end - sp else { throw Trap(.callStackExhausted) }
                    let parameters = function.pointee.parameterSlots
                    let zeroed = function.pointee.localSlots - parameters
                    if zeroed > 0 { (sp + parameters).update(repeating: 0, count: zeroed) }
                    ctx = callee.pointee.instance.unsafelyUnwrapped
                    mem = ctx.pointee.memory0
                    pc = function.pointee.code
                    stack.frames[stack.frameCount - 1].function = function
                } else {
                    fuel = try callHost(callee, frame: sp, stack: stack, store: store, fuel: fuel)
                    stack.frameCount -= 1
                    let frame = stack.frames[stack.frameCount]
                    guard let returnPC = frame.returnPC else { return }
                    pc = returnPC
                    sp = frame.sp
                    ctx = frame.instance
                    mem = ctx.pointee.memory0
                }
            case .refAsNonNull:
                guard sp[a] != 0 else { throw Trap(.nullReference) }
                pc += 1
            case .throwTag:
                let exception = try store.allocateException(tag: ctx.pointee.tags[a], payload: sp + b, count: Int(pc[1]))
                (pc, sp, ctx) = try unwind(exception, at: pc, sp: sp, ctx: ctx, stack: stack)
                mem = ctx.pointee.memory0
            case .throwRef:
                guard let exception = UnsafeMutablePointer<UInt64>(bitPattern: UInt(sp[a])) else {
                    throw Trap(.nullExceptionReference)
                }
                (pc, sp, ctx) = try unwind(exception, at: pc, sp: sp, ctx: ctx, stack: stack)
                mem = ctx.pointee.memory0

            // MARK: Moves
            case .copy:
                sp[a] = sp[b]; pc += 1
            case .copy2:
                sp[a] = sp[b]
                let w1 = pc[1]
                sp[IR.lo(w1)] = sp[IR.hi(w1)]; pc += 2
            case .copy128:
                let lo = sp[b], hi = sp[b + 1]
                sp[a] = lo; sp[a + 1] = hi; pc += 1
            case .const64:
                sp[a] = pc[1]; pc += 2
            case .const128:
                sp[a] = pc[1]; sp[a + 1] = pc[2]; pc += 3
            case .select:
                let w1 = pc[1]
                sp[a] = sp[b] != 0 ? sp[IR.lo(w1)] : sp[IR.hi(w1)]; pc += 2
            case .select128:
                let w1 = pc[1]
                let s = sp[b] != 0 ? IR.lo(w1) : IR.hi(w1)
                let lo = sp[s], hi = sp[s + 1]
                sp[a] = lo; sp[a + 1] = hi; pc += 2
            case .globalGet:
                sp[a] = ctx.pointee.globals[b][0]; pc += 1
            case .globalSet:
                ctx.pointee.globals[b][0] = sp[a]; pc += 1
            case .globalGet128:
                let cell = ctx.pointee.globals[b]
                sp[a] = cell[0]; sp[a + 1] = cell[1]; pc += 1
            case .globalSet128:
                let cell = ctx.pointee.globals[b]
                cell[0] = sp[a]; cell[1] = sp[a + 1]; pc += 1

            // MARK: i32
            case .i32Eqz: sp[bool: a] = sp[i32: b] == 0; pc += 1
            case .i32Eq: sp[bool: a] = sp[i32: b] == sp[i32: c(pc)]; pc += 2
            case .i32Ne: sp[bool: a] = sp[i32: b] != sp[i32: c(pc)]; pc += 2
            case .i32LtS: sp[bool: a] = sp[s32: b] < sp[s32: c(pc)]; pc += 2
            case .i32LtU: sp[bool: a] = sp[i32: b] < sp[i32: c(pc)]; pc += 2
            case .i32GtS: sp[bool: a] = sp[s32: b] > sp[s32: c(pc)]; pc += 2
            case .i32GtU: sp[bool: a] = sp[i32: b] > sp[i32: c(pc)]; pc += 2
            case .i32LeS: sp[bool: a] = sp[s32: b] <= sp[s32: c(pc)]; pc += 2
            case .i32LeU: sp[bool: a] = sp[i32: b] <= sp[i32: c(pc)]; pc += 2
            case .i32GeS: sp[bool: a] = sp[s32: b] >= sp[s32: c(pc)]; pc += 2
            case .i32GeU: sp[bool: a] = sp[i32: b] >= sp[i32: c(pc)]; pc += 2
            case .i32Clz: sp[i32: a] = UInt32(sp[i32: b].leadingZeroBitCount); pc += 1
            case .i32Ctz: sp[i32: a] = UInt32(sp[i32: b].trailingZeroBitCount); pc += 1
            case .i32Popcnt: sp[i32: a] = UInt32(sp[i32: b].nonzeroBitCount); pc += 1
            case .i32Add: sp[i32: a] = sp[i32: b] &+ sp[i32: c(pc)]; pc += 2
            case .i32Sub: sp[i32: a] = sp[i32: b] &- sp[i32: c(pc)]; pc += 2
            case .i32Mul: sp[i32: a] = sp[i32: b] &* sp[i32: c(pc)]; pc += 2
            case .i32DivS:
                let x = sp[s32: b], y = sp[s32: c(pc)]
                guard y != 0 else { throw Trap(.integerDivideByZero) }
                guard x != .min || y != -1 else { throw Trap(.integerOverflow) }
                sp[s32: a] = x / y; pc += 2
            case .i32DivU:
                let x = sp[i32: b], y = sp[i32: c(pc)]
                guard y != 0 else { throw Trap(.integerDivideByZero) }
                sp[i32: a] = x / y; pc += 2
            case .i32RemS:
                let x = sp[s32: b], y = sp[s32: c(pc)]
                guard y != 0 else { throw Trap(.integerDivideByZero) }
                sp[s32: a] = y == -1 ? 0 : x % y; pc += 2
            case .i32RemU:
                let x = sp[i32: b], y = sp[i32: c(pc)]
                guard y != 0 else { throw Trap(.integerDivideByZero) }
                sp[i32: a] = x % y; pc += 2
            case .i32And: sp[i32: a] = sp[i32: b] & sp[i32: c(pc)]; pc += 2
            case .i32Or: sp[i32: a] = sp[i32: b] | sp[i32: c(pc)]; pc += 2
            case .i32Xor: sp[i32: a] = sp[i32: b] ^ sp[i32: c(pc)]; pc += 2
            case .i32Shl: sp[i32: a] = sp[i32: b] &<< sp[i32: c(pc)]; pc += 2
            case .i32ShrS: sp[s32: a] = sp[s32: b] &>> sp[s32: c(pc)]; pc += 2
            case .i32ShrU: sp[i32: a] = sp[i32: b] &>> sp[i32: c(pc)]; pc += 2
            case .i32Rotl: sp[i32: a] = rotl(sp[i32: b], sp[i32: c(pc)]); pc += 2
            case .i32Rotr: sp[i32: a] = rotr(sp[i32: b], sp[i32: c(pc)]); pc += 2
            case .i32AddImm: sp[i32: a] = sp[i32: b] &+ imm32(pc); pc += 2
            case .i32MulImm: sp[i32: a] = sp[i32: b] &* imm32(pc); pc += 2
            case .i32AndImm: sp[i32: a] = sp[i32: b] & imm32(pc); pc += 2
            case .i32OrImm: sp[i32: a] = sp[i32: b] | imm32(pc); pc += 2
            case .i32XorImm: sp[i32: a] = sp[i32: b] ^ imm32(pc); pc += 2
            case .i32ShlImm: sp[i32: a] = sp[i32: b] &<< imm32(pc); pc += 2
            case .i32ShrSImm: sp[s32: a] = sp[s32: b] &>> Int32(bitPattern: imm32(pc)); pc += 2
            case .i32ShrUImm: sp[i32: a] = sp[i32: b] &>> imm32(pc); pc += 2
            case .i32RotlImm: sp[i32: a] = rotl(sp[i32: b], imm32(pc)); pc += 2
            case .i32RotrImm: sp[i32: a] = rotr(sp[i32: b], imm32(pc)); pc += 2
            case .i32EqImm: sp[bool: a] = sp[i32: b] == imm32(pc); pc += 2
            case .i32NeImm: sp[bool: a] = sp[i32: b] != imm32(pc); pc += 2
            case .i32LtSImm: sp[bool: a] = sp[s32: b] < Int32(bitPattern: imm32(pc)); pc += 2
            case .i32LtUImm: sp[bool: a] = sp[i32: b] < imm32(pc); pc += 2
            case .i32GtSImm: sp[bool: a] = sp[s32: b] > Int32(bitPattern: imm32(pc)); pc += 2
            case .i32GtUImm: sp[bool: a] = sp[i32: b] > imm32(pc); pc += 2
            case .i32LeSImm: sp[bool: a] = sp[s32: b] <= Int32(bitPattern: imm32(pc)); pc += 2
            case .i32LeUImm: sp[bool: a] = sp[i32: b] <= imm32(pc); pc += 2
            case .i32GeSImm: sp[bool: a] = sp[s32: b] >= Int32(bitPattern: imm32(pc)); pc += 2
            case .i32GeUImm: sp[bool: a] = sp[i32: b] >= imm32(pc); pc += 2

            // MARK: i64
            case .i64Eqz: sp[bool: a] = sp[b] == 0; pc += 1
            case .i64Eq: sp[bool: a] = sp[b] == sp[c(pc)]; pc += 2
            case .i64Ne: sp[bool: a] = sp[b] != sp[c(pc)]; pc += 2
            case .i64LtS: sp[bool: a] = sp[s64: b] < sp[s64: c(pc)]; pc += 2
            case .i64LtU: sp[bool: a] = sp[b] < sp[c(pc)]; pc += 2
            case .i64GtS: sp[bool: a] = sp[s64: b] > sp[s64: c(pc)]; pc += 2
            case .i64GtU: sp[bool: a] = sp[b] > sp[c(pc)]; pc += 2
            case .i64LeS: sp[bool: a] = sp[s64: b] <= sp[s64: c(pc)]; pc += 2
            case .i64LeU: sp[bool: a] = sp[b] <= sp[c(pc)]; pc += 2
            case .i64GeS: sp[bool: a] = sp[s64: b] >= sp[s64: c(pc)]; pc += 2
            case .i64GeU: sp[bool: a] = sp[b] >= sp[c(pc)]; pc += 2
            case .i64Clz: sp[a] = UInt64(sp[b].leadingZeroBitCount); pc += 1
            case .i64Ctz: sp[a] = UInt64(sp[b].trailingZeroBitCount); pc += 1
            case .i64Popcnt: sp[a] = UInt64(sp[b].nonzeroBitCount); pc += 1
            case .i64Add: sp[a] = sp[b] &+ sp[c(pc)]; pc += 2
            case .i64Sub: sp[a] = sp[b] &- sp[c(pc)]; pc += 2
            case .i64Mul: sp[a] = sp[b] &* sp[c(pc)]; pc += 2
            case .i64DivS:
                let x = sp[s64: b], y = sp[s64: c(pc)]
                guard y != 0 else { throw Trap(.integerDivideByZero) }
                guard x != .min || y != -1 else { throw Trap(.integerOverflow) }
                sp[s64: a] = x / y; pc += 2
            case .i64DivU:
                let x = sp[b], y = sp[c(pc)]
                guard y != 0 else { throw Trap(.integerDivideByZero) }
                sp[a] = x / y; pc += 2
            case .i64RemS:
                let x = sp[s64: b], y = sp[s64: c(pc)]
                guard y != 0 else { throw Trap(.integerDivideByZero) }
                sp[s64: a] = y == -1 ? 0 : x % y; pc += 2
            case .i64RemU:
                let x = sp[b], y = sp[c(pc)]
                guard y != 0 else { throw Trap(.integerDivideByZero) }
                sp[a] = x % y; pc += 2
            case .i64And: sp[a] = sp[b] & sp[c(pc)]; pc += 2
            case .i64Or: sp[a] = sp[b] | sp[c(pc)]; pc += 2
            case .i64Xor: sp[a] = sp[b] ^ sp[c(pc)]; pc += 2
            case .i64Shl: sp[a] = sp[b] &<< sp[c(pc)]; pc += 2
            case .i64ShrS: sp[s64: a] = sp[s64: b] &>> sp[s64: c(pc)]; pc += 2
            case .i64ShrU: sp[a] = sp[b] &>> sp[c(pc)]; pc += 2
            case .i64Rotl: sp[a] = rotl(sp[b], sp[c(pc)]); pc += 2
            case .i64Rotr: sp[a] = rotr(sp[b], sp[c(pc)]); pc += 2
            case .i64AddImm: sp[a] = sp[b] &+ pc[1]; pc += 2
            case .i64MulImm: sp[a] = sp[b] &* pc[1]; pc += 2
            case .i64AndImm: sp[a] = sp[b] & pc[1]; pc += 2
            case .i64OrImm: sp[a] = sp[b] | pc[1]; pc += 2
            case .i64XorImm: sp[a] = sp[b] ^ pc[1]; pc += 2
            case .i64ShlImm: sp[a] = sp[b] &<< pc[1]; pc += 2
            case .i64ShrSImm: sp[s64: a] = sp[s64: b] &>> Int64(bitPattern: pc[1]); pc += 2
            case .i64ShrUImm: sp[a] = sp[b] &>> pc[1]; pc += 2
            case .i64RotlImm: sp[a] = rotl(sp[b], pc[1]); pc += 2
            case .i64RotrImm: sp[a] = rotr(sp[b], pc[1]); pc += 2
            case .i64EqImm: sp[bool: a] = sp[b] == pc[1]; pc += 2
            case .i64NeImm: sp[bool: a] = sp[b] != pc[1]; pc += 2
            case .i64LtSImm: sp[bool: a] = sp[s64: b] < Int64(bitPattern: pc[1]); pc += 2
            case .i64LtUImm: sp[bool: a] = sp[b] < pc[1]; pc += 2
            case .i64GtSImm: sp[bool: a] = sp[s64: b] > Int64(bitPattern: pc[1]); pc += 2
            case .i64GtUImm: sp[bool: a] = sp[b] > pc[1]; pc += 2
            case .i64LeSImm: sp[bool: a] = sp[s64: b] <= Int64(bitPattern: pc[1]); pc += 2
            case .i64LeUImm: sp[bool: a] = sp[b] <= pc[1]; pc += 2
            case .i64GeSImm: sp[bool: a] = sp[s64: b] >= Int64(bitPattern: pc[1]); pc += 2
            case .i64GeUImm: sp[bool: a] = sp[b] >= pc[1]; pc += 2

            case .i64Add128, .i64Sub128:
                let w1 = pc[1]
                let lo1 = sp[b], hi1 = sp[IR.lo(w1)], lo2 = sp[IR.hi(w1)], hi2 = sp[Int(pc[2])]
                if IR.op(w) == .i64Add128 {
                    let (lo, carry) = lo1.addingReportingOverflow(lo2)
                    sp[a] = lo
                    sp[a + 1] = hi1 &+ hi2 &+ (carry ? 1 : 0)
                } else {
                    let (lo, borrow) = lo1.subtractingReportingOverflow(lo2)
                    sp[a] = lo
                    sp[a + 1] = hi1 &- hi2 &- (borrow ? 1 : 0)
                }
                pc += 3
            case .i64MulWideS:
                let (high, low) = sp[s64: b].multipliedFullWidth(by: sp[s64: c(pc)])
                sp[a] = low
                sp[s64: a + 1] = high; pc += 2
            case .i64MulWideU:
                let (high, low) = sp[b].multipliedFullWidth(by: sp[c(pc)])
                sp[a] = low
                sp[a + 1] = high; pc += 2

            // MARK: f32, f64
            case .f32Eq: sp[bool: a] = sp[f32: b] == sp[f32: c(pc)]; pc += 2
            case .f32Ne: sp[bool: a] = sp[f32: b] != sp[f32: c(pc)]; pc += 2
            case .f32Lt: sp[bool: a] = sp[f32: b] < sp[f32: c(pc)]; pc += 2
            case .f32Gt: sp[bool: a] = sp[f32: b] > sp[f32: c(pc)]; pc += 2
            case .f32Le: sp[bool: a] = sp[f32: b] <= sp[f32: c(pc)]; pc += 2
            case .f32Ge: sp[bool: a] = sp[f32: b] >= sp[f32: c(pc)]; pc += 2
            case .f64Eq: sp[bool: a] = sp[f64: b] == sp[f64: c(pc)]; pc += 2
            case .f64Ne: sp[bool: a] = sp[f64: b] != sp[f64: c(pc)]; pc += 2
            case .f64Lt: sp[bool: a] = sp[f64: b] < sp[f64: c(pc)]; pc += 2
            case .f64Gt: sp[bool: a] = sp[f64: b] > sp[f64: c(pc)]; pc += 2
            case .f64Le: sp[bool: a] = sp[f64: b] <= sp[f64: c(pc)]; pc += 2
            case .f64Ge: sp[bool: a] = sp[f64: b] >= sp[f64: c(pc)]; pc += 2
            case .f32Abs: sp[i32: a] = sp[i32: b] & 0x7FFF_FFFF; pc += 1
            case .f32Neg: sp[i32: a] = sp[i32: b] ^ 0x8000_0000; pc += 1
            case .f32Ceil: sp[f32: a] = ScalarOps.f32Ceil(sp[f32: b]); pc += 1
            case .f32Floor: sp[f32: a] = ScalarOps.f32Floor(sp[f32: b]); pc += 1
            case .f32Trunc: sp[f32: a] = ScalarOps.f32Trunc(sp[f32: b]); pc += 1
            case .f32Nearest: sp[f32: a] = ScalarOps.f32Nearest(sp[f32: b]); pc += 1
            case .f32Sqrt: sp[f32: a] = sp[f32: b].squareRoot(); pc += 1
            case .f32Add: sp[f32: a] = sp[f32: b] + sp[f32: c(pc)]; pc += 2
            case .f32Sub: sp[f32: a] = sp[f32: b] - sp[f32: c(pc)]; pc += 2
            case .f32Mul: sp[f32: a] = sp[f32: b] * sp[f32: c(pc)]; pc += 2
            case .f32Div: sp[f32: a] = sp[f32: b] / sp[f32: c(pc)]; pc += 2
            case .f32Min: sp[f32: a] = ScalarOps.f32Min(sp[f32: b], sp[f32: c(pc)]); pc += 2
            case .f32Max: sp[f32: a] = ScalarOps.f32Max(sp[f32: b], sp[f32: c(pc)]); pc += 2
            case .f32Copysign:
                sp[i32: a] = sp[i32: b] & 0x7FFF_FFFF | sp[i32: c(pc)] & 0x8000_0000; pc += 2
            case .f64Abs: sp[a] = sp[b] & 0x7FFF_FFFF_FFFF_FFFF; pc += 1
            case .f64Neg: sp[a] = sp[b] ^ 0x8000_0000_0000_0000; pc += 1
            case .f64Ceil: sp[f64: a] = ScalarOps.f64Ceil(sp[f64: b]); pc += 1
            case .f64Floor: sp[f64: a] = ScalarOps.f64Floor(sp[f64: b]); pc += 1
            case .f64Trunc: sp[f64: a] = ScalarOps.f64Trunc(sp[f64: b]); pc += 1
            case .f64Nearest: sp[f64: a] = ScalarOps.f64Nearest(sp[f64: b]); pc += 1
            case .f64Sqrt: sp[f64: a] = sp[f64: b].squareRoot(); pc += 1
            case .f64Add: sp[f64: a] = sp[f64: b] + sp[f64: c(pc)]; pc += 2
            case .f64Sub: sp[f64: a] = sp[f64: b] - sp[f64: c(pc)]; pc += 2
            case .f64Mul: sp[f64: a] = sp[f64: b] * sp[f64: c(pc)]; pc += 2
            case .f64Div: sp[f64: a] = sp[f64: b] / sp[f64: c(pc)]; pc += 2
            case .f64Min: sp[f64: a] = ScalarOps.f64Min(sp[f64: b], sp[f64: c(pc)]); pc += 2
            case .f64Max: sp[f64: a] = ScalarOps.f64Max(sp[f64: b], sp[f64: c(pc)]); pc += 2
            case .f32AddImm: sp[f32: a] = sp[f32: b] + Float(bitPattern: imm32(pc)); pc += 2
            case .f32SubImm: sp[f32: a] = sp[f32: b] - Float(bitPattern: imm32(pc)); pc += 2
            case .f32MulImm: sp[f32: a] = sp[f32: b] * Float(bitPattern: imm32(pc)); pc += 2
            case .f32DivImm: sp[f32: a] = sp[f32: b] / Float(bitPattern: imm32(pc)); pc += 2
            case .f64AddImm: sp[f64: a] = sp[f64: b] + Double(bitPattern: pc[1]); pc += 2
            case .f64SubImm: sp[f64: a] = sp[f64: b] - Double(bitPattern: pc[1]); pc += 2
            case .f64MulImm: sp[f64: a] = sp[f64: b] * Double(bitPattern: pc[1]); pc += 2
            case .f64DivImm: sp[f64: a] = sp[f64: b] / Double(bitPattern: pc[1]); pc += 2
            case .f64Copysign:
                sp[a] = sp[b] & 0x7FFF_FFFF_FFFF_FFFF | sp[c(pc)] & 0x8000_0000_0000_0000; pc += 2

            // MARK: Conversions
            case .i32WrapI64: sp[i32: a] = UInt32(truncatingIfNeeded: sp[b]); pc += 1
            case .i32TruncF32S:
                let x = sp[f32: b]
                guard let r = ScalarOps.i32TruncF32S(x) else { throw truncationTrap(x.isNaN) }
                sp[s32: a] = r; pc += 1
            case .i32TruncF32U:
                let x = sp[f32: b]
                guard let r = ScalarOps.i32TruncF32U(x) else { throw truncationTrap(x.isNaN) }
                sp[i32: a] = r; pc += 1
            case .i32TruncF64S:
                let x = sp[f64: b]
                guard let r = ScalarOps.i32TruncF64S(x) else { throw truncationTrap(x.isNaN) }
                sp[s32: a] = r; pc += 1
            case .i32TruncF64U:
                let x = sp[f64: b]
                guard let r = ScalarOps.i32TruncF64U(x) else { throw truncationTrap(x.isNaN) }
                sp[i32: a] = r; pc += 1
            case .i64ExtendI32S: sp[s64: a] = Int64(sp[s32: b]); pc += 1
            case .i64ExtendI32U: sp[a] = UInt64(sp[i32: b]); pc += 1
            case .i64TruncF32S:
                let x = sp[f32: b]
                guard let r = ScalarOps.i64TruncF32S(x) else { throw truncationTrap(x.isNaN) }
                sp[s64: a] = r; pc += 1
            case .i64TruncF32U:
                let x = sp[f32: b]
                guard let r = ScalarOps.i64TruncF32U(x) else { throw truncationTrap(x.isNaN) }
                sp[a] = r; pc += 1
            case .i64TruncF64S:
                let x = sp[f64: b]
                guard let r = ScalarOps.i64TruncF64S(x) else { throw truncationTrap(x.isNaN) }
                sp[s64: a] = r; pc += 1
            case .i64TruncF64U:
                let x = sp[f64: b]
                guard let r = ScalarOps.i64TruncF64U(x) else { throw truncationTrap(x.isNaN) }
                sp[a] = r; pc += 1
            case .f32ConvertI32S: sp[f32: a] = ScalarOps.f32ConvertI32S(sp[s32: b]); pc += 1
            case .f32ConvertI32U: sp[f32: a] = ScalarOps.f32ConvertI32U(sp[i32: b]); pc += 1
            case .f32ConvertI64S: sp[f32: a] = ScalarOps.f32ConvertI64S(sp[s64: b]); pc += 1
            case .f32ConvertI64U: sp[f32: a] = ScalarOps.f32ConvertI64U(sp[b]); pc += 1
            case .f32DemoteF64: sp[f32: a] = ScalarOps.f32DemoteF64(sp[f64: b]); pc += 1
            case .f64ConvertI32S: sp[f64: a] = ScalarOps.f64ConvertI32S(sp[s32: b]); pc += 1
            case .f64ConvertI32U: sp[f64: a] = ScalarOps.f64ConvertI32U(sp[i32: b]); pc += 1
            case .f64ConvertI64S: sp[f64: a] = ScalarOps.f64ConvertI64S(sp[s64: b]); pc += 1
            case .f64ConvertI64U: sp[f64: a] = ScalarOps.f64ConvertI64U(sp[b]); pc += 1
            case .f64PromoteF32: sp[f64: a] = ScalarOps.f64PromoteF32(sp[f32: b]); pc += 1
            case .i32Extend8S: sp[s32: a] = Int32(Int8(truncatingIfNeeded: sp[b])); pc += 1
            case .i32Extend16S: sp[s32: a] = Int32(Int16(truncatingIfNeeded: sp[b])); pc += 1
            case .i64Extend8S: sp[s64: a] = Int64(Int8(truncatingIfNeeded: sp[b])); pc += 1
            case .i64Extend16S: sp[s64: a] = Int64(Int16(truncatingIfNeeded: sp[b])); pc += 1
            case .i64Extend32S: sp[s64: a] = Int64(Int32(truncatingIfNeeded: sp[b])); pc += 1
            case .i32TruncSatF32S: sp[s32: a] = ScalarOps.i32TruncSatF32S(sp[f32: b]); pc += 1
            case .i32TruncSatF32U: sp[i32: a] = ScalarOps.i32TruncSatF32U(sp[f32: b]); pc += 1
            case .i32TruncSatF64S: sp[s32: a] = ScalarOps.i32TruncSatF64S(sp[f64: b]); pc += 1
            case .i32TruncSatF64U: sp[i32: a] = ScalarOps.i32TruncSatF64U(sp[f64: b]); pc += 1
            case .i64TruncSatF32S: sp[s64: a] = ScalarOps.i64TruncSatF32S(sp[f32: b]); pc += 1
            case .i64TruncSatF32U: sp[a] = ScalarOps.i64TruncSatF32U(sp[f32: b]); pc += 1
            case .i64TruncSatF64S: sp[s64: a] = ScalarOps.i64TruncSatF64S(sp[f64: b]); pc += 1
            case .i64TruncSatF64U: sp[a] = ScalarOps.i64TruncSatF64U(sp[f64: b]); pc += 1

            // MARK: Memory 0
            case .i32Load: sp[i32: a] = try address(sp, b, pc[1], 4, mem).loadUnaligned(as: UInt32.self); pc += 2
            case .i64Load: sp[a] = try address(sp, b, pc[1], 8, mem).loadUnaligned(as: UInt64.self); pc += 2
            case .f32Load: sp[i32: a] = try address(sp, b, pc[1], 4, mem).loadUnaligned(as: UInt32.self); pc += 2
            case .f64Load: sp[a] = try address(sp, b, pc[1], 8, mem).loadUnaligned(as: UInt64.self); pc += 2
            case .i32Load8S: sp[s32: a] = Int32(try address(sp, b, pc[1], 1, mem).loadUnaligned(as: Int8.self)); pc += 2
            case .i32Load8U: sp[i32: a] = UInt32(try address(sp, b, pc[1], 1, mem).loadUnaligned(as: UInt8.self)); pc += 2
            case .i32Load16S: sp[s32: a] = Int32(try address(sp, b, pc[1], 2, mem).loadUnaligned(as: Int16.self)); pc += 2
            case .i32Load16U: sp[i32: a] = UInt32(try address(sp, b, pc[1], 2, mem).loadUnaligned(as: UInt16.self)); pc += 2
            case .i64Load8S: sp[s64: a] = Int64(try address(sp, b, pc[1], 1, mem).loadUnaligned(as: Int8.self)); pc += 2
            case .i64Load8U: sp[a] = UInt64(try address(sp, b, pc[1], 1, mem).loadUnaligned(as: UInt8.self)); pc += 2
            case .i64Load16S: sp[s64: a] = Int64(try address(sp, b, pc[1], 2, mem).loadUnaligned(as: Int16.self)); pc += 2
            case .i64Load16U: sp[a] = UInt64(try address(sp, b, pc[1], 2, mem).loadUnaligned(as: UInt16.self)); pc += 2
            case .i64Load32S: sp[s64: a] = Int64(try address(sp, b, pc[1], 4, mem).loadUnaligned(as: Int32.self)); pc += 2
            case .i64Load32U: sp[a] = UInt64(try address(sp, b, pc[1], 4, mem).loadUnaligned(as: UInt32.self)); pc += 2
            case .i32Store: try address(sp, a, pc[1], 4, mem).storeBytes(of: sp[i32: b], as: UInt32.self); pc += 2
            case .i64Store: try address(sp, a, pc[1], 8, mem).storeBytes(of: sp[b], as: UInt64.self); pc += 2
            case .f32Store: try address(sp, a, pc[1], 4, mem).storeBytes(of: sp[i32: b], as: UInt32.self); pc += 2
            case .f64Store: try address(sp, a, pc[1], 8, mem).storeBytes(of: sp[b], as: UInt64.self); pc += 2
            case .i32Store8: try address(sp, a, pc[1], 1, mem).storeBytes(of: UInt8(truncatingIfNeeded: sp[b]), as: UInt8.self); pc += 2
            case .i32Store16: try address(sp, a, pc[1], 2, mem).storeBytes(of: UInt16(truncatingIfNeeded: sp[b]), as: UInt16.self); pc += 2
            case .i64Store8: try address(sp, a, pc[1], 1, mem).storeBytes(of: UInt8(truncatingIfNeeded: sp[b]), as: UInt8.self); pc += 2
            case .i64Store16: try address(sp, a, pc[1], 2, mem).storeBytes(of: UInt16(truncatingIfNeeded: sp[b]), as: UInt16.self); pc += 2
            case .i64Store32: try address(sp, a, pc[1], 4, mem).storeBytes(of: UInt32(truncatingIfNeeded: sp[b]), as: UInt32.self); pc += 2
            case .v128Load:
                let p = try address(sp, b, pc[1], 16, mem)
                let lo = p.loadUnaligned(as: UInt64.self), hi = p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                sp[a] = lo; sp[a + 1] = hi; pc += 2
            case .v128Store:
                let p = try address(sp, a, pc[1], 16, mem)
                p.storeBytes(of: sp[b], as: UInt64.self)
                p.storeBytes(of: sp[b + 1], toByteOffset: 8, as: UInt64.self); pc += 2
            case .memoryAccess:
                try memoryAccess(pc, sp: sp, ctx: ctx); pc += 4
            case .memorySize:
                sp[a] = ctx.pointee.memories[b].pointee.pageCount; pc += 1
            case .memoryGrow:
                let memory = ctx.pointee.memories[Int(pc[1])]
                let is64 = memory.pointee.is64
                let delta = is64 ? sp[b] : UInt64(sp[i32: b])
                sp[a] = memory.grow(by: delta) ?? (is64 ? UInt64.max : UInt64(UInt32.max)); pc += 2
            case .memoryFill:
                try Bulk.memoryFill(ctx.pointee.memories[a], sp: sp, pc[1], pc[2]); pc += 3
            case .memoryCopy:
                try Bulk.memoryCopy(ctx.pointee.memories[a], ctx.pointee.memories[b], sp: sp, pc[1], pc[2]); pc += 3
            case .memoryInit:
                try Bulk.memoryInit(ctx.pointee.memories[b], ctx.pointee.datas + a, sp: sp, pc[1], pc[2]); pc += 3
            case .dataDrop:
                ctx.pointee.datas[a].count = 0; pc += 1

            // MARK: Tables and references
            case .tableGet:
                let table = ctx.pointee.tables[Int(pc[1])]
                let i = table.pointee.is64 ? sp[b] : UInt64(sp[i32: b])
                guard i < UInt64(table.pointee.count) else { throw Trap(.outOfBoundsTableAccess) }
                sp[a] = table.pointee.elements[Int(i)]; pc += 2
            case .tableSet:
                let table = ctx.pointee.tables[a]
                let i = table.pointee.is64 ? sp[b] : UInt64(sp[i32: b])
                guard i < UInt64(table.pointee.count) else { throw Trap(.outOfBoundsTableAccess) }
                table.pointee.elements[Int(i)] = sp[c(pc)]; pc += 2
            case .tableSize:
                sp[a] = UInt64(ctx.pointee.tables[b].pointee.count); pc += 1
            case .tableGrow:
                let table = ctx.pointee.tables[b]
                let w1 = pc[1]
                let is64 = table.pointee.is64
                let delta = is64 ? sp[IR.hi(w1)] : UInt64(sp[i32: IR.hi(w1)])
                sp[a] = table.grow(by: delta, value: sp[IR.lo(w1)]) ?? (is64 ? UInt64.max : UInt64(UInt32.max)); pc += 2
            case .tableFill:
                try Bulk.tableFill(ctx.pointee.tables[a], sp: sp, pc[1], pc[2]); pc += 3
            case .tableCopy:
                try Bulk.tableCopy(ctx.pointee.tables[a], ctx.pointee.tables[b], sp: sp, pc[1], pc[2]); pc += 3
            case .tableInit:
                try Bulk.tableInit(ctx.pointee.tables[b], ctx.pointee.elements + a, sp: sp, pc[1], pc[2]); pc += 3
            case .elemDrop:
                ctx.pointee.elements[a].count = 0; pc += 1
            case .refFunc:
                sp[a] = UInt64(UInt(bitPattern: ctx.pointee.functions[b])); pc += 1
            case .refIsNull:
                sp[bool: a] = sp[b] == 0; pc += 1

            // MARK: GC
            case .structNew, .structNewDefault, .structGet, .structSet, .arrayNew, .arrayNewDefault, .arrayNewFixed,
                 .arrayNewData, .arrayNewElem, .arrayGet, .arraySet, .arrayLen, .arrayFill, .arrayCopy,
                 .arrayInitData, .arrayInitElem, .refI31, .i31GetS, .i31GetU, .refTest, .refCast, .brIfCast, .brIfNotCast:
                pc += try GCInstructions.run(pc, sp: sp, ctx: ctx, store: store)

            // MARK: SIMD
            case .v128Unary:
                sp[v128: a] = VectorOps.unary(opcode(pc[1]), sp[v128: b]); pc += 2
            case .v128Binary:
                let w1 = pc[1]
                sp[v128: a] = VectorOps.binary(opcode(w1 >> 32), sp[v128: b], sp[v128: IR.lo(w1)]); pc += 2
            case .v128Ternary:
                let w1 = pc[1]
                sp[v128: a] = VectorOps.ternary(opcode(pc[2]), sp[v128: b], sp[v128: IR.lo(w1)], sp[v128: IR.hi(w1)]); pc += 3
            case .v128Shift:
                let w1 = pc[1]
                sp[v128: a] = VectorOps.shift(opcode(w1 >> 32), sp[v128: b], sp[i32: IR.lo(w1)]); pc += 2
            case .v128Test:
                sp[i32: a] = VectorOps.test(opcode(pc[1]), sp[v128: b]); pc += 2
            case .v128Splat:
                sp[v128: a] = VectorOps.splat(opcode(pc[1]), sp[b]); pc += 2
            case .v128ExtractLane:
                let w1 = pc[1]
                sp[a] = VectorOps.extractLane(opcode(w1 & 0xFFFF_FFFF), sp[v128: b], UInt8(truncatingIfNeeded: w1 >> 32)); pc += 2
            case .v128ReplaceLane:
                let w1 = pc[1]
                sp[v128: a] = VectorOps.replaceLane(opcode(w1 >> 32), sp[v128: b], UInt8(truncatingIfNeeded: pc[2]), sp[IR.lo(w1)]); pc += 3
            case .v128Shuffle:
                sp[v128: a] = VectorOps.shuffle(sp[v128: b], sp[v128: Int(pc[1])], lanes: V128(lo: pc[2], hi: pc[3])); pc += 4
            }
        }
    }

    // MARK: Calls

    /// Pushes a frame and continues in `callee` with its frame at `frame`.
    @inline(__always)
    static func enter(_ callee: UnsafeMutablePointer<FunctionHeader>, at frame: UnsafeMutablePointer<UInt64>,
                      returnPC: UnsafeMutablePointer<UInt64>?,
                      sp: inout UnsafeMutablePointer<UInt64>, ctx: inout UnsafeMutablePointer<InstanceContext>,
                      mem: inout UnsafeMutablePointer<MemoryState>, pc: inout UnsafeMutablePointer<UInt64>,
                      stack: ExecutionStack) throws(Trap) {
        guard stack.frameCount < stack.maxFrames else { throw Trap(.callStackExhausted) }
        let function = callee.pointee.code.unsafelyUnwrapped.assumingMemoryBound(to: CompiledFunction.self)
        guard function.pointee.frameSlots <= stack.end - frame else { throw Trap(.callStackExhausted) }
        stack.frames[stack.frameCount] = Frame(returnPC: returnPC, sp: sp, instance: ctx, function: function)
        stack.frameCount += 1
        // Declared locals start at zero (parameters are in place already).
        var i = function.pointee.parameterSlots
        let end = function.pointee.localSlots
        while i < end {
            frame[i] = 0
            i += 1
        }
        sp = frame
        ctx = callee.pointee.instance.unsafelyUnwrapped
        mem = ctx.pointee.memory0
        pc = function.pointee.code
    }

    /// Finds the handler of an exception thrown at `pc`: in the running
    /// function's catch clauses, then in its callers', popping their frames.
    /// Continues at the handler with the caught values in place, or throws
    /// `uncaughtException` when the exception leaves this invocation.
    /// (It returns the new machine state rather than taking it `inout`, so
    /// that the loop's registers never need an address.)
    @inline(never)
    static func unwind(_ exception: UnsafeMutablePointer<UInt64>, at pc: UnsafeMutablePointer<UInt64>,
                       sp: UnsafeMutablePointer<UInt64>, ctx: UnsafeMutablePointer<InstanceContext>,
                       stack: ExecutionStack) throws(Trap)
        -> (UnsafeMutablePointer<UInt64>, UnsafeMutablePointer<UInt64>, UnsafeMutablePointer<InstanceContext>) {
        let tag = exception[ExceptionLayout.tag]
        var at = pc
        var sp = sp
        var ctx = ctx
        while true {
            let function = stack.frames[stack.frameCount - 1].function
            let offset = at - function.pointee.code
            // A `delegate` hides the handlers of blocks deeper than its label.
            var maxDepth = Int.max
            for i in 0..<function.pointee.handlerCount {
                let clause = function.pointee.handlers.unsafelyUnwrapped[i]
                guard offset >= clause.start && offset < clause.end && clause.depth <= maxDepth else { continue }
                let destination = sp + clause.destination
                switch clause.kind {
                case .delegate:
                    maxDepth = clause.delegateDepth
                    continue
                case .catch, .catchRef:
                    guard UInt64(UInt(bitPattern: ctx.pointee.tags[clause.tag])) == tag else { continue }
                    let count = Int(exception[ExceptionLayout.count])
                    destination.update(from: exception + ExceptionLayout.payload, count: count)
                    if clause.kind == .catchRef { destination[count] = UInt64(UInt(bitPattern: exception)) }
                case .catchAll:
                    break
                case .catchAllRef:
                    destination[0] = UInt64(UInt(bitPattern: exception))
                }
                // Legacy handlers keep the exception for `rethrow`.
                if clause.exceptionSlot >= 0 { sp[clause.exceptionSlot] = UInt64(UInt(bitPattern: exception)) }
                return (function.pointee.code + clause.target, sp, ctx)
            }
            // Not caught here: leave the function.
            stack.frameCount -= 1
            let frame = stack.frames[stack.frameCount]
            guard let returnPC = frame.returnPC else { throw Trap(.uncaughtException) }
            at = returnPC - 1
            sp = frame.sp
            ctx = frame.instance
        }
    }

    /// Calls a host function whose arguments (and then results) are at
    /// `frame`; returns the fuel left.
    @inline(never)
    static func callHost(_ callee: UnsafeMutablePointer<FunctionHeader>, frame: UnsafeMutablePointer<UInt64>,
                         stack: ExecutionStack, store: Store, fuel: UInt64) throws(Trap) -> UInt64 {
        let slots = Swift.max(Int(callee.pointee.parameterSlots), Int(callee.pointee.resultSlots))
        guard slots <= stack.end - frame else { throw Trap(.callStackExhausted) }
        // A host function may call back into WebAssembly: that frame goes above.
        let savedTop = stack.top
        stack.top = frame + slots
        defer { stack.top = savedTop }
        store.fuel = fuel
        try store.callHost(callee, slots: frame)
        return store.fuel
    }

    // MARK: Helpers

    /// A relative branch offset word.
    @inline(__always) static func offset(_ word: UInt64) -> Int { Int(truncatingIfNeeded: Int64(bitPattern: word)) }
    /// The signed 32-bit branch offset in the low half of the second word.
    @inline(__always) static func offset32(_ pc: UnsafeMutablePointer<UInt64>) -> Int { Int(Int32(truncatingIfNeeded: pc[1])) }
    /// The 32-bit immediate in the high half of the second word.
    @inline(__always) static func imm32hi(_ pc: UnsafeMutablePointer<UInt64>) -> UInt32 { UInt32(truncatingIfNeeded: pc[1] >> 32) }
    /// The slot in the second word.
    @inline(__always) static func c(_ pc: UnsafeMutablePointer<UInt64>) -> Int { Int(truncatingIfNeeded: pc[1]) }
    /// The 32-bit immediate in the second word.
    @inline(__always) static func imm32(_ pc: UnsafeMutablePointer<UInt64>) -> UInt32 { UInt32(truncatingIfNeeded: pc[1]) }

    @inline(__always) static func opcode(_ raw: UInt64) -> Opcode {
        Opcode(rawValue: UInt16(truncatingIfNeeded: raw)) ?? .unreachable
    }

    @inline(__always) static func rotl<T: FixedWidthInteger & UnsignedInteger>(_ x: T, _ k: T) -> T {
        let n = T(T.bitWidth)
        let s = k % n
        return x &<< s | x &>> ((n &- s) % n)
    }

    @inline(__always) static func rotr<T: FixedWidthInteger & UnsignedInteger>(_ x: T, _ k: T) -> T {
        let n = T(T.bitWidth)
        let s = k % n
        return x &>> s | x &<< ((n &- s) % n)
    }

    static func truncationTrap(_ isNaN: Bool) -> Trap {
        Trap(isNaN ? .invalidConversionToInteger : .integerOverflow)
    }

    /// The address of an access of `size` bytes in memory 0, or an
    /// out-of-bounds trap. The address is the i32 in slot `slot` plus the
    /// high half of `w1` (wrapping, as the folded `i32.add` does), plus the
    /// static offset in the low half.
    @inline(__always)
    static func address(_ sp: UnsafeMutablePointer<UInt64>, _ slot: Int, _ w1: UInt64, _ size: UInt64,
                        _ mem: UnsafeMutablePointer<MemoryState>) throws(Trap) -> UnsafeMutableRawPointer {
        // Both terms are below 2^32, so the sum cannot wrap.
        let ea = UInt64(sp[i32: slot] &+ UInt32(truncatingIfNeeded: w1 >> 32)) &+ (w1 & 0xFFFF_FFFF)
        guard ea &+ size <= UInt64(UInt(bitPattern: mem.pointee.byteCount)) else { throw Trap(.outOfBoundsMemoryAccess) }
        return mem.pointee.base + Int(ea)
    }
}
