import ArgumentParser
import WasmJIT

/// `--cache DIR` / `--no-cache`: where the JIT keeps compiled modules.
/// On by default, as in wasmtime: in `ModuleCache.defaultDirectory`
/// ($WASMCHECK_CACHE_DIR, else $XDG_CACHE_HOME/wasmcheck, else
/// ~/.cache/wasmcheck).
struct CacheOptions: ParsableArguments {
    @Option(name: .customLong("cache"), help: "Keep compiled JIT code in this directory (default: $XDG_CACHE_HOME/wasmcheck or ~/.cache/wasmcheck).")
    var directory: String?

    @Flag(name: .customLong("no-cache"), help: "Compile every module; read and write no compiled-code cache.")
    var disabled = false

    /// The cache to use, if any. A default directory that cannot be
    /// created means no cache (a read-only home must not stop a program);
    /// one given with --cache is an error.
    func open() throws -> ModuleCache? {
        if disabled { return nil }
        if let directory {
            do {
                return try ModuleCache(directory: directory)
            } catch {
                printError("Error: \(error)")
                throw ExitStatus.usage
            }
        }
        guard let directory = ModuleCache.defaultDirectory else { return nil }
        return try? ModuleCache(directory: directory)
    }
}
