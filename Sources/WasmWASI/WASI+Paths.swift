#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WasmRuntime
import WasmSyntax

/// The `path_*` functions. Every path is resolved by `PathResolution`
/// beneath a directory descriptor the guest holds; the operation then acts
/// on the resolved entry with a host `*at` call.
extension WASI {
    func definePaths(_ d: inout Definer) {
        d.define("path_open", [.i32, .i32, .i32, .i32, .i32, .i64, .i64, .i32, .i32]) { wasi, a in
            let memory = try wasi.guestMemory()
            let fd = try wasi.pathOpen(directory: a[0], lookupFlags: a[1], path: memory.string(a[2], a[3]),
                                       openFlags: a[4], rights: WASIRights(rawValue: a.u64(5)),
                                       inheriting: WASIRights(rawValue: a.u64(6)), fdFlags: a[7])
            try memory.store(fd, at: a[8])
        }
        d.define("path_create_directory", [.i32, .i32, .i32]) { wasi, a in
            let (dir, path) = try wasi.directory(a[0], .pathCreateDirectory, path: a[1], a[2])
            try PathResolution.resolve(in: dir, path, final: .entry) { t throws(WASIErrno) in
                try HostFile.check { mkdirat(t.parent, t.entryName, 0o777) }
            }
        }
        d.define("path_remove_directory", [.i32, .i32, .i32]) { wasi, a in
            let (dir, path) = try wasi.directory(a[0], .pathRemoveDirectory, path: a[1], a[2])
            try PathResolution.resolve(in: dir, path, final: .entry) { t throws(WASIErrno) in
                try HostFile.check { unlinkat(t.parent, t.entryName, AT_REMOVEDIR) }
            }
        }
        d.define("path_unlink_file", [.i32, .i32, .i32]) { wasi, a in
            let (dir, path) = try wasi.directory(a[0], .pathUnlinkFile, path: a[1], a[2])
            try PathResolution.resolve(in: dir, path, final: .entry) { t throws(WASIErrno) in
                if t.trailingSlash {
                    // "file/" names no file: a directory is EISDIR, anything else ENOTDIR.
                    var s = stat()
                    try HostFile.check { fstatat(t.parent, t.name, &s, AT_SYMLINK_NOFOLLOW) }
                    throw HostFile.fileType(mode: s.st_mode) == .directory ? .isDirectory : .notDirectory
                }
                try HostFile.check { unlinkat(t.parent, t.name, 0) }
            }
        }
        d.define("path_filestat_get", [.i32, .i32, .i32, .i32, .i32]) { wasi, a in
            let (dir, path) = try wasi.directory(a[0], .pathFilestatGet, path: a[2], a[3])
            let memory = try wasi.guestMemory()
            let s = try PathResolution.resolve(in: dir, path, final: Self.final(a[1])) { t throws(WASIErrno) in
                try Self.status(of: t)
            }
            try HostFile.store(s, to: memory, at: a[4])
        }
        d.define("path_filestat_set_times", [.i32, .i32, .i32, .i32, .i64, .i64, .i32]) { wasi, a in
            let (dir, path) = try wasi.directory(a[0], .pathFilestatSetTimes, path: a[2], a[3])
            let times = try HostFile.times(access: a.u64(4), modification: a.u64(5), flags: UInt16(truncatingIfNeeded: a[6]))
            try PathResolution.resolve(in: dir, path, final: Self.final(a[1])) { t throws(WASIErrno) in
                _ = try Self.status(of: t)
                try HostFile.check { utimensat(t.parent, t.name, times, AT_SYMLINK_NOFOLLOW) }
            }
        }
        d.define("path_readlink", [.i32, .i32, .i32, .i32, .i32, .i32]) { wasi, a in
            let (dir, path) = try wasi.directory(a[0], .pathReadlink, path: a[1], a[2])
            let memory = try wasi.guestMemory()
            let target = try PathResolution.resolve(in: dir, path, final: .noFollow) { t throws(WASIErrno) -> [UInt8] in
                var buffer = [UInt8](repeating: 0, count: PathResolution.maxPathLength + 1)
                let count = try HostFile.check {
                    buffer.withUnsafeMutableBytes { readlinkat(t.parent, t.name, $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count) }
                }
                return Array(buffer[..<count])
            }
            // A buffer too small gets the target cut short, as readlink(2) does.
            let count = Swift.min(target.count, Int(a[4]))
            try memory.copy(Array(target[..<count]), to: a[3])
            try memory.store(UInt32(count), at: a[5])
        }
        d.define("path_symlink", [.i32, .i32, .i32, .i32, .i32]) { wasi, a in
            let memory = try wasi.guestMemory()
            let target = try memory.string(a[0], a[1])
            // An absolute target could only ever point outside the sandbox
            // (EPERM, as wasmtime: the escape error of PathResolution).
            guard !target.hasPrefix("/") else { throw WASIErrno.permission }
            let (dir, path) = try wasi.directory(a[2], .pathSymlink, path: a[3], a[4])
            try PathResolution.resolve(in: dir, path, final: .entry) { t throws(WASIErrno) in
                try HostFile.check { symlinkat(target, t.parent, t.entryName) }
            }
        }
        d.define("path_link", [.i32, .i32, .i32, .i32, .i32, .i32, .i32]) { wasi, a in
            let (oldDir, oldPath) = try wasi.directory(a[0], .pathLinkSource, path: a[2], a[3])
            let (newDir, newPath) = try wasi.directory(a[4], .pathLinkTarget, path: a[5], a[6])
            try PathResolution.resolve(in: oldDir, oldPath, final: Self.final(a[1])) { old throws(WASIErrno) in
                if old.trailingSlash { _ = try Self.status(of: old) }
                try PathResolution.resolve(in: newDir, newPath, final: .entry) { new throws(WASIErrno) in
                    try HostFile.check { linkat(old.parent, old.name, new.parent, new.entryName, 0) }
                }
            }
        }
        d.define("path_rename", [.i32, .i32, .i32, .i32, .i32, .i32]) { wasi, a in
            let (oldDir, oldPath) = try wasi.directory(a[0], .pathRenameSource, path: a[1], a[2])
            let (newDir, newPath) = try wasi.directory(a[3], .pathRenameTarget, path: a[4], a[5])
            try PathResolution.resolve(in: oldDir, oldPath, final: .entry) { old throws(WASIErrno) in
                try PathResolution.resolve(in: newDir, newPath, final: .entry) { new throws(WASIErrno) in
                    if new.trailingSlash && !old.trailingSlash {
                        // "file" -> "name/": only a directory may be renamed to a name with a slash.
                        var s = stat()
                        try HostFile.check { fstatat(old.parent, old.name, &s, AT_SYMLINK_NOFOLLOW) }
                        guard HostFile.fileType(mode: s.st_mode) == .directory else { throw .notDirectory }
                    }
                    try HostFile.check { renameat(old.parent, old.entryName, new.parent, new.entryName) }
                }
            }
        }
    }

