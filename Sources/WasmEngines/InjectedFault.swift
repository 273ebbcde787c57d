import WasmBinary
import WasmInterpreter
import WasmRuntime
import WasmSyntax
import WasmValidation

/// A planted bug, for proving that the differential fuzzer finds bugs
/// (ci/fuzz.sh and PlantedFaultTests): an interpreter engine with one of these behaves
/// like a miscompiling or misvalidating engine would. Only tests and the
/// hidden `interp!FAULT` engine name use them.
public enum InjectedFault: String, CaseIterable, Sendable {
    /// A wrong integer operation: `i64.mul` keeps only the low 32 bits of
    /// the product (as a backend that selects a 32-bit multiply for a
    /// 64-bit one would).
    case integerOp = "int-op"
    /// A NaN bit pattern outside every valid NaN class: float results that
    /// are NaN come back with the quiet bit cleared.
    case nanBits = "nan-bits"
    /// An off-by-one memory bound: the last byte of every memory is out of
    /// bounds (a check of `end >= size` where `end > size` was meant).
    case memoryBound = "memory-bound"
    /// A wrong trap kind: "integer divide by zero" reported as "integer
    /// overflow" (on x86 both are the same CPU exception).
    case trapKind = "trap-kind"
    /// A validator that accepts a bad module: `global.set` of an immutable
    /// global is not checked.
    case validator = "validator"
    /// A float conversion that loses NaNs: `f64.promote_f32` and
    /// `f32.demote_f64` of a NaN give an infinity of its sign (as a
    /// conversion by exponent rebias and mantissa shift does when it treats
    /// the all-ones exponent alone, dropping payload and quiet bit).
    case promoteNaN = "promote-nan"
    /// A conversion boundary off by one: `i32.trunc_f32_s` and
    /// `i32.trunc_f64_s` of exactly -2^31 trap with "integer overflow" (a
    /// range check of `x <= -2^31` where `x < -2^31` was meant).
    case truncBoundary = "trunc-boundary"
    /// A wrong lane saturation: `i8x16.add_sat_s` and `i8x16.sub_sat_s`
    /// saturate at 126 instead of 127.
    case laneSaturation = "lane-saturation"
    /// A validator hole outside the generator's invalid-module rules: a
    /// memory access aligned beyond its natural alignment is accepted.
    /// Only modules with flipped bytes reach it.
    case validatorAlignment = "validator-alignment"
    /// A call from the host whose only result is an `i32` returns that
    /// value plus one (as a miscompiled `i32.add` might): the conformance
    /// gate's self-check.
    case i32OffByOne = "i32-off-by-one"
    /// Every call from the host traps ("injected fault").
    case trapOnCall = "trap-on-call"
    /// A memory-unsafe interpreter: an out-of-bounds scalar load reads
    /// outside the memory instead of trapping (a lost bounds check), which
    /// usually ends the process with SIGSEGV. Only the interpreter has it
    /// (it lives in the executor); run it in a child process (`serve`, or
    /// `wasmcheck fuzz --fork N`), or it takes the fuzzer down with it.
    case wildRead = "wild-read"

    /// Whether the fault can crash the process it runs in.
    public var isMemoryUnsafe: Bool { self == .wildRead }

    /// Whether only the interpreter has the fault (it is planted in the
    /// executor, which the JIT does not use).
    public var isInterpreterOnly: Bool { self == .wildRead }

