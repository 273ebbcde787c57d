import Foundation
import Testing
import WasmWASI
import WasmRuntime

/// The guest reaches nothing but its preopens: every way out is refused
/// with `EPERM` (as wasmtime), however the path is spelt.
@Suite struct SandboxTests {
    /// A host folder holding `sandbox/` (preopened as descriptor 3),
    /// `other/` (preopened as 4) and `outside/secret`, which the guest must
    /// never reach.
    struct Layout {
        let base = scratchDirectory()
        var sandbox: String { base + "/sandbox" }
        var other: String { base + "/other" }
        var outside: String { base + "/outside" }

        init() throws {
            for dir in [sandbox, other, outside, sandbox + "/a"] {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            }
            _ = FileManager.default.createFile(atPath: outside + "/secret", contents: Data("secret".utf8))
            _ = FileManager.default.createFile(atPath: sandbox + "/f", contents: Data("mine".utf8))
        }

        func guest(_ tier: TestTier) throws -> Guest {
            try Guest(WASIShim.wat, tier: tier, context: WASIContext(preopens: [
                .init(hostPath: sandbox, guestPath: "/sandbox"), .init(hostPath: other, guestPath: "/other"),
            ]))
        }

        func remove() { try? FileManager.default.removeItem(atPath: base) }
    }

    @Test(arguments: TestTier.allCases)
    func dotDotPastThePreopenRootIsRefused(tier: TestTier) throws {
        let layout = try Layout()
        defer { layout.remove() }
        let g = try layout.guest(tier)
        #expect(try g.open("../outside/secret").errno == .permission)
        #expect(try g.open("a/../../outside/secret").errno == .permission)
        #expect(try g.open("..").errno == .permission)
        #expect(try g.open("a/../f").get() > 3)  // `..` within the sandbox is fine
        #expect(try g.errno("path_create_directory", [.i32(3)] + g.string("../escaped", at: 1024)) == .permission)
        #expect(!FileManager.default.fileExists(atPath: layout.base + "/escaped"))
        #expect(try g.errno("path_unlink_file", [.i32(3)] + g.string("../outside/secret", at: 1024)) == .permission)
        #expect(FileManager.default.fileExists(atPath: layout.outside + "/secret"))
    }

    @Test(arguments: TestTier.allCases)
    func absolutePathsAreRefused(tier: TestTier) throws {
        let layout = try Layout()
        defer { layout.remove() }
        let g = try layout.guest(tier)
        #expect(try g.open(layout.outside + "/secret").errno == .permission)
        #expect(try g.open("/etc/passwd").errno == .permission)
        #expect(try g.errno("path_filestat_get", [.i32(3), .i32(1)] + g.string("/", at: 1024) + [.i32(0)]) == .permission)
    }