    static func final(_ lookupFlags: UInt32) -> FinalComponent {
        lookupFlags & WASIFlags.symlinkFollow != 0 ? .follow : .noFollow
    }

    /// `fstatat` of a resolved entry, without following it (symlinks were
    /// already expanded where the operation follows them).
    static func status(of t: PathTarget) throws(WASIErrno) -> stat {
        var s = stat()
        try HostFile.check { fstatat(t.parent, t.name, &s, AT_SYMLINK_NOFOLLOW) }
        if t.trailingSlash && HostFile.fileType(mode: s.st_mode) != .directory { throw .notDirectory }
        return s
    }

    /// The host directory behind `fd`, checked for `right`, and the guest path.
    func directory(_ fd: UInt32, _ right: WASIRights, path address: UInt32, _ length: UInt32) throws -> (Int32, String) {
        let entry = try descriptors.get(fd)
        let dir = try entry.directory()
        try entry.require(right)
        return (dir, try guestMemory().string(address, length))
    }

    func pathOpen(directory fd: UInt32, lookupFlags: UInt32, path: String, openFlags: UInt32,
                  rights requested: WASIRights, inheriting: WASIRights, fdFlags: UInt32) throws -> UInt32 {
        let dirEntry = try descriptors.get(fd)
        let dir = try dirEntry.directory()
        let oflags = UInt16(truncatingIfNeeded: openFlags), fdflags = UInt16(truncatingIfNeeded: fdFlags)
        var needed: WASIRights = .pathOpen
        if oflags & WASIFlags.create != 0 { needed.insert(.pathCreateFile) }
        if oflags & WASIFlags.truncate != 0 { needed.insert(.pathFilestatSetSize) }
        try dirEntry.require(needed)
        // A directory cannot be created, truncated or made exclusively by open.
        if oflags & WASIFlags.directory != 0,
           oflags & (WASIFlags.create | WASIFlags.exclusive | WASIFlags.truncate) != 0 { throw WASIErrno.invalid }
        // A new descriptor gets at most what the directory passes on.
        let rights = requested.intersection(dirEntry.inheritingRights)
        let inheritingRights = inheriting.intersection(dirEntry.inheritingRights)

        var flags = O_CLOEXEC | O_NOFOLLOW
        if oflags & WASIFlags.create != 0 { flags |= O_CREAT }
        if oflags & WASIFlags.directory != 0 { flags |= O_DIRECTORY }
        if oflags & WASIFlags.exclusive != 0 { flags |= O_EXCL }
        if oflags & WASIFlags.truncate != 0 { flags |= O_TRUNC }
        if fdflags & WASIFlags.append != 0 { flags |= O_APPEND }
        if fdflags & WASIFlags.dsync != 0 { flags |= O_DSYNC }
        if fdflags & WASIFlags.nonblock != 0 { flags |= O_NONBLOCK }
        if fdflags & WASIFlags.rsync != 0 { flags |= O_SYNC }
        if fdflags & WASIFlags.sync != 0 { flags |= O_SYNC }
        let reads = !rights.isDisjoint(with: WASIRights.needsRead)
        let writes = !rights.isDisjoint(with: WASIRights.needsWrite) || fdflags & WASIFlags.append != 0
            || oflags & WASIFlags.truncate != 0
        if !writes {
            flags |= O_RDONLY
        } else {
            flags |= reads ? O_RDWR : O_WRONLY
        }

        let hostFD = try PathResolution.resolve(in: dir, path, final: Self.final(lookupFlags)) { t throws(WASIErrno) -> Int32 in
            var f = flags
            if t.trailingSlash { f |= O_DIRECTORY }
            return try HostFile.check { openat(t.parent, t.name, f, 0o666) }
        }
        var s = stat()
        guard fstat(hostFD, &s) == 0 else {
            let error = WASIErrno.last
            close(hostFD)
            throw error
        }
        let type = HostFile.fileType(mode: s.st_mode)
        let entry = FileDescriptor(backing: .host(hostFD, owned: true), fileType: type,
                                   rights: rights.intersection(type == .directory ? .directory : .regularFile),
                                   inheritingRights: inheritingRights)
        entry.flags = fdflags
        return try descriptors.insert(entry)
    }
}
