import Foundation
import WasmBinary
import WasmRuntime
import WasmSyntax
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The compiled-module cache (wasmtime's cache, Wasmer's store): JIT
/// artifacts on disk, one file per module and engine configuration, so a
/// second run of a module maps its code instead of compiling it again.
///
///     let engine = Engine(tier: JIT(cache: try ModuleCache(directory: ModuleCache.defaultDirectory!)))
///
/// An entry is named by the SHA-256 of its header (engine version, target,
/// CPU features, code-relevant configuration, module hash) and checked field
/// by field and by checksum when read (`CodeArtifact+Serialization`): an
/// entry that is truncated, corrupted or written by another engine is a
/// miss, compiled again and replaced, never run.
///
/// Several processes may share a directory: entries are written to a
/// temporary file in the same directory, synced, then renamed into place,
/// so a reader sees a whole entry or none; two writers of one key write the
/// same bytes, and the last rename wins.
public final class ModuleCache: @unchecked Sendable {
    /// Where the entries live (created if missing).
    public let directory: String
    /// The most bytes the entries may take: a write beyond it removes the
    /// least recently used entries (hits refresh an entry's modification
    /// time), so a cache shared by many builds and modules stays bounded.
    public let sizeLimit: UInt64

    /// What happened to lookups and writes, for tests and `--verbose` output.
    public struct Statistics: Hashable, Sendable {
        /// Modules whose code came from the cache.
        public var hits = 0
        /// Modules with no entry.
        public var misses = 0
        /// Entries refused (corrupted, truncated, foreign) and compiled again.
        public var rejected = 0
        /// Entries written.
        public var writes = 0
        /// Entries that could not be written (the module still runs).
        public var writeFailures = 0

        public init(hits: Int = 0, misses: Int = 0, rejected: Int = 0, writes: Int = 0, writeFailures: Int = 0) {
            self.hits = hits
            self.misses = misses
            self.rejected = rejected
            self.writes = writes
            self.writeFailures = writeFailures
        }
    }

    /// The outcome of a lookup.
    public enum Lookup {
        case hit(CodeArtifact)
        case miss
        /// An entry exists but may not be used.
        case rejected(CodeArtifact.DeserializationError)
    }

    private let lock = NSLock()
    private var counters = Statistics()
    /// The last reason an entry was refused, for diagnostics.
    private var lastRejection: CodeArtifact.DeserializationError?

    /// Opens (creating it if needed) a cache directory.
    public init(directory: String, sizeLimit: UInt64 = 1 << 30) throws(ModuleCacheError) {
        self.directory = directory
        self.sizeLimit = sizeLimit
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ModuleCacheError(path: directory, reason: "cannot create the cache directory (\(error.localizedDescription))")
        }
    }

    /// The default directory, chosen as wasmtime chooses its own: the
    /// user's cache directory (`$XDG_CACHE_HOME`, else `~/.cache`; on macOS
    /// `~/Library/Caches`) followed by `wasmcheck`. `WASMCHECK_CACHE_DIR`
    /// overrides it. Nil when there is no home directory.
    public static var defaultDirectory: String? {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["WASMCHECK_CACHE_DIR"], !explicit.isEmpty { return explicit }
        #if os(macOS)
        if let home = environment["HOME"], !home.isEmpty { return home + "/Library/Caches/wasmcheck" }
        #else
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/wasmcheck" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.cache/wasmcheck" }
        #endif
        return nil
    }

    public var statistics: Statistics {
        lock.lock()
        defer { lock.unlock() }
        return counters
    }

    /// Why the last refused entry was refused.
    public var lastRejectionReason: CodeArtifact.DeserializationError? {
        lock.lock()
        defer { lock.unlock() }
        return lastRejection
    }

    private func count(_ update: (inout Statistics) -> Void) {
        lock.lock()
        update(&counters)
        lock.unlock()
    }

    /// The file of the entry for `header`.
    public func path(for header: CodeArtifact.Header) -> String {
        var hasher = SHA256()
        for field in [header.engineVersion, header.target.rawValue, header.cpuFeatures, header.configuration] {
            hasher.update(Array(field.utf8))
            hasher.update([0])
        }
        hasher.update(header.moduleHash)
        return "\(directory)/\(hex(hasher.finalize())).wcode"
    }

    /// The file that holds (or would hold) the code of `module`, compiled
    /// by its engine's JIT for this host.
    public func path(for module: WasmRuntime.Module) -> String? {
        guard let target = JITTarget.host else { return nil }
        return path(for: Self.header(for: module.syntax, configuration: module.engine.configuration, target: target))
    }

    /// Looks up the entry for `header`, checking it completely.
    public func load(_ header: CodeArtifact.Header) -> Lookup {
        let path = path(for: header)
        guard let data = FileManager.default.contents(atPath: path) else {
            count { $0.misses += 1 }
            return .miss
        }
        do {
            let artifact = try CodeArtifact(serialized: [UInt8](data), expected: header)
            count { $0.hits += 1 }
            // Recently used: the last to be trimmed.
            utimes(path, nil)
            return .hit(artifact)
        } catch {
            lock.lock()
            counters.rejected += 1
            lastRejection = error
            lock.unlock()
            return .rejected(error)
        }
    }

    /// Writes the entry for `header` atomically (temporary file, fsync,
    /// rename): readers in other processes see the old entry or the new
    /// one, never part of one.
    public func store(_ artifact: CodeArtifact, header: CodeArtifact.Header) throws(ModuleCacheError) {
        let path = path(for: header)
        do throws(ModuleCacheError) {
            let bytes: [UInt8]
            do {
                bytes = try artifact.serialized(header: header)
            } catch {
                throw ModuleCacheError(path: path, reason: "cannot compress (\(error))")
            }
            try Self.writeAtomically(bytes, to: path, directory: directory)
            count { $0.writes += 1 }
            trim()
        } catch {
            count { $0.writeFailures += 1 }
            throw error
        }
    }

    private static func writeAtomically(_ bytes: [UInt8], to path: String, directory: String) throws(ModuleCacheError) {
        // Unique per process and call: concurrent writers never share a
        // temporary file. Same directory: rename(2) is atomic only within
        // one file system.
        let temporary = "\(directory)/.tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).wcode"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ModuleCacheError(path: temporary, reason: String(cString: strerror(errno))) }
        var failure: String?
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                offset += written
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if failure == nil, rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw ModuleCacheError(path: path, reason: failure)
        }
        // The rename is durable once the directory is synced too.
        let directoryFD = open(directory, O_RDONLY | O_CLOEXEC)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            close(directoryFD)
        }
    }
}

