#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WasmRuntime
import WasmSyntax

/// The `fd_*` functions: operations on an open descriptor.
extension WASI {
    func defineFiles(_ d: inout Definer) {
        d.define("fd_read", [.i32, .i32, .i32, .i32]) { wasi, a in
            let memory = try wasi.guestMemory()
            let entry = try wasi.descriptors.get(a[0])
            try entry.require(.fdRead)
            let count = try wasi.read(entry, into: memory.vectors(a[1], a[2]), at: nil)
            try memory.store(UInt32(count), at: a[3])
        }
        d.define("fd_pread", [.i32, .i32, .i32, .i64, .i32]) { wasi, a in
            let memory = try wasi.guestMemory()
            let entry = try wasi.descriptors.get(a[0])
            try entry.require([.fdRead, .fdSeek])
            let count = try wasi.read(entry, into: memory.vectors(a[1], a[2]), at: a.u64(3))
            try memory.store(UInt32(count), at: a[4])
        }
        d.define("fd_write", [.i32, .i32, .i32, .i32]) { wasi, a in
            let memory = try wasi.guestMemory()
            let entry = try wasi.descriptors.get(a[0])
            try entry.require(.fdWrite)
            let count = try wasi.write(entry, from: memory.vectors(a[1], a[2]), at: nil)
            try memory.store(UInt32(count), at: a[3])
        }
        d.define("fd_pwrite", [.i32, .i32, .i32, .i64, .i32]) { wasi, a in
            let memory = try wasi.guestMemory()
            let entry = try wasi.descriptors.get(a[0])
            try entry.require([.fdWrite, .fdSeek])
            let count = try wasi.write(entry, from: memory.vectors(a[1], a[2]), at: a.u64(3))
            try memory.store(UInt32(count), at: a[4])
        }
        d.define("fd_seek", [.i32, .i64, .i32, .i32]) { wasi, a in
            let entry = try wasi.descriptors.get(a[0])
            let fd = try entry.seekableFile()
            let offset = Int64(bitPattern: a.u64(1))
            let whence: Int32
            switch UInt8(truncatingIfNeeded: a[2]) {
            case WASIFlags.whenceSet where a[2] <= 0xFF: whence = SEEK_SET
            case WASIFlags.whenceCurrent where a[2] <= 0xFF: whence = SEEK_CUR
            case WASIFlags.whenceEnd where a[2] <= 0xFF: whence = SEEK_END
            default: throw WASIErrno.invalid
            }
            try entry.require(whence == SEEK_CUR && offset == 0 ? .fdTell : .fdSeek)
            let position = try HostFile.check { lseek(fd, off_t(offset), whence) }
            try wasi.guestMemory().store(UInt64(position), at: a[3])
        }
        d.define("fd_tell", [.i32, .i32]) { wasi, a in
            let entry = try wasi.descriptors.get(a[0])
            let fd = try entry.seekableFile()
            try entry.require(.fdTell)
            let position = try HostFile.check { lseek(fd, 0, SEEK_CUR) }
            try wasi.guestMemory().store(UInt64(position), at: a[1])
        }
        d.define("fd_close", [.i32]) { wasi, a in
            try wasi.descriptors.remove(a[0])
        }
        d.define("fd_renumber", [.i32, .i32]) { wasi, a in
            try wasi.descriptors.renumber(a[0], to: a[1])
        }
        d.define("fd_datasync", [.i32]) { wasi, a in
            let entry = try wasi.descriptors.get(a[0])
            let fd = try entry.file()
            try entry.require(.fdDatasync)
            #if canImport(Darwin)
            try HostFile.check { fsync(fd) }
            #else
            try HostFile.check { fdatasync(fd) }
            #endif
        }
        d.define("fd_sync", [.i32]) { wasi, a in
            let entry = try wasi.descriptors.get(a[0])
            guard let fd = entry.hostDescriptor else { throw WASIErrno.invalid }
            try entry.require(.fdSync)
            try HostFile.check { fsync(fd) }
        }
        d.define("fd_advise", [.i32, .i64, .i64, .i32]) { wasi, a in
            let entry = try wasi.descriptors.get(a[0])
            let fd = try entry.file()
            guard a[3] <= 5 else { throw WASIErrno.invalid }
            try entry.require(.fdAdvise)
            guard Int64(bitPattern: a.u64(1)) >= 0, Int64(bitPattern: a.u64(2)) >= 0 else { throw WASIErrno.invalid }
            #if os(Linux)
            let advice: [Int32] = [POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                   POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE]
            let r = posix_fadvise(fd, off_t(a.u64(1)), off_t(a.u64(2)), advice[Int(a[3])])
            if r != 0 { throw WASIErrno(hostErrno: r) }
            #else
            _ = fd
            #endif
        }
        d.define("fd_allocate", [.i32, .i64, .i64]) { wasi, a in
            let entry = try wasi.descriptors.get(a[0])
            let fd = try entry.file()
            try entry.require(.fdAllocate)
            let offset = Int64(bitPattern: a.u64(1)), length = Int64(bitPattern: a.u64(2))
            guard offset >= 0, length > 0 else { throw WASIErrno.invalid }
            #if os(Linux)
            let r = posix_fallocate(fd, off_t(offset), off_t(length))
            if r != 0 { throw WASIErrno(hostErrno: r) }
            #else
            throw WASIErrno.notSupported
            #endif
        }
        d.define("fd_fdstat_get", [.i32, .i32]) { wasi, a in
            let memory = try wasi.guestMemory()
            let entry = try wasi.descriptors.get(a[0])
            _ = try memory.slice(a[1], 24)
            try memory.store(UInt64(0), at: a[1])
            try memory.store(entry.fileType.rawValue, at: a[1])
            try memory.store(entry.flags, at: a[1] + 2)
            try memory.store(entry.rights.rawValue, at: a[1] + 8)
            try memory.store(entry.inheritingRights.rawValue, at: a[1] + 16)
        }
        d.define("fd_fdstat_set_flags", [.i32, .i32]) { wasi, a in
            let entry = try wasi.descriptors.get(a[0])
            try entry.require(.fdFdstatSetFlags)
            let flags = UInt16(truncatingIfNeeded: a[1])
            let all = WASIFlags.append | WASIFlags.dsync | WASIFlags.nonblock | WASIFlags.rsync | WASIFlags.sync
            guard a[1] <= 0xFFFF, flags & ~all == 0 else { throw WASIErrno.invalid }
            // The synchronous-I/O flags are fixed when a file is opened.
            let fixed = WASIFlags.dsync | WASIFlags.rsync | WASIFlags.sync
            guard flags & fixed == entry.flags & fixed else { throw WASIErrno.notSupported }
            if let fd = entry.hostDescriptor {
                var hostFlags = try HostFile.check { fcntl(fd, F_GETFL) }
                hostFlags &= ~(O_APPEND | O_NONBLOCK)
                if flags & WASIFlags.append != 0 { hostFlags |= O_APPEND }
                if flags & WASIFlags.nonblock != 0 { hostFlags |= O_NONBLOCK }
                try HostFile.check { fcntl(fd, F_SETFL, hostFlags) }
            }
            entry.flags = flags
        }
        d.define("fd_fdstat_set_rights", [.i32, .i64, .i64]) { wasi, a in
            let entry = try wasi.descriptors.get(a[0])
            let rights = WASIRights(rawValue: a.u64(1)), inheriting = WASIRights(rawValue: a.u64(2))
            // Rights only ever shrink.
            guard entry.rights.isSuperset(of: rights), entry.inheritingRights.isSuperset(of: inheriting) else {
                throw WASIErrno.notCapable
            }
            entry.rights = rights
            entry.inheritingRights = inheriting
        }
        d.define("fd_filestat_get", [.i32, .i32]) { wasi, a in
            let memory = try wasi.guestMemory()
            let entry = try wasi.descriptors.get(a[0])
            try entry.require(.fdFilestatGet)
            var s = stat()
            if let fd = entry.hostDescriptor {
                try HostFile.check { fstat(fd, &s) }
                try HostFile.store(s, to: memory, at: a[1])
                if entry.fileType != .regularFile && entry.fileType != .directory {
                    try memory.store(UInt64(entry.fileType.rawValue), at: a[1] + 16)
                }
            } else {
                _ = try memory.slice(a[1], 64)
                for offset in stride(from: UInt32(0), to: 64, by: 8) { try memory.store(UInt64(0), at: a[1] + offset) }
                try memory.store(UInt64(entry.fileType.rawValue), at: a[1] + 16)
            }
        }
        d.define("fd_filestat_set_size", [.i32, .i64]) { wasi, a in
            let entry = try wasi.descriptors.get(a[0])
            let fd = try entry.file()
            // Without the right: a descriptor opened read-only gets the host's
            // answer to ftruncate on it, EINVAL, as in wasmtime (which checks
            // only the preopen's permissions and leaves the rest to the host).
            guard entry.rights.contains(.fdFilestatSetSize) else {
                throw entry.rights.contains(.fdWrite) ? WASIErrno.notCapable : WASIErrno.invalid
            }
            guard Int64(bitPattern: a.u64(1)) >= 0 else { throw WASIErrno.invalid }
            try HostFile.check { ftruncate(fd, off_t(a.u64(1))) }
        }
        d.define("fd_filestat_set_times", [.i32, .i64, .i64, .i32]) { wasi, a in
            let entry = try wasi.descriptors.get(a[0])
            guard let fd = entry.hostDescriptor else { throw WASIErrno.badFileDescriptor }
            try entry.require(.fdFilestatSetTimes)
            let times = try HostFile.times(access: a.u64(1), modification: a.u64(2), flags: UInt16(truncatingIfNeeded: a[3]))
            try HostFile.check { futimens(fd, times) }
        }
        d.define("fd_prestat_get", [.i32, .i32]) { wasi, a in
            let entry = try wasi.descriptors.get(a[0])
            guard let name = entry.preopenName else { throw WASIErrno.badFileDescriptor }
            let memory = try wasi.guestMemory()
            try memory.store(UInt32(0), at: a[1])  // tag: dir
            try memory.store(UInt32(name.utf8.count), at: a[1] + 4)
        }
        d.define("fd_prestat_dir_name", [.i32, .i32, .i32]) { wasi, a in
            let entry = try wasi.descriptors.get(a[0])
            guard let name = entry.preopenName else { throw WASIErrno.badFileDescriptor }
            let bytes = Array(name.utf8)
            guard a[2] >= bytes.count else { throw WASIErrno.nameTooLong }
            try wasi.guestMemory().copy(bytes, to: a[1])
        }
        d.define("fd_readdir", [.i32, .i32, .i32, .i64, .i32]) { wasi, a in
            let memory = try wasi.guestMemory()
            let entry = try wasi.descriptors.get(a[0])
            let fd = try entry.directory()
            try entry.require(.fdReaddir)
            let buffer = try memory.slice(a[1], a[2])
            let used = try Self.readDirectory(fd, into: buffer, cookie: a.u64(3))
            try memory.store(UInt32(used), at: a[4])
        }
    }

