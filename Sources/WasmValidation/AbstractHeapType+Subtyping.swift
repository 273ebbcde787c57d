import WasmSyntax

extension AbstractHeapType {
    /// The abstract heap type lattice: `none <: i31, struct, array <: eq <:
    /// any`, and each of func, extern and exn above its own bottom.
    @inlinable
    public func isSubtype(of b: AbstractHeapType) -> Bool {
        if self == b { return true }
        switch self {
        case .none: return b == .any || b == .eq || b == .i31 || b == .struct || b == .array
        case .eq: return b == .any
        case .i31, .struct, .array: return b == .eq || b == .any
        case .nofunc: return b == .func
        case .noextern: return b == .extern
        case .noexn: return b == .exn
        case .any, .func, .extern, .exn: return false
        }
    }
}
