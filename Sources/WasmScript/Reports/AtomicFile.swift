import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files so that readers (a CI step uploading reports, a person
/// looking at a baseline, a second run) never see half of one: the bytes go
/// to a temporary file in the same folder, are flushed, and the temporary
/// file is renamed over the target, which POSIX makes atomic.
public enum AtomicFile {
    public static func write(_ bytes: some Collection<UInt8>, to path: String) throws(ReportError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temporary = (folder as NSString).appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw ReportError(path: path, "cannot create \(temporary): \(String(cString: strerror(errno)))") }
        var failure: Int32 = 0
        let contiguous = Array(bytes)
        contiguous.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let n = systemWrite(fd, base + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += n
            }
        }
        if failure == 0 && fsync(fd) != 0 { failure = errno }
        close(fd)
        guard failure == 0 else {
            unlink(temporary)
            throw ReportError(path: path, "cannot write \(temporary): \(String(cString: strerror(failure)))")
        }
        guard rename(temporary, path) == 0 else {
            let error = errno
            unlink(temporary)
            throw ReportError(path: path, "cannot replace: \(String(cString: strerror(error)))")
        }
    }

    public static func write(_ text: String, to path: String) throws(ReportError) {
        try write(Array(text.utf8), to: path)
    }
}

/// `write(2)`, named apart from `AtomicFile.write`.
@inline(__always)
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, buffer, count)
    #elseif canImport(Musl)
    return Musl.write(fd, buffer, count)
    #else
    return Darwin.write(fd, buffer, count)
    #endif
}