    /// Rewrites a module's bytes before compilation, for faults that live
    /// in "code generation"; nil when the fault does not (or the bytes do
    /// not decode, which the real compile then reports).
    func rewrite(_ bytes: [UInt8]) -> [UInt8]? {
        let targets: Set<Opcode>
        switch self {
        case .integerOp: targets = [.i64Mul]
        case .promoteNaN: targets = [.f64PromoteF32, .f32DemoteF64]
        case .truncBoundary: targets = [.i32TruncF32S, .i32TruncF64S]
        case .laneSaturation: targets = [.i8x16AddSatS, .i8x16SubSatS]
        default: return nil
        }
        // Only valid modules: the locals added below could make an invalid
        // one (a `local.get` one past the last local) valid.
        guard var module = try? decodeModule(bytes), (try? validateModule(module, features: .all)) != nil else { return nil }
        let types = module.definedTypes
        var changed = false
        for (i, function) in module.functions.enumerated() {
            guard let instructions = try? decodeInstructions(function.body),
                  instructions.contains(where: { targets.contains($0.opcode) }) else { continue }
            // A fresh local of each float type, after all others, for the
            // faults that need their operand twice.
            let params = Int(function.typeIndex) < types.count ? types[Int(function.typeIndex)].funcType?.params.count ?? 0 : 0
            let declared = function.locals.reduce(0) { $0 + Int($1.count) }
            let f32Local = UInt32(params + declared), f64Local = f32Local + 1
            var writer = BinaryWriter()
            for instruction in instructions {
                let hit = targets.contains(instruction.opcode)
                if hit && self == .truncBoundary {
                    // -2^31 becomes 3e9, which overflows.
                    let isF32 = instruction.opcode == .i32TruncF32S
                    let t = isF32 ? f32Local : f64Local
                    writer.instruction(Instruction(.localSet, .index(t)))
                    writer.instruction(isF32 ? Instruction(.f32Const, .f32(Float(3e9).bitPattern)) : Instruction(.f64Const, .f64(Double(3e9).bitPattern)))
                    writer.instruction(Instruction(.localGet, .index(t)))
                    writer.instruction(Instruction(.localGet, .index(t)))
                    writer.instruction(isF32 ? Instruction(.f32Const, .f32(Float(-2147483648).bitPattern))
                                             : Instruction(.f64Const, .f64(Double(-2147483648).bitPattern)))
                    writer.instruction(Instruction(isF32 ? .f32Eq : .f64Eq))
                    writer.instruction(Instruction(.select))
                }
                writer.instruction(instruction)
                guard hit else { continue }
                switch self {
                case .integerOp:
                    writer.instruction(Instruction(.i64Const, .i64(0xFFFF_FFFF)))
                    writer.instruction(Instruction(.i64And))
                case .promoteNaN:
                    // select(copysign(inf, r), r, r != r)
                    let isF64 = instruction.opcode == .f64PromoteF32
                    let t = isF64 ? f64Local : f32Local
                    writer.instruction(Instruction(.localSet, .index(t)))
                    writer.instruction(isF64 ? Instruction(.f64Const, .f64(0x7FF0_0000_0000_0000)) : Instruction(.f32Const, .f32(0x7F80_0000)))
                    writer.instruction(Instruction(.localGet, .index(t)))
                    writer.instruction(Instruction(isF64 ? .f64Copysign : .f32Copysign))
                    writer.instruction(Instruction(.localGet, .index(t)))
                    writer.instruction(Instruction(.localGet, .index(t)))
                    writer.instruction(Instruction(.localGet, .index(t)))
                    writer.instruction(Instruction(isF64 ? .f64Ne : .f32Ne))
                    writer.instruction(Instruction(.select))
                case .laneSaturation:
                    writer.instruction(Instruction(.v128Const, .v128(V128(lo: 0x7E7E_7E7E_7E7E_7E7E, hi: 0x7E7E_7E7E_7E7E_7E7E))))
                    writer.instruction(Instruction(.i8x16MinS))
                default:
                    break
                }
            }
            module.functions[i].body = writer.bytes[...]
            if self == .promoteNaN || self == .truncBoundary {
                module.functions[i].locals += [LocalRun(count: 1, type: .f32), LocalRun(count: 1, type: .f64)]
            }
            changed = true
        }
        return changed ? encodeModule(module) : nil
    }

    /// Whether the faulty validator lets this rejection pass.
    func accepts(_ error: CompileError) -> Bool {
        switch self {
        case .validator: return error.kind == .invalid && error.message.hasPrefix("immutable global")
        case .validatorAlignment: return error.kind == .invalid && error.message.hasPrefix("alignment must not be larger than natural")
        default: return false
        }
    }

