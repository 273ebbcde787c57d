/// Host constants Swift's Glibc module does not import (they sit behind
/// `_GNU_SOURCE` or are macros), with the values of Linux's ABI, which are
/// the same on x86-64 and AArch64.
enum HostConstants {
    #if os(Linux)
    /// `O_PATH`: a descriptor that only names a directory, enough to resolve
    /// paths beneath it without needing read permission on it.
    static let openPath: Int32 = 0o10000000
    static let timeNow = 1 << 30 - 1
    static let timeOmit = 1 << 30 - 2
    #else
    static let timeNow = -1
    static let timeOmit = -2
    #endif
}