    /// Reads into the guest's buffers: at `offset` (pread) or at the
    /// descriptor's position.
    func read(_ entry: FileDescriptor, into buffers: [UnsafeMutableRawBufferPointer], at offset: UInt64?) throws(WASIErrno) -> Int {
        switch entry.backing {
        case .input(let bytes):
            if offset != nil { throw .invalidSeek }
            var total = 0
            for buffer in buffers {
                let count = Swift.min(buffer.count, bytes.count - entry.inputPosition)
                if count == 0 { break }
                bytes.withUnsafeBytes { source in
                    buffer.baseAddress!.copyMemory(from: source.baseAddress! + entry.inputPosition, byteCount: count)
                }
                entry.inputPosition += count
                total += count
            }
            return total
        case .output:
            throw .badFileDescriptor
        case .host(let fd, _):
            if entry.fileType == .directory { throw .badFileDescriptor }
            var vectors = buffers.map { iovec(iov_base: $0.baseAddress, iov_len: $0.count) }
            if let offset {
                guard entry.fileType == .regularFile || entry.fileType == .blockDevice else { throw .invalidSeek }
                guard Int64(bitPattern: offset) >= 0 else { throw .invalid }
                return try HostFile.check { preadv(fd, &vectors, Int32(vectors.count), off_t(offset)) }
            }
            return try HostFile.check { readv(fd, &vectors, Int32(vectors.count)) }
        }
    }