    /// Whether the fault sits in the tier (around calls from the host).
    var isTierFault: Bool {
        switch self {
        case .nanBits, .memoryBound, .trapKind, .i32OffByOne, .trapOnCall, .wildRead: return true
        case .integerOp, .validator, .promoteNaN, .truncBoundary, .laneSaturation, .validatorAlignment: return false
        }
    }
}

/// The tier of a faulty engine: a real tier, with the fault applied around
/// every call from the host. It changes no configuration: the fault sits
/// between the runtime and the real tier, so the rest of the run is
/// exactly the correct engine's.
final class FaultyTier: TierImplementation {
    let fault: InjectedFault
    private let inner: any TierImplementation

    /// nil when `tier` is not one of this package's tiers.
    init?(wrapping tier: any ExecutionTier, fault: InjectedFault) {
        guard let inner = tier as? any TierImplementation else { return nil }
        self.fault = fault
        self.inner = inner
    }

    /// The real tier's name: reports and baselines of a faulty run are
    /// compared with the real engine's.
    var name: String { inner.name }

    func compile(_ module: WasmSyntax.Module, context: CompilationContext) throws(CompileError) -> any CompiledCode {
        try inner.compile(module, context: context)
    }

    func invoke(_ function: UnsafeMutablePointer<FunctionHeader>, slots: UnsafeMutablePointer<UInt64>, store: Store) throws(Trap) {
        switch fault {
        case .memoryBound:
            // Shrink every memory's bound by one byte for the call; memory
            // growth and the host see the true size.
            let memories = store.instances.flatMap(\.memories) + store.hostMemories
            for m in memories where m.state.pointee.byteCount > 0 { m.state.pointee.byteCount -= 1 }
            defer {
                for m in memories {
                    m.state.pointee.byteCount = Int(m.state.pointee.pageCount << UInt64(m.state.pointee.pageSizeLog2))
                }
            }
            try inner.invoke(function, slots: slots, store: store)
        case .trapKind:
            do {
                try inner.invoke(function, slots: slots, store: store)
            } catch {
                if error.kind == .integerDivideByZero { throw Trap(.integerOverflow) }
                throw error
            }
        case .nanBits:
            try inner.invoke(function, slots: slots, store: store)
            guard let type = store.types.funcType(function.pointee.typeID) else { return }
            var offset = 0
            for t in type.results {
                switch t {
                case .f32:
                    let bits = UInt32(truncatingIfNeeded: slots[offset])
                    if bits & 0x7F80_0000 == 0x7F80_0000 && bits & 0x007F_FFFF != 0 {
                        slots[offset] = UInt64(bits & 0xFFBF_FFFF | 1)
                    }
                case .f64:
                    let bits = slots[offset]
                    if bits & 0x7FF0_0000_0000_0000 == 0x7FF0_0000_0000_0000 && bits & 0x000F_FFFF_FFFF_FFFF != 0 {
                        slots[offset] = bits & 0xFFF7_FFFF_FFFF_FFFF | 1
                    }
                default:
                    break
                }
                offset += t.slotCount
            }
        case .trapOnCall:
            throw Trap(.host("injected fault"))
        case .i32OffByOne:
            try inner.invoke(function, slots: slots, store: store)
            // Only a lone i32 result is touched: its slot holds a plain
            // number, so corrupting it cannot hurt the host (a reference's
            // slot could).
            if let type = store.types.funcType(function.pointee.typeID), type.results == [.i32] {
                slots[0] = UInt64(UInt32(truncatingIfNeeded: slots[0]) &+ 1)
            }
        case .wildRead:
            try Interpreter.withWildReadsPlanted { () throws(Trap) in
                try inner.invoke(function, slots: slots, store: store)
            }
        case .integerOp, .validator, .promoteNaN, .truncBoundary, .laneSaturation, .validatorAlignment:
            try inner.invoke(function, slots: slots, store: store)
        }
    }
}
