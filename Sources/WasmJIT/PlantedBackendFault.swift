/// A bug planted in a backend's code generation, for proving that the
/// differential fuzzer finds what only one architecture gets wrong (the
/// self-test, and `wasmcheck fuzz --engines interp,jit-aarch64!FAULT`):
/// the code is wrong the way a real backend bug would make it, and every
/// other tier and architecture stays right. Never used outside tests and
/// the test-only engine names.
public enum PlantedBackendFault: String, CaseIterable, Sendable {
    /// AArch64 has no rotate-left: `rotl` is `rorv` by the negated count.
    /// The slip forgets the negation, so `i32.rotl`/`i64.rotl` rotate right
    /// (an operand slip in rotates, a class of bug that wasmtime's
    /// differential fuzzing found in its baseline compiler).
    case a64RotlSlip = "a64-rotl-slip"
    /// A register clobber in the x86-64 backend: the register-register
    /// `i32.mul`/`i64.mul` also leaves its product in r11, which the
    /// allocator hands out (a temporary the backend uses without reserving
    /// it, the class of bug register pressure exposes). Wrong only when r11
    /// holds another live value, so only values live across the multiply
    /// show it (`jit-agent!x64-mul-clobber`).
    case x64MulClobber = "x64-mul-clobber"

    /// The backend the fault lives in.
    public var target: JITTarget {
        switch self {
        case .a64RotlSlip: return .aarch64
        case .x64MulClobber: return .x86_64
        }
    }
}