    /// Writes the guest's buffers: at `offset` (pwrite) or at the position
    /// (the end, for append mode, which the host descriptor carries).
    func write(_ entry: FileDescriptor, from buffers: [UnsafeMutableRawBufferPointer], at offset: UInt64?) throws(WASIErrno) -> Int {
        switch entry.backing {
        case .input:
            throw .badFileDescriptor
        case .output(let output):
            if offset != nil { throw .invalidSeek }
            var total = 0
            for buffer in buffers {
                if case .capture(let captured) = output { captured.append(UnsafeRawBufferPointer(buffer)) }
                total += buffer.count
            }
            return total
        case .host(let fd, _):
            if entry.fileType == .directory { throw .badFileDescriptor }
            var vectors = buffers.map { iovec(iov_base: $0.baseAddress, iov_len: $0.count) }
            if let offset {
                guard entry.fileType == .regularFile || entry.fileType == .blockDevice else { throw .invalidSeek }
                guard Int64(bitPattern: offset) >= 0 else { throw .invalid }
                return try HostFile.check { pwritev(fd, &vectors, Int32(vectors.count), off_t(offset)) }
            }
            return try HostFile.check { writev(fd, &vectors, Int32(vectors.count)) }
        }
    }

    /// Serializes `$dirent`s from entry `cookie` on (cookies are positions
    /// in the listing, "." and ".." included), cutting the last one short
    /// when the buffer is full, as the ABI specifies: a full buffer tells
    /// the guest to ask again.
    static func readDirectory(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, cookie: UInt64) throws(WASIErrno) -> Int {
        let copy = dup(fd)
        guard copy >= 0 else { throw WASIErrno.last }
        guard let stream = fdopendir(copy) else {
            let error = WASIErrno.last
            close(copy)
            throw error
        }
        defer { closedir(stream) }
        rewinddir(stream)
        var used = 0
        var index: UInt64 = 0
        while used < buffer.count {
            errno = 0
            guard let dirent = readdir(stream) else {
                if errno != 0 { throw WASIErrno.last }
                break
            }
            index += 1
            if index <= cookie { continue }
            let name: [UInt8] = withUnsafeBytes(of: dirent.pointee.d_name) { raw in
                Array(raw.prefix(while: { $0 != 0 }))
            }
            var type = direntType(dirent.pointee.d_type)
            if type == .unknown {
                var s = stat()
                if fstatat(fd, String(decoding: name, as: UTF8.self), &s, AT_SYMLINK_NOFOLLOW) == 0 {
                    type = HostFile.fileType(mode: s.st_mode)
                }
            }
            var record = [UInt8](repeating: 0, count: 24)
            record.withUnsafeMutableBytes { r in
                r.storeBytes(of: index.littleEndian, toByteOffset: 0, as: UInt64.self)
                r.storeBytes(of: UInt64(dirent.pointee.d_ino).littleEndian, toByteOffset: 8, as: UInt64.self)
                r.storeBytes(of: UInt32(name.count).littleEndian, toByteOffset: 16, as: UInt32.self)
                r.storeBytes(of: type.rawValue, toByteOffset: 20, as: UInt8.self)
            }
            record += name
            let count = Swift.min(record.count, buffer.count - used)
            record.withUnsafeBytes { buffer.baseAddress!.advanced(by: used).copyMemory(from: $0.baseAddress!, byteCount: count) }
            used += count
        }
        return used
    }

    static func direntType(_ type: UInt8) -> WASIFileType {
        switch Int(type) {
        case Int(DT_REG): return .regularFile
        case Int(DT_DIR): return .directory
        case Int(DT_LNK): return .symbolicLink
        case Int(DT_CHR): return .characterDevice
        case Int(DT_BLK): return .blockDevice
        case Int(DT_SOCK): return .socketStream
        default: return .unknown
        }
    }
}

extension FileDescriptor {
    /// The host descriptor of a file (not a directory): file operations on
    /// a directory or a virtual stream are `EBADF`.
    func file() throws(WASIErrno) -> Int32 {
        guard fileType != .directory, let fd = hostDescriptor else { throw .badFileDescriptor }
        return fd
    }

    /// A file that has a position: streams are `ESPIPE`.
    func seekableFile() throws(WASIErrno) -> Int32 {
        guard fileType != .directory else { throw .badFileDescriptor }
        guard let fd = hostDescriptor, fileType == .regularFile || fileType == .blockDevice else { throw .invalidSeek }
        return fd
    }
}
