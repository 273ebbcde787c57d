import Foundation
import Testing

/// `wasmcheck run --cache/--plugin`, `wasmcheck compile` and the embedding
/// example, end to end, when `swift build --build-tests` has built them.
@Suite(.serialized) struct CommandLineTests {
    static let tool = builtProgram("wasmcheck", variable: "WASMCHECK")
    static let example = builtProgram("wasmcheck-embedding-example", variable: "WASMCHECK_EMBEDDING_EXAMPLE")

    /// The largest Rust program of the WASI test suite, when the suite is beside the checkout.
    static let largeProgram: String? = {
        let folder = repositoryRoot + "/../shared/wasi-testsuite/tests/rust/testsuite/wasm32-wasip1"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return nil }
        let sized = names.filter { $0.hasSuffix(".wasm") }.compactMap { name -> (String, Int)? in
            let path = folder + "/" + name
            guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int else { return nil }
            return (path, size)
        }
        return sized.max { $0.1 < $1.1 }?.0
    }()

    static func inode(_ path: String) -> UInt64? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.systemFileNumber] as? UInt64
    }

    static func entries(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".wcode") && !$0.hasPrefix(".") }
    }

    /// The second run of a large module maps the cached code: the entry is
    /// not rewritten, and the run is faster (times printed for the record).
    /// A corrupted entry is recompiled, never run, and replaced.
    @Test func cacheColdWarmAndCorrupted() throws {
        guard let tool = Self.tool, let program = Self.largeProgram else { return }
        let directory = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cache = directory + "/cache", root = directory + "/root"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let arguments = ["run", "--engine", "jit", "--cache", cache, "--dir", root + "::/", program]

        var clock = ContinuousClock.now
        let cold = try runProgram(tool, arguments)
        let coldTime = ContinuousClock.now - clock
        #expect(cold.status == 0, "\(cold.err)")
        let names = Self.entries(cache)
        #expect(names.count == 1)
        guard let name = names.first else { return }
        let entry = cache + "/" + name
        let written = Self.inode(entry)

        clock = ContinuousClock.now
        let warm = try runProgram(tool, arguments)
        let warmTime = ContinuousClock.now - clock
        #expect(warm.status == 0, "\(warm.err)")
        #expect(warm.out == cold.out)
        #expect(Self.inode(entry) == written, "a hit does not rewrite the entry")
        print("cache: \(program): cold run \(coldTime), warm run \(warmTime)")

        // Flip a byte in the middle of the code: refused, recompiled (the
        // program still passes), replaced by a fresh entry.
        var bytes = [UInt8](FileManager.default.contents(atPath: entry)!)
        bytes[bytes.count / 2] ^= 0x55
        try Data(bytes).write(to: URL(fileURLWithPath: entry))
        let repaired = try runProgram(tool, arguments)
        #expect(repaired.status == 0, "\(repaired.err)")
        #expect(repaired.out == cold.out)
        #expect([UInt8](FileManager.default.contents(atPath: entry)!) != bytes)

        // --no-cache writes nothing.
        let none = directory + "/none"
        _ = try runProgram(tool, ["run", "--engine", "jit", "--no-cache", "--cache", none, "--dir", root + "::/", program])
        #expect(Self.entries(none).isEmpty)
    }

    /// Processes sharing one cache directory at once all run correctly.
    @Test func processesShareTheCache() throws {
        guard let tool = Self.tool else { return }
        let directory = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let guest = directory + "/guest.wat"
        try #"(module (func (export "f") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3))))"#.write(toFile: guest, atomically: true, encoding: .utf8)
        final class Outcomes: @unchecked Sendable {
            let lock = NSLock()
            var list: [String] = []
            func add(_ s: String) { lock.lock(); list.append(s); lock.unlock() }
        }
        let outcomes = Outcomes()
        DispatchQueue.concurrentPerform(iterations: 6) { _ in
            let result = try? runProgram(tool, ["run", "--engine", "jit", "--cache", directory + "/cache", "--invoke", "f", guest, "14"])
            outcomes.add("\(result?.status ?? -1) \(result?.out ?? "")")
        }
        #expect(outcomes.list == Array(repeating: "0 42\n", count: 6))
        #expect(Self.entries(directory + "/cache").count == 1)
    }

    @Test func compileWritesAnEntryThatRunUses() throws {
        guard let tool = Self.tool else { return }
        let directory = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let guest = directory + "/guest.wat"
        try #"(module (func (export "f") (result i32) (i32.const 5)))"#.write(toFile: guest, atomically: true, encoding: .utf8)
        let compiled = try runProgram(tool, ["compile", "--cache", directory + "/cache", "-o", directory + "/guest.wcode", guest])
        #expect(compiled.status == 0, "\(compiled.err)")
        #expect(compiled.out.contains("compiled in"))
        let names = Self.entries(directory + "/cache")
        #expect(names.count == 1)
        #expect(FileManager.default.contents(atPath: directory + "/guest.wcode") == FileManager.default.contents(atPath: directory + "/cache/" + (names.first ?? "")))
        let entry = directory + "/cache/" + (names.first ?? "")
        let written = Self.inode(entry)
        let run = try runProgram(tool, ["run", "--engine", "jit", "--cache", directory + "/cache", "--invoke", "f", guest])
        #expect(run.out == "5\n")
        #expect(Self.inode(entry) == written)
        let again = try runProgram(tool, ["compile", "--cache", directory + "/cache", guest])
        #expect(again.out.contains("already cached"))
    }

    /// `compile --disassemble` prints each function's code, for either
    /// backend, with branch targets as offsets in the code.
    @Test(arguments: ["x86_64", "aarch64"]) func compileDisassemblesEachFunction(target: String) throws {
        guard let tool = Self.tool, FileManager.default.isExecutableFile(atPath: "/usr/bin/llvm-mc-15") else { return }
        let directory = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let guest = directory + "/guest.wat"
        try """
            (module
              (func $double (param i32) (result i32) (i32.add (local.get 0) (local.get 0)))
              (func (export "f") (param i32) (result i32) (call $double (local.get 0))))
            """.write(toFile: guest, atomically: true, encoding: .utf8)
        let result = try runProgram(tool, ["compile", "--disassemble", "--target", target, guest])
        #expect(result.status == 0, "\(result.err)")
        let lines = result.out.split(separator: "\n").map(String.init)
        let headers = lines.filter { $0.hasPrefix("; function ") }
        #expect(headers.count == 2, "\(result.out)")
        // The call from the second function goes to the first one's body.
        let call = target == "x86_64" ? " call 0x" : " bl 0x"
        let calls = lines.filter { $0.contains(call) }.compactMap { $0.components(separatedBy: call).last.flatMap { Int($0, radix: 16) } }
        let offsets = Set(lines.compactMap { line -> Int? in
            guard line.hasPrefix("  ") else { return nil }
            return Int(line.trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "", radix: 16)
        })
        #expect(calls.count >= 3, "each C entry calls its body, and f calls $double: \(result.out)")
        for target in calls { #expect(offsets.contains(target), "a call to \(target), where no instruction starts") }
        #expect(lines.contains { $0.hasSuffix(" ret") })
        let wrong = try runProgram(tool, ["compile", "--disassemble", "--target", "mips", guest])
        #expect(wrong.status != 0)
    }

    @Test(arguments: ["interpreter", "jit"]) func pluginOnTheCommandLine(engine: String) throws {
        guard let tool = Self.tool else { return }
        let directory = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        guard let manifest = buildExamplePlugin(in: directory) else { return }
        let guest = directory + "/guest.wat"
        try """
            (module
              (import "math" "add" (func $add (param i32 i32) (result i32)))
              (func (export "add") (param i32 i32) (result i32) (call $add (local.get 0) (local.get 1))))
            """.write(toFile: guest, atomically: true, encoding: .utf8)
        let cache = ["--cache", directory + "/cache"]
        let run = try runProgram(tool, ["run", "--engine", engine] + cache + ["--plugin", manifest, "--invoke", "add", guest, "40", "2"])
        #expect(run.status == 0, "\(run.err)")
        #expect(run.out == "42\n")

        let wrong = directory + "/wrong.wat"
        try """
            (module
              (import "math" "add" (func $add (param f64) (result f64)))
              (func (export "add") (param f64) (result f64) (call $add (local.get 0))))
            """.write(toFile: wrong, atomically: true, encoding: .utf8)
        let refused = try runProgram(tool, ["run", "--engine", engine] + cache + ["--plugin", manifest, "--invoke", "add", wrong, "1"])
        #expect(refused.status == 1)
        #expect(refused.err.contains("math.add") && refused.err.contains("manifest declares"), "\(refused.err)")
    }

    /// The README's "Embedding" example is Examples/Embedding/main.swift,
    /// word for word, and it runs, with and without the plugin.
    @Test func embeddingExample() throws {
        let readme = try String(contentsOfFile: repositoryRoot + "/README.md", encoding: .utf8)
        let source = try String(contentsOfFile: repositoryRoot + "/Examples/Embedding/main.swift", encoding: .utf8)
        guard let section = readme.range(of: "\n## Embedding\n"),
              let open = readme.range(of: "```swift\n", range: section.upperBound..<readme.endIndex),
              let close = readme.range(of: "\n```\n", range: open.upperBound..<readme.endIndex) else {
            Issue.record("README.md has no Embedding section with a swift block")
            return
        }
        #expect(String(readme[open.upperBound..<close.lowerBound]) + "\n" == source)

        guard let example = Self.example else { return }
        let directory = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let environment = ["WASMCHECK_CACHE_DIR": directory + "/cache"]
        let plain = try runProgram(example, [], environment: environment)
        #expect(plain.out == "hello from wasm\nsum(40, 2) = 42\ncache: 0 hit(s), 1 miss(es)\n", "\(plain.err)")
        guard let manifest = buildExamplePlugin(in: directory) else { return }
        let plugged = try runProgram(example, [manifest], environment: environment)
        #expect(plugged.out == "hello from wasm\nsum(40, 2) = 42\ncache: 1 hit(s), 0 miss(es)\n", "\(plugged.err)")
    }
}
