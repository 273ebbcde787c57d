#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One open WASI file descriptor: what backs it, its type, rights and flags.
/// A class, so that operations update positions and flags in place.
final class FileDescriptor {
    enum Backing {
        /// A host file descriptor; `owned` ones are closed with the entry
        /// (inherited standard streams are not).
        case host(Int32, owned: Bool)
        /// Standard input from bytes the host gave.
        case input([UInt8])
        /// Standard output or error the host captures or discards.
        case output(WASIOutput)
    }

    var backing: Backing
    var fileType: WASIFileType
    var rights: WASIRights
    var inheritingRights: WASIRights
    /// `$fdflags`; `append` is also applied on the host descriptor.
    var flags: UInt16 = 0
    /// The name the guest sees for a preopened directory (`fd_prestat_get`).
    var preopenName: String?
    /// How far `input` has been read.
    var inputPosition = 0

    init(backing: Backing, fileType: WASIFileType, rights: WASIRights, inheritingRights: WASIRights) {
        self.backing = backing
        self.fileType = fileType
        self.rights = rights
        self.inheritingRights = inheritingRights
    }

    deinit {
        if case .host(let fd, owned: true) = backing { close(fd) }
    }

    /// The host descriptor, or `EBADF` for a virtual stream (the operation
    /// needs a real file).
    var hostDescriptor: Int32? {
        if case .host(let fd, _) = backing { return fd }
        return nil
    }

    /// The host descriptor of a directory, or `ENOTDIR`.
    func directory() throws(WASIErrno) -> Int32 {
        guard fileType == .directory, let fd = hostDescriptor else { throw .notDirectory }
        return fd
    }

    /// Fails with `ENOTCAPABLE` unless the descriptor has all of `needed`.
    func require(_ needed: WASIRights) throws(WASIErrno) {
        guard rights.isSuperset(of: needed) else { throw .notCapable }
    }
}

/// The guest's descriptor numbers. New descriptors take the lowest free
/// number, as POSIX `open` does, so guests that assume it keep working.
struct FileDescriptorTable {
    private var entries: [UInt32: FileDescriptor] = [:]
    /// Guards against a guest exhausting host descriptors (`EMFILE`).
    static let limit = 4096

    func get(_ fd: UInt32) throws(WASIErrno) -> FileDescriptor {
        guard let entry = entries[fd] else { throw .badFileDescriptor }
        return entry
    }

    mutating func insert(_ entry: FileDescriptor) throws(WASIErrno) -> UInt32 {
        guard entries.count < Self.limit else { throw .tooManyFiles }
        var fd: UInt32 = 0
        while entries[fd] != nil { fd += 1 }
        entries[fd] = entry
        return fd
    }

    mutating func remove(_ fd: UInt32) throws(WASIErrno) {
        guard entries.removeValue(forKey: fd) != nil else { throw .badFileDescriptor }
    }

    /// `fd_renumber`: `to` must be open; it is closed and replaced by `from`.
    mutating func renumber(_ from: UInt32, to: UInt32) throws(WASIErrno) {
        let entry = try get(from)
        _ = try get(to)
        if from == to { return }
        entries[to] = entry
        entries[from] = nil
    }

    var descriptors: [UInt32] { entries.keys.sorted() }
}

/// Host file system helpers shared by the fd_* and path_* functions.
enum HostFile {
    static func fileType(mode: mode_t) -> WASIFileType {
        switch mode & S_IFMT {
        case S_IFREG: return .regularFile
        case S_IFDIR: return .directory
        case S_IFLNK: return .symbolicLink
        case S_IFCHR: return .characterDevice
        case S_IFBLK: return .blockDevice
        case S_IFSOCK: return .socketStream
        default: return .unknown
        }
    }

    static func nanoseconds(_ t: timespec) -> UInt64 {
        UInt64(truncatingIfNeeded: Int64(t.tv_sec)) &* 1_000_000_000 &+ UInt64(truncatingIfNeeded: Int64(t.tv_nsec))
    }

    /// Writes a `$filestat` (64 bytes).
    static func store(_ s: stat, to memory: GuestMemory, at address: UInt32) throws(WASIErrno) {
        _ = try memory.slice(address, 64)
        try memory.store(UInt64(truncatingIfNeeded: s.st_dev), at: address)
        try memory.store(UInt64(truncatingIfNeeded: s.st_ino), at: address + 8)
        try memory.store(UInt64(fileType(mode: s.st_mode).rawValue), at: address + 16)
        try memory.store(UInt64(truncatingIfNeeded: s.st_nlink), at: address + 24)
        try memory.store(UInt64(truncatingIfNeeded: s.st_size), at: address + 32)
        #if canImport(Darwin)
        try memory.store(nanoseconds(s.st_atimespec), at: address + 40)
        try memory.store(nanoseconds(s.st_mtimespec), at: address + 48)
        try memory.store(nanoseconds(s.st_ctimespec), at: address + 56)
        #else
        try memory.store(nanoseconds(s.st_atim), at: address + 40)
        try memory.store(nanoseconds(s.st_mtim), at: address + 48)
        try memory.store(nanoseconds(s.st_ctim), at: address + 56)
        #endif
    }

    /// The two `timespec`s of `futimens`/`utimensat` for `$fstflags`;
    /// setting a time and "now" for the same field is `EINVAL`.
    static func times(access: UInt64, modification: UInt64, flags: UInt16) throws(WASIErrno) -> [timespec] {
        let known = WASIFlags.accessTime | WASIFlags.accessTimeNow | WASIFlags.modificationTime | WASIFlags.modificationTimeNow
        guard flags & ~known == 0 else { throw .invalid }
        func one(_ value: UInt64, set: UInt16, now: UInt16) throws(WASIErrno) -> timespec {
            if flags & set != 0 && flags & now != 0 { throw .invalid }
            if flags & now != 0 { return timespec(tv_sec: 0, tv_nsec: HostConstants.timeNow) }
            if flags & set != 0 {
                return timespec(tv_sec: time_t(value / 1_000_000_000), tv_nsec: Int(value % 1_000_000_000))
            }
            return timespec(tv_sec: 0, tv_nsec: HostConstants.timeOmit)
        }
        return [try one(access, set: WASIFlags.accessTime, now: WASIFlags.accessTimeNow),
                try one(modification, set: WASIFlags.modificationTime, now: WASIFlags.modificationTimeNow)]
    }

    /// Retries a host call interrupted by a signal; the result or the WASI errno.
    @discardableResult
    static func check<T: BinaryInteger>(_ call: () -> T) throws(WASIErrno) -> T {
        while true {
            let r = call()
            if r >= 0 { return r }
            if errno == EINTR { continue }
            throw WASIErrno.last
        }
    }
}
