import WasmSyntax

/// The structural form of the rule that keeps generated cases strict about
/// NaNs: instrumentation parks raw values (an arithmetic NaN before it is
/// canonicalised, an address before it is guarded) in scratch locals, and
/// only the instrumentation's own few instructions read them back. If
/// generated code could pick a scratch local as an ordinary local (the leak
/// that once forced the oracle out of strict NaN mode), an engine's choice
/// of NaN bits would reach results and memory.
///
/// A read is instrumentation's when the scratch local was written a few
/// instructions before, with nothing in between that generated code adds
/// between two of its own choices: a call, or an instruction whose NaN
/// results need canonicalising.
public enum ScratchLocalCheck {
    /// The longest instrumentation sequence between parking a value and
    /// reading it back (a guard of a bulk operation between two memories:
    /// about 70 instructions).
    public static let window = 96

    /// The positions in `code` of reads of `scratch` locals that are not
    /// instrumentation's.
    public static func leaks(_ code: [Instruction], scratch: Set<UInt32>) -> [Int] {
        var out: [Int] = []
        var lastWrite: [UInt32: Int] = [:]
        var lastBarrier = -1
        for (k, instruction) in code.enumerated() {
            guard case .index(let x) = instruction.immediate else {
                if isBarrier(instruction.opcode) { lastBarrier = k }
                continue
            }
            switch instruction.opcode {
            case .localSet, .localTee:
                lastWrite[x] = k
            case .localGet where scratch.contains(x):
                guard let w = lastWrite[x], k - w <= window, w > lastBarrier else {
                    out.append(k)
                    continue
                }
            default:
                if isBarrier(instruction.opcode) { lastBarrier = k }
            }
        }
        return out
    }

    /// Instructions that instrumentation never puts between parking and
    /// reading a value.
    static func isBarrier(_ op: Opcode) -> Bool {
        switch op {
        case .call, .callIndirect, .callRef, .returnCall, .returnCallIndirect, .returnCallRef: return true
        default: return CodeGenerator.nanProducers[op] != nil
        }
    }
}
