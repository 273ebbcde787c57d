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

    /// The backend the fault lives in.
    public var target: JITTarget {
        switch self {
        case .a64RotlSlip: return .aarch64
        }
    }
}