extension ModuleCache {
    /// Keeps the directory within `sizeLimit`: removes the least recently
    /// used entries down to 3/4 of it, and temporary files that a writer
    /// left an hour ago or more (it crashed). Removing an entry another
    /// process is reading is safe: its open descriptor keeps the bytes.
    public func trim() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        let now = time(nil)
        var entries: [(path: String, size: UInt64, used: Int)] = []
        var total: UInt64 = 0
        for name in names where name.hasSuffix(".wcode") {
            let path = directory + "/" + name
            var info = stat()
            guard stat(path, &info) == 0 else { continue }
            #if canImport(Darwin)
            let used = Int(info.st_mtimespec.tv_sec)
            #else
            let used = Int(info.st_mtim.tv_sec)
            #endif
            if name.hasPrefix(".tmp-") {
                if now - used >= 3600 { unlink(path) }
                continue
            }
            entries.append((path, UInt64(info.st_size), used))
            total += UInt64(info.st_size)
        }
        guard total > sizeLimit else { return }
        for entry in entries.sorted(by: { $0.used < $1.used }) where total > sizeLimit / 4 * 3 {
            if unlink(entry.path) == 0 { total -= entry.size }
        }
    }
}

/// A cache directory or entry that cannot be created or written.
public struct ModuleCacheError: Error, Hashable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "module cache: \(path): \(reason)" }
}

extension ModuleCache {
    /// The release of the engine whose code entries hold.
    public static let engineRelease = "0.1.0"

    /// The engine version in every header: the release plus the identity
    /// of the binary that holds the compiler (size, modification time,
    /// inode), so a rebuilt engine never runs code from another build's
    /// compiler (their vmctx layouts or builtins may differ); a rebuild
    /// only costs one recompilation per module.
    public static let engineVersion: String = {
        var info = stat()
        #if os(Linux)
        let image = "/proc/self/exe"
        #else
        let image = CommandLine.arguments.first ?? ""
        #endif
        guard stat(image, &info) == 0 else { return "wasmcheck \(engineRelease)" }
        #if canImport(Darwin)
        let modified = info.st_mtimespec
        #else
        let modified = info.st_mtim
        #endif
        let identity = "\(info.st_size)-\(modified.tv_sec).\(modified.tv_nsec)-\(info.st_ino)"
        return "wasmcheck \(engineRelease) build \(hex(Array(SHA256.hash(Array(identity.utf8)).prefix(8))))"
    }()

    /// The CPU features code for `target` may use on this host, as a
    /// sorted list: the flags the x86-64 backend checks or might use.
    /// Entries written on a CPU with other features are foreign.
    public static func cpuFeatures(for target: JITTarget) -> String {
        switch target {
        case .x86_64:
            let relevant = ["abm", "avx", "avx2", "avx512f", "bmi1", "bmi2", "fma", "lzcnt", "popcnt", "sse4_1", "sse4_2", "ssse3"]
            #if arch(x86_64)
            let host = X64Features.host.flags
            return relevant.filter { host.contains(Substring($0)) }.joined(separator: ",")
            #else
            return "cross"
            #endif
        case .aarch64:
            // The backend emits ARMv8.0 with NEON only.
            return "armv8.0,neon"
        }
    }

    /// The settings of `configuration` that change generated code.
    public static func codeConfiguration(_ configuration: EngineConfiguration) -> String {
        "features=\(String(configuration.features.rawValue, radix: 16)) fuel=\(configuration.consumesFuel ? 1 : 0)"
    }

    /// The header that names the code of `module` compiled for `target`.
    ///
    /// The module hash is the SHA-256 of the module's canonical binary
    /// encoding (`encodeModule` of the decoded module): for the modules
    /// toolchains write, that is the file's exact bytes, and in general two
    /// files with one hash decode to the same module, and code is a
    /// function of the decoded module and the configuration only. This is
    /// what lets the JIT consult the cache from `Module(engine:bytes:)`,
    /// which hands tiers the decoded module.
    public static func header(for module: WasmSyntax.Module, configuration: EngineConfiguration, target: JITTarget) -> CodeArtifact.Header {
        CodeArtifact.Header(engineVersion: engineVersion, target: target, cpuFeatures: cpuFeatures(for: target),
                            configuration: codeConfiguration(configuration), moduleHash: SHA256.hash(encodeModule(module)))
    }
}
