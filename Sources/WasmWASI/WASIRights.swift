/// The rights of a file descriptor (witx `$rights`): what operations it
/// allows. A preopen hands out all of them; `path_open` can only narrow
/// what the directory passes on (`inheriting`), and
/// `fd_fdstat_set_rights` can only drop them, so a guest never gains a
/// capability it was not given.
public struct WASIRights: OptionSet, Hashable, Sendable {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public static let fdDatasync = WASIRights(rawValue: 1 << 0)
    public static let fdRead = WASIRights(rawValue: 1 << 1)
    public static let fdSeek = WASIRights(rawValue: 1 << 2)
    public static let fdFdstatSetFlags = WASIRights(rawValue: 1 << 3)
    public static let fdSync = WASIRights(rawValue: 1 << 4)
    public static let fdTell = WASIRights(rawValue: 1 << 5)
    public static let fdWrite = WASIRights(rawValue: 1 << 6)
    public static let fdAdvise = WASIRights(rawValue: 1 << 7)
    public static let fdAllocate = WASIRights(rawValue: 1 << 8)
    public static let pathCreateDirectory = WASIRights(rawValue: 1 << 9)
    public static let pathCreateFile = WASIRights(rawValue: 1 << 10)
    public static let pathLinkSource = WASIRights(rawValue: 1 << 11)
    public static let pathLinkTarget = WASIRights(rawValue: 1 << 12)
    public static let pathOpen = WASIRights(rawValue: 1 << 13)
    public static let fdReaddir = WASIRights(rawValue: 1 << 14)
    public static let pathReadlink = WASIRights(rawValue: 1 << 15)
    public static let pathRenameSource = WASIRights(rawValue: 1 << 16)
    public static let pathRenameTarget = WASIRights(rawValue: 1 << 17)
    public static let pathFilestatGet = WASIRights(rawValue: 1 << 18)
    public static let pathFilestatSetSize = WASIRights(rawValue: 1 << 19)
    public static let pathFilestatSetTimes = WASIRights(rawValue: 1 << 20)
    public static let fdFilestatGet = WASIRights(rawValue: 1 << 21)
    public static let fdFilestatSetSize = WASIRights(rawValue: 1 << 22)
    public static let fdFilestatSetTimes = WASIRights(rawValue: 1 << 23)
    public static let pathSymlink = WASIRights(rawValue: 1 << 24)
    public static let pathRemoveDirectory = WASIRights(rawValue: 1 << 25)
    public static let pathUnlinkFile = WASIRights(rawValue: 1 << 26)
    public static let pollFdReadwrite = WASIRights(rawValue: 1 << 27)
    public static let sockShutdown = WASIRights(rawValue: 1 << 28)
    public static let sockAccept = WASIRights(rawValue: 1 << 29)

    public static let all = WASIRights(rawValue: (1 << 30) - 1)

    /// What a regular file can do (no path operations: they need a directory).
    public static let regularFile: WASIRights = [
        .fdDatasync, .fdRead, .fdSeek, .fdFdstatSetFlags, .fdSync, .fdTell, .fdWrite, .fdAdvise,
        .fdAllocate, .fdFilestatGet, .fdFilestatSetSize, .fdFilestatSetTimes, .pollFdReadwrite,
    ]

    /// What a directory can do itself (reading and writing bytes is not among them).
    public static let directory: WASIRights = [
        .fdFdstatSetFlags, .fdSync, .pathCreateDirectory, .pathCreateFile, .pathLinkSource,
        .pathLinkTarget, .pathOpen, .fdReaddir, .pathReadlink, .pathRenameSource, .pathRenameTarget,
        .pathFilestatGet, .pathFilestatSetSize, .pathFilestatSetTimes, .fdFilestatGet,
        .fdFilestatSetTimes, .pathSymlink, .pathRemoveDirectory, .pathUnlinkFile,
    ]

    /// Standard streams: reading, writing and polling.
    public static let stream: WASIRights = [.fdRead, .fdWrite, .fdFdstatSetFlags, .fdFilestatGet, .pollFdReadwrite]

    /// The rights that need the host file opened for reading or writing
    /// (as uvwasi and wasi-libc derive the access mode from rights).
    static let needsRead: WASIRights = [.fdRead, .fdReaddir]
    static let needsWrite: WASIRights = [.fdDatasync, .fdWrite, .fdAllocate, .fdFilestatSetSize]
}

/// The file types of `$filetype`.
public enum WASIFileType: UInt8, Sendable {
    case unknown = 0, blockDevice, characterDevice, directory, regularFile, socketDatagram, socketStream, symbolicLink
}

/// Bit flags and enumerations of `wasi_snapshot_preview1`, by witx name.
enum WASIFlags {
    // $fdflags
    static let append: UInt16 = 1 << 0
    static let dsync: UInt16 = 1 << 1
    static let nonblock: UInt16 = 1 << 2
    static let rsync: UInt16 = 1 << 3
    static let sync: UInt16 = 1 << 4
    // $oflags
    static let create: UInt16 = 1 << 0
    static let directory: UInt16 = 1 << 1
    static let exclusive: UInt16 = 1 << 2
    static let truncate: UInt16 = 1 << 3
    // $lookupflags
    static let symlinkFollow: UInt32 = 1 << 0
    // $fstflags
    static let accessTime: UInt16 = 1 << 0
    static let accessTimeNow: UInt16 = 1 << 1
    static let modificationTime: UInt16 = 1 << 2
    static let modificationTimeNow: UInt16 = 1 << 3
    // $whence
    static let whenceSet: UInt8 = 0
    static let whenceCurrent: UInt8 = 1
    static let whenceEnd: UInt8 = 2
    // $eventtype
    static let eventClock: UInt8 = 0
    static let eventFdRead: UInt8 = 1
    static let eventFdWrite: UInt8 = 2
    // $subclockflags
    static let absoluteTime: UInt16 = 1 << 0
    // $eventrwflags
    static let hangup: UInt16 = 1 << 0
}
