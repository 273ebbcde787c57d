/// Maps a function's IR back to the wasm instructions it came from, for
/// trap backtraces (`WasmFrame.moduleOffset`). One entry per run of IR
/// translated from one wasm instruction: the IR index of its first word in
/// the high 32 bits, the instruction's byte offset in the module in the low
/// 32. Entries are in increasing IR order; the instruction at an IR index
/// is the last entry at or before it. The translator writes entries as it
/// emits (`FunctionTranslator.begin`) and drops them with the instructions
/// a peephole removes, so a comparison fused into a branch maps to the
/// branch and an address add folded into a load maps to the load.
///
/// Only the trap path reads it; it costs the executor nothing.
enum SourceMap {
    /// Notes that the instruction starting at IR index `code` comes from
    /// the wasm instruction at `offset`.
    @inline(__always)
    static func note(_ map: inout [UInt64], code: Int, offset: Int) {
        let offset32 = UInt32(truncatingIfNeeded: offset)
        if let last = map.last, UInt32(truncatingIfNeeded: last) == offset32 { return }
        map.append(UInt64(UInt32(truncatingIfNeeded: code)) << 32 | UInt64(offset32))
    }

    /// Forgets the entries of IR from index `start` on (removed code).
    static func drop(_ map: inout [UInt64], from start: Int) {
        while let last = map.last, Int(last >> 32) >= start { map.removeLast() }
    }

    /// The module offset of the wasm instruction whose IR holds index `pc`;
    /// nil before the first entry.
    static func offset(in map: [UInt64], at pc: Int) -> Int? {
        var lo = 0, hi = map.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if Int(map[mid] >> 32) <= pc { lo = mid + 1 } else { hi = mid }
        }
        return lo > 0 ? Int(UInt32(truncatingIfNeeded: map[lo - 1])) : nil
    }
}
