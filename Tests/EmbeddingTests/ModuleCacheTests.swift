import Foundation
import Testing
import WasmBinary
import WasmJIT
import WasmRuntime
import WasmSyntax
import WasmText

@Suite struct SHA256Tests {
    @Test func knownDigests() {
        #expect(hex(SHA256.hash([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(hex(SHA256.hash([UInt8](repeating: 0x61, count: 1_000_000)))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Feeding the bytes in pieces of any size gives the same digest.
    @Test func piecewiseUpdates() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        let whole = SHA256.hash(bytes)
        for piece in [1, 3, 63, 64, 65, 200] {
            var hasher = SHA256()
            var start = 0
            while start < bytes.count {
                hasher.update(bytes[start..<Swift.min(start + piece, bytes.count)])
                start += piece
            }
            #expect(hasher.finalize() == whole, "pieces of \(piece)")
        }
    }
}

#if arch(x86_64)
/// The compiled-module cache: hits skip compilation, bad entries are
/// compiled again and never run.
@Suite struct ModuleCacheTests {
    static func answer(_ value: Int32) -> [UInt8] {
        try! encodeModule(parseModule("""
            (module
              (func $helper (param i32) (result i32) (i32.add (local.get 0) (i32.const \(value - 1))))
              (func (export "answer") (result i32) (call $helper (i32.const 1))))
            """))
    }

    static func run(_ bytes: [UInt8], cache: ModuleCache?, configuration: EngineConfiguration = EngineConfiguration()) throws -> Int32 {
        let engine = Engine(configuration: configuration, tier: JIT(cache: cache))
        let module = try WasmRuntime.Module(engine: engine, bytes: bytes)
        let store = Store(engine: engine)
        let instance = try Linker().instantiate(module, in: store)
        let results = try instance.function("answer")!.call([])
        return Int32(bitPattern: results[0].i32!)
    }

    static func header(_ bytes: [UInt8], configuration: EngineConfiguration = EngineConfiguration()) throws -> CodeArtifact.Header {
        ModuleCache.header(for: try decodeModule(bytes), configuration: configuration, target: .x86_64)
    }

    @Test func secondCompilationIsAHit() throws {
        let directory = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bytes = Self.answer(42)
        let first = try ModuleCache(directory: directory)
        #expect(try Self.run(bytes, cache: first) == 42)
        #expect(first.statistics == ModuleCache.Statistics(hits: 0, misses: 1, rejected: 0, writes: 1, writeFailures: 0))
        let second = try ModuleCache(directory: directory)
        #expect(try Self.run(bytes, cache: second) == 42)
        #expect(second.statistics == ModuleCache.Statistics(hits: 1, misses: 0, rejected: 0, writes: 0, writeFailures: 0))
        // Fuel changes code: another entry.
        var fuel = EngineConfiguration()
        fuel.consumesFuel = true
        #expect(try Self.header(bytes, configuration: fuel) != Self.header(bytes))
        #expect(second.path(for: try Self.header(bytes, configuration: fuel)) != second.path(for: try Self.header(bytes)))
    }

    /// A hit maps the entry's code and compiles nothing: code planted under
    /// a module's key is what runs (here another module's, answering 7).
    @Test func aHitRunsTheEntryWithoutCompiling() throws {
        let directory = scratchDirectory(), other = scratchDirectory()
        defer {
            try? FileManager.default.removeItem(atPath: directory)
            try? FileManager.default.removeItem(atPath: other)
        }
        let otherCache = try ModuleCache(directory: other)
        #expect(try Self.run(Self.answer(7), cache: otherCache) == 7)
        guard case .hit(let planted) = otherCache.load(try Self.header(Self.answer(7))) else {
            Issue.record("no entry for the other module")
            return
        }
        let cache = try ModuleCache(directory: directory)
        try cache.store(planted, header: try Self.header(Self.answer(42)))
        #expect(try Self.run(Self.answer(42), cache: cache) == 7)
        #expect(cache.statistics.hits == 1)
    }

