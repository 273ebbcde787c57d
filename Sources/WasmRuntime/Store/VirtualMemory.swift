#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Address-space reservations for linear memories.
///
/// A memory reserves its maximum size up front without committing it
/// (`PROT_NONE`), and growing only makes more of the reservation accessible,
/// so the base address stays put and untouched pages cost nothing. When
/// the reservation cannot be made, the memory reserves what it needs now
/// and moves when it grows beyond it.
enum VirtualMemory {
    static let pageSize: Int = {
        let size = Int(sysconf(Int32(_SC_PAGESIZE)))
        return size > 0 ? size : 4096
    }()

    static func roundUp(_ bytes: Int) -> Int {
        let mask = pageSize - 1
        return (bytes + mask) & ~mask
    }

    /// Reserves `bytes` (rounded up to whole pages) of inaccessible address space.
    static func reserve(_ bytes: Int) -> UnsafeMutableRawPointer? {
        let length = roundUp(Swift.max(bytes, 1))
        #if canImport(Darwin)
        let flags = MAP_PRIVATE | MAP_ANON
        #else
        let flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE
        #endif
        guard let p = mmap(nil, length, PROT_NONE, flags, -1, 0),
              p != UnsafeMutableRawPointer(bitPattern: -1) else { return nil }
        return p
    }

    /// Makes the first `bytes` (rounded up to whole pages) of a reservation
    /// readable and writable. Fresh pages read as zero.
    static func commit(_ base: UnsafeMutableRawPointer, _ bytes: Int) -> Bool {
        if bytes == 0 { return true }
        return mprotect(base, roundUp(bytes), PROT_READ | PROT_WRITE) == 0
    }

    static func release(_ base: UnsafeMutableRawPointer, _ bytes: Int) {
        _ = munmap(base, roundUp(Swift.max(bytes, 1)))
    }
}
