import Foundation
import Testing
import WasmWASI
import WasmRuntime

/// Files in a temporary preopened directory, through the guest's calls.
@Suite struct FileTests {
    /// A guest with `directory` preopened as "/sandbox" (descriptor 3).
    func guest(_ tier: TestTier, _ directory: String) throws -> Guest {
        try Guest(WASIShim.wat, tier: tier, context: WASIContext(preopens: [.init(hostPath: directory, guestPath: "/sandbox")]))
    }

    @Test(arguments: TestTier.allCases)
    func thePreopenIsDescriptorThreeUnderItsGuestName(tier: TestTier) throws {
        let root = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let g = try guest(tier, root)
        #expect(try g.errno("fd_prestat_get", [.i32(3), .i32(0)]) == .success)
        #expect(g.u32(at: 0) == 0)  // a directory
        #expect(g.u32(at: 4) == 8)
        #expect(try g.errno("fd_prestat_dir_name", [.i32(3), .i32(16), .i32(8)]) == .success)
        #expect(g.memory.read(at: 16, count: 8) == Array("/sandbox".utf8))
        #expect(try g.errno("fd_prestat_get", [.i32(4), .i32(0)]) == .badFileDescriptor)
    }

    @Test(arguments: TestTier.allCases)
    func aFileIsCreatedWrittenSeekedAndReadBack(tier: TestTier) throws {
        let root = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let g = try guest(tier, root)
        let fd = try g.open("notes.txt", oflags: Guest.oflagCreate | Guest.oflagExclusive).get()
        #expect(try g.write("hello, file", to: fd) == .success)
        #expect(try FileManager.default.contentsOfFile(root + "/notes.txt") == "hello, file")
        // Back to offset 7, then read the rest.
        #expect(try g.errno("fd_seek", [.i32(fd), .i64(7), .i32(0), .i32(600)]) == .success)
        #expect(g.u64(at: 600) == 7)
        #expect(try g.read(fd, count: 100).get() == Array("file".utf8))
        #expect(try g.errno("fd_tell", [.i32(fd), .i32(600)]) == .success)
        #expect(g.u64(at: 600) == 11)
        // Seeking from the end, and before the start (EINVAL).
        #expect(try g.errno("fd_seek", [.i32(fd), .i64(UInt64(bitPattern: -5)), .i32(2), .i32(600)]) == .success)
        #expect(g.u64(at: 600) == 6)
        #expect(try g.errno("fd_seek", [.i32(fd), .i64(UInt64(bitPattern: -100)), .i32(0), .i32(600)]) == .invalid)
        #expect(try g.errno("fd_close", [.i32(fd)]) == .success)
        #expect(try g.errno("fd_close", [.i32(fd)]) == .badFileDescriptor)
        // Exclusive creation of an existing file fails; truncation empties it.
        #expect(try g.open("notes.txt", oflags: Guest.oflagCreate | Guest.oflagExclusive).errno == .exist)
        _ = try g.open("notes.txt", oflags: Guest.oflagTruncate).get()
        #expect(try FileManager.default.contentsOfFile(root + "/notes.txt") == "")
    }

    @Test(arguments: TestTier.allCases)
    func filesInSubdirectoriesAreReachedThroughNestedPaths(tier: TestTier) throws {
        let root = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let g = try guest(tier, root)
        #expect(try g.errno("path_create_directory", [.i32(3)] + g.string("a", at: 1024)) == .success)
        #expect(try g.errno("path_create_directory", [.i32(3)] + g.string("a/b", at: 1024)) == .success)
        let fd = try g.open("a/./b/../b/f", oflags: Guest.oflagCreate).get()
        #expect(try g.write("x", to: fd) == .success)
        #expect(FileManager.default.fileExists(atPath: root + "/a/b/f"))
        #expect(try g.open("a/missing/f").errno == .noEntry)
        #expect(try g.open("a/b/f/g").errno == .notDirectory)
        #expect(try g.errno("path_remove_directory", [.i32(3)] + g.string("a/b", at: 1024)) == .notEmpty)
        #expect(try g.errno("path_unlink_file", [.i32(3)] + g.string("a/b/f", at: 1024)) == .success)
        #expect(try g.errno("path_remove_directory", [.i32(3)] + g.string("a/b", at: 1024)) == .success)
    }

    @Test(arguments: TestTier.allCases)
    func readdirListsEveryEntryAndResumesFromACookie(tier: TestTier) throws {
        let root = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        for name in ["one", "two", "three"] {
            _ = FileManager.default.createFile(atPath: root + "/" + name, contents: Data(name.utf8))
        }
        try FileManager.default.createDirectory(atPath: root + "/sub", withIntermediateDirectories: false)
        let g = try guest(tier, root)
        let dir = try g.open(".", oflags: Guest.oflagDirectory, rights: .directory).get()

        /// Reads entries from `cookie` with a buffer of `size` bytes at 16384.
        func entries(from cookie: UInt64, size: UInt32) throws -> [(name: String, type: UInt8, next: UInt64)] {
            #expect(try g.errno("fd_readdir", [.i32(dir), .i32(16384), .i32(size), .i64(cookie), .i32(600)]) == .success)
            let used = Int(g.u32(at: 600))
            let bytes = g.memory.read(at: 16384, count: used)!
            var result: [(String, UInt8, UInt64)] = []
            var offset = 0
            while offset + 24 <= used {
                let next = bytes[offset..<offset + 8].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                let length = Int(bytes[offset + 16..<offset + 20].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) })
                guard offset + 24 + length <= used else { break }  // cut short: the buffer was full
                result.append((String(decoding: bytes[offset + 24..<offset + 24 + length], as: UTF8.self), bytes[offset + 20], next))
                offset += 24 + length
            }
            return result
        }

        let all = try entries(from: 0, size: 4096)
        #expect(Set(all.map(\.name)) == [".", "..", "one", "two", "three", "sub"])
        #expect(all.first { $0.name == "sub" }?.type == WASIFileType.directory.rawValue)
        #expect(all.first { $0.name == "one" }?.type == WASIFileType.regularFile.rawValue)
        // A small buffer gets whole entries, then one cut short; the cookie of
        // the last whole one resumes the listing where it stopped.
        var seen: [String] = []
        var cookie: UInt64 = 0
        for _ in 0..<20 {
            let page = try entries(from: cookie, size: 64)
            guard let last = page.last else { break }
            seen += page.map(\.name)
            cookie = last.next
        }
        #expect(seen == all.map(\.name))
    }
}

extension FileManager {
    func contentsOfFile(_ path: String) throws -> String {
        String(decoding: contents(atPath: path) ?? Data(), as: UTF8.self)
    }
}
