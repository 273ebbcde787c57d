#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Pages that hold generated code: written while mapped read+write, then
/// made read+execute, never both writable and executable (W^X).
final class ExecutableMemory {
    let base: UnsafeMutableRawPointer
    let size: Int

    enum Failure: Error { case map(Int32), protect(Int32) }

    /// Maps a copy of `code`, executable.
    init(copying code: [UInt8]) throws(Failure) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        size = Swift.max((code.count + page - 1) / page * page, page)
        guard let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              mapped != MAP_FAILED else { throw .map(errno) }
        base = mapped
        code.withUnsafeBytes { base.copyMemory(from: $0.baseAddress!, byteCount: code.count) }
        guard mprotect(base, size, PROT_READ | PROT_EXEC) == 0 else {
            let error = errno
            munmap(base, size)
            throw .protect(error)
        }
    }

    deinit { munmap(base, size) }
}
