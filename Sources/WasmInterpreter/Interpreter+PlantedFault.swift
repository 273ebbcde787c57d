import CWasmInterpreter

extension Interpreter {
    /// Runs `body` with the executor's planted wild read on this thread
    /// (`wc_plant_wild_read`): an out-of-bounds scalar load reads outside the
    /// memory instead of trapping. Test-only: the fuzzer's self-test plants
    /// it (`interp!wild-read`) to prove that a memory-unsafe tier ends as a
    /// stored crash finding, not as a lost run.
    public static func withWildReadsPlanted<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        wc_plant_wild_read(true)
        defer { wc_plant_wild_read(false) }
        return try body()
    }
}