    /// Every single-byte corruption of an entry is detected: the module is
    /// compiled again (right answer), the entry replaced, and read back.
    @Test func everyFlippedByteIsDetected() throws {
        let directory = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bytes = Self.answer(42)
        let header = try Self.header(bytes)
        let cache = try ModuleCache(directory: directory)
        #expect(try Self.run(bytes, cache: cache) == 42)
        let path = cache.path(for: header)
        let good = [UInt8](FileManager.default.contents(atPath: path)!)
        for position in good.indices {
            var bad = good
            bad[position] ^= 0x20
            let reject = Result { () throws(CodeArtifact.DeserializationError) in try CodeArtifact(serialized: bad, expected: header) }
            guard case .failure = reject else {
                Issue.record("a flipped byte at \(position) was not detected")
                continue
            }
        }
        // Through the cache: refused, recompiled, rewritten.
        var bad = good
        bad[bad.count - 5] ^= 0xFF
        try Data(bad).write(to: URL(fileURLWithPath: path))
        let again = try ModuleCache(directory: directory)
        #expect(try Self.run(bytes, cache: again) == 42)
        #expect(again.statistics.rejected == 1 && again.statistics.writes == 1)
        #expect([UInt8](FileManager.default.contents(atPath: path)!) == good)
    }

    @Test func truncatedEntriesAreDetected() throws {
        let directory = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bytes = Self.answer(42)
        let header = try Self.header(bytes)
        let cache = try ModuleCache(directory: directory)
        #expect(try Self.run(bytes, cache: cache) == 42)
        let path = cache.path(for: header)
        let good = [UInt8](FileManager.default.contents(atPath: path)!)
        for length in [0, 1, 8, 20, good.count / 2, good.count - 1] {
            #expect(throws: CodeArtifact.DeserializationError.self) {
                try CodeArtifact(serialized: Array(good.prefix(length)), expected: header)
            }
        }
        // Appended bytes are as wrong as missing ones.
        #expect(throws: CodeArtifact.DeserializationError.truncated) {
            try CodeArtifact(serialized: good + [0], expected: header)
        }
        try Data(good.prefix(good.count - 10)).write(to: URL(fileURLWithPath: path))
        let again = try ModuleCache(directory: directory)
        #expect(try Self.run(bytes, cache: again) == 42)
        #expect(again.statistics.rejected == 1 && again.statistics.writes == 1)
    }

    /// Entries written for another engine, target, CPU or module (intact,
    /// with valid checksums) are foreign: refused, never run.
    @Test func foreignEntriesAreRefused() throws {
        let directory = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bytes = Self.answer(42)
        let header = try Self.header(bytes)
        let cache = try ModuleCache(directory: directory)
        #expect(try Self.run(bytes, cache: cache) == 42)
        guard case .hit(let artifact) = cache.load(header) else {
            Issue.record("no entry")
            return
        }
        var variants: [(CodeArtifact.Header, String)] = []
        var h = header
        h.engineVersion = "wasmcheck 0.0.1"
        variants.append((h, "engine"))
        h = header
        h.target = .aarch64
        variants.append((h, "target"))
        h = header
        h.cpuFeatures = "abm,popcnt"
        variants.append((h, "CPU features"))
        h = header
        h.configuration = "features=0 fuel=1"
        variants.append((h, "configuration"))
        h = header
        h.moduleHash = try Self.header(Self.answer(7)).moduleHash
        variants.append((h, "module"))
        for (foreign, field) in variants {
            let bytes = try artifact.serialized(header: foreign)
            #expect(throws: CodeArtifact.DeserializationError.self) { try CodeArtifact(serialized: bytes, expected: header) }
            do {
                _ = try CodeArtifact(serialized: bytes, expected: header)
            } catch {
                if case .foreign(let refusedField, _, _) = error { #expect(refusedField == field) } else { Issue.record("\(field): \(error)") }
            }
            // Planted at this module's path, it is refused and replaced.
            try Data(bytes).write(to: URL(fileURLWithPath: cache.path(for: header)))
            let again = try ModuleCache(directory: directory)
            #expect(try Self.run(Self.answer(42), cache: again) == 42)
            #expect(again.statistics.rejected == 1 && again.statistics.writes == 1, "\(field)")
        }
        // Another format version or no magic at all.
        var good = try artifact.serialized(header: header)
        good[8] = 99
        #expect(throws: CodeArtifact.DeserializationError.unsupportedFormat(99)) { try CodeArtifact(serialized: good, expected: header) }
        #expect(throws: CodeArtifact.DeserializationError.badMagic) {
            try CodeArtifact(serialized: Array("\u{7F}ELF and more bytes than a magic".utf8), expected: header)
        }
    }

    /// Threads writing and reading one key at once: readers see a whole
    /// entry or none, never a refused one.
    @Test func concurrentWritersAndReaders() async throws {
        let directory = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bytes = Self.answer(42)
        let header = try Self.header(bytes)
        let seed = try ModuleCache(directory: scratchDirectory())
        _ = try Self.run(bytes, cache: seed)
        guard case .hit(let artifact) = seed.load(header) else {
            Issue.record("no entry")
            return
        }
        try? FileManager.default.removeItem(atPath: seed.directory)
        let cache = try ModuleCache(directory: directory)
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for _ in 0..<25 {
                        if worker % 2 == 0 {
                            try? cache.store(artifact, header: header)
                        } else if case .hit(let read) = cache.load(header) {
                            #expect(read == artifact)
                        }
                    }
                }
            }
        }
        #expect(cache.statistics.rejected == 0)
        #expect(cache.statistics.writeFailures == 0)
        // No temporary files are left behind.
        let left = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(left == [URL(fileURLWithPath: cache.path(for: header)).lastPathComponent])
    }

    /// Beyond its size limit the cache removes the least recently used entries.
    @Test func sizeLimitEvictsLeastRecentlyUsed() throws {
        let directory = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let probe = try ModuleCache(directory: directory)
        _ = try Self.run(Self.answer(1), cache: probe)
        let entrySize = UInt64(try FileManager.default.attributesOfItem(atPath: probe.path(for: Self.header(Self.answer(1))))[.size] as! Int)
        try FileManager.default.removeItem(atPath: probe.path(for: Self.header(Self.answer(1))))
        // Room for four entries of this size.
        let cache = try ModuleCache(directory: directory, sizeLimit: entrySize * 4 + entrySize / 2)
        for value in Int32(1)...4 {
            _ = try Self.run(Self.answer(value), cache: cache)
            // Distinct modification times, oldest first.
            let past = timeval(tv_sec: time(nil) - 100 + Int(value), tv_usec: 0)
            _ = [past, past].withUnsafeBufferPointer { utimes(cache.path(for: try! Self.header(Self.answer(value))), $0.baseAddress) }
        }
        // Using entry 1 makes it the most recent; entry 5 overflows the limit.
        #expect(try Self.run(Self.answer(1), cache: cache) == 1)
        #expect(try Self.run(Self.answer(5), cache: cache) == 5)
        let present = try (1...5).map { FileManager.default.fileExists(atPath: cache.path(for: try Self.header(Self.answer(Int32($0))))) }
        #expect(present == [true, false, false, true, true])
    }

    @Test func defaultDirectoryFollowsTheUsersCacheDirectory() {
        let directory = ModuleCache.defaultDirectory
        if let explicit = ProcessInfo.processInfo.environment["WASMCHECK_CACHE_DIR"], !explicit.isEmpty {
            #expect(directory == explicit)
        } else if let xdg = ProcessInfo.processInfo.environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            #expect(directory == xdg + "/wasmcheck")
        } else if let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty {
            #expect(directory == home + "/.cache/wasmcheck")
        }
    }
}
#endif