    @Test(arguments: TestTier.allCases)
    func symlinksWhoseTargetLeavesThePreopenAreRefused(tier: TestTier) throws {
        let layout = try Layout()
        defer { layout.remove() }
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: layout.sandbox + "/absolute", withDestinationPath: layout.outside)
        try fm.createSymbolicLink(atPath: layout.sandbox + "/relative", withDestinationPath: "../outside")
        try fm.createSymbolicLink(atPath: layout.sandbox + "/a/up", withDestinationPath: "..")
        try fm.createSymbolicLink(atPath: layout.sandbox + "/inside", withDestinationPath: "a/../f")
        let g = try layout.guest(tier)
        #expect(try g.open("absolute/secret").errno == .permission)
        #expect(try g.open("relative/secret").errno == .permission)
        #expect(try g.open("relative").errno == .permission)  // following the final link
        #expect(try g.open("a/up/../outside/secret").errno == .permission)
        #expect(try g.errno("path_filestat_get", [.i32(3), .i32(1)] + g.string("relative/secret", at: 1024) + [.i32(0)]) == .permission)
        // Not following the final link opens nothing through it (ELOOP, as O_NOFOLLOW).
        #expect(try g.open("relative", follow: false).errno == .loop)
        // Links that stay inside work.
        #expect(try g.read(try g.open("inside").get(), count: 10).get() == Array("mine".utf8))
        #expect(try g.read(try g.open("a/up/f").get(), count: 10).get() == Array("mine".utf8))
        // A link the guest makes itself is no way out either, and an absolute one cannot be made.
        #expect(try g.errno("path_symlink", g.string("../outside", at: 2048) + [.i32(3)] + g.string("mylink", at: 1024)) == .success)
        #expect(try g.open("mylink/secret").errno == .permission)
        #expect(try g.errno("path_symlink", g.string("/etc", at: 2048) + [.i32(3)] + g.string("etc", at: 1024)) == .permission)
    }

    @Test(arguments: TestTier.allCases)
    func symlinkLoopsEndWithELOOP(tier: TestTier) throws {
        let layout = try Layout()
        defer { layout.remove() }
        try FileManager.default.createSymbolicLink(atPath: layout.sandbox + "/loop", withDestinationPath: "loop")
        let g = try layout.guest(tier)
        #expect(try g.open("loop/x").errno == .loop)
        #expect(try g.open("loop").errno == .loop)
    }

    @Test(arguments: TestTier.allCases)
    func renameAndLinkCannotReachAnotherPreopenThroughDotDot(tier: TestTier) throws {
        let layout = try Layout()
        defer { layout.remove() }
        let g = try layout.guest(tier)
        var f = g.string("f", at: 1024)
        // Into the sibling preopen (or anywhere outside) by path: refused.
        #expect(try g.errno("path_rename", [.i32(3)] + f + [.i32(3)] + g.string("../other/f", at: 2048)) == .permission)
        #expect(try g.errno("path_link", [.i32(3), .i32(0)] + f + [.i32(3)] + g.string("../other/f", at: 2048)) == .permission)
        #expect(try g.errno("path_link", [.i32(3), .i32(0)] + g.string("../outside/secret", at: 1024) + [.i32(3)] + g.string("stolen", at: 2048)) == .permission)
        #expect(try g.errno("path_rename", [.i32(4)] + g.string("../outside/secret", at: 1024) + [.i32(4)] + g.string("stolen", at: 2048)) == .permission)
        #expect(!FileManager.default.fileExists(atPath: layout.other + "/f"))
        #expect(!FileManager.default.fileExists(atPath: layout.sandbox + "/stolen"))
        #expect(!FileManager.default.fileExists(atPath: layout.other + "/stolen"))
        // With the other preopen's own descriptor (a capability the guest holds), it works.
        f = g.string("f", at: 1024)
        #expect(try g.errno("path_link", [.i32(3), .i32(0)] + f + [.i32(4)] + g.string("linked", at: 2048)) == .success)
        #expect(try g.errno("path_rename", [.i32(3)] + f + [.i32(4)] + g.string("moved", at: 2048)) == .success)
        #expect(FileManager.default.fileExists(atPath: layout.other + "/moved"))
        #expect(FileManager.default.fileExists(atPath: layout.other + "/linked"))
    }

    @Test(arguments: TestTier.allCases)
    func pathsNeedADirectoryDescriptorWithTheRight(tier: TestTier) throws {
        let layout = try Layout()
        defer { layout.remove() }
        let g = try layout.guest(tier)
        let file = try g.open("f").get()
        // A file is no directory to resolve paths in; stdout neither.
        #expect(try g.open("x", in: file).errno == .notDirectory)
        #expect(try g.open("x", in: 1).errno == .notDirectory)
        #expect(try g.open("x", in: 99).errno == .badFileDescriptor)
        // A read-only descriptor cannot write: its rights say so.
        let readOnly = try g.open("f", rights: [.fdRead, .fdSeek]).get()
        #expect(try g.write("x", to: readOnly) == .notCapable)
    }
}
