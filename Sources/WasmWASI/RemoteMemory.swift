#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A guest memory that lives in another process (the JIT's agent, driven
/// by `AgentEngine`): WASI reaches it only through these calls, which an
/// engine serves during a host call (docs/agent-protocol.md, `memory-read`
/// and `memory-write` nested in a host call). Bind it with
/// `WASI.bind(remote:)`.
public protocol WASIRemoteMemory: AnyObject {
    /// The memory's size in bytes now.
    func byteCount() throws -> UInt64
    /// Reads `buffer.count` bytes at `offset` into `buffer`.
    func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws
    /// Writes `bytes` at `offset`.
    func write(at offset: UInt64, _ bytes: UnsafeRawBufferPointer) throws
}

/// A remote memory as WASI sees it during one host call: a shadow mapping
/// as large as the memory (anonymous, so untouched pages cost nothing),
/// into which every range a function touches is fetched before its first
/// use (`GuestMemory.slice`), in whole pages; when the call ends, the pages
/// that changed are written back (`finish`), before the guest runs again.
/// Only the host runs during a host call, so the copy cannot go stale
/// within it; the next call fetches again.
final class ShadowMemory {
    /// The unit of fetching and of writing back.
    static let pageSize = 4096
    /// The most bytes one `read` asks for (the agent's frames are at most 256 MiB).
    static let maxRead = 16 << 20
    /// WASI preview 1 pointers are 32-bit: nothing beyond 4 GiB is reachable.
    static let maxBytes: UInt64 = 1 << 32

    let remote: any WASIRemoteMemory
    private var mapping: UnsafeMutableRawPointer?
    private var mappedBytes = 0
    /// This call's view of the memory; nil between calls.
    private(set) var buffer: UnsafeMutableRawBufferPointer?
    /// One bit per page fetched in this call.
    private var present: [UInt64] = []
    /// Every run fetched in this call, with its bytes as fetched.
    private var fetched: [(offset: Int, original: [UInt8])] = []
    /// Why the remote memory could not be read or written in this call.
    private(set) var failure: String?

    init(remote: any WASIRemoteMemory) { self.remote = remote }

    deinit {
        if let mapping { munmap(mapping, mappedBytes) }
    }

    var isActive: Bool { buffer != nil || failure != nil }

    /// The memory for this call (its size is asked once per call); nil
    /// when the remote memory cannot be reached (`failure` says why).
    func begin() -> UnsafeMutableRawBufferPointer? {
        if let buffer { return buffer }
        guard failure == nil else { return nil }
        let size: Int
        do {
            size = Int(Swift.min(try remote.byteCount(), Self.maxBytes))
        } catch {
            failure = "\(error)"
            return nil
        }
        let rounded = (size + Self.pageSize - 1) / Self.pageSize * Self.pageSize
        if rounded > mappedBytes {
            if let mapping { munmap(mapping, mappedBytes) }
            mapping = nil
            mappedBytes = 0
            #if os(Linux)
            let flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE
            #else
            let flags = MAP_PRIVATE | MAP_ANON
            #endif
            guard let p = mmap(nil, rounded, PROT_READ | PROT_WRITE, flags, -1, 0), p != MAP_FAILED else {
                failure = "cannot map a shadow of \(size) bytes"
                return nil
            }
            mapping = p
            mappedBytes = rounded
        }
        let pages = rounded / Self.pageSize
        if present.count < (pages + 63) / 64 { present = [UInt64](repeating: 0, count: (pages + 63) / 64) }
        let view = UnsafeMutableRawBufferPointer(start: size == 0 ? nil : mapping, count: size)
        buffer = view
        return view
    }

    private func isPresent(_ page: Int) -> Bool { present[page >> 6] & (1 << UInt64(page & 63)) != 0 }

    private func setPresent(_ pages: Range<Int>, _ on: Bool) {
        for page in pages {
            if on { present[page >> 6] |= 1 << UInt64(page & 63) } else { present[page >> 6] &= ~(1 << UInt64(page & 63)) }
        }
    }

    /// Fetches the pages of `[address, address + count)` not fetched yet
    /// in this call. The range is within the memory (checked by the caller).
    func fetch(_ address: Int, _ count: Int) throws(WASIErrno) {
        guard failure == nil, let view = buffer, let base = view.baseAddress, count > 0 else { throw .fault }
        let last = (address + count - 1) / Self.pageSize
        var page = address / Self.pageSize
        while page <= last {
            if isPresent(page) {
                page += 1
                continue
            }
            var end = page + 1
            while end <= last, !isPresent(end), (end - page) * Self.pageSize < Self.maxRead { end += 1 }
            let start = page * Self.pageSize, stop = Swift.min(end * Self.pageSize, view.count)
            let region = UnsafeMutableRawBufferPointer(start: base + start, count: stop - start)
            do {
                try remote.read(at: UInt64(start), into: region)
            } catch {
                failure = "\(error)"
                throw .fault
            }
            fetched.append((start, Array(region)))
            setPresent(page..<end, true)
            page = end
        }
    }

    /// Ends the call: writes back every page that differs from what was
    /// fetched, and forgets the view. Returns why the remote memory could
    /// not be read or written, if it could not (then the call must trap).
    func finish() -> String? {
        defer {
            for run in fetched {
                let first = run.offset / Self.pageSize
                setPresent(first..<(first + (run.original.count + Self.pageSize - 1) / Self.pageSize), false)
            }
            fetched = []
            buffer = nil
            failure = nil
        }
        guard failure == nil, let base = buffer?.baseAddress else { return failure }
        for run in fetched {
            let count = run.original.count
            let pages = (count + Self.pageSize - 1) / Self.pageSize
            var changedStart: Int?
            // One step past the last page flushes a run that reaches the end.
            for page in 0...pages {
                let offset = page * Self.pageSize
                var changed = false
                if page < pages {
                    let n = Swift.min(Self.pageSize, count - offset)
                    changed = run.original.withUnsafeBytes { memcmp($0.baseAddress! + offset, base + run.offset + offset, n) != 0 }
                }
                if changed, changedStart == nil { changedStart = offset }
                if !changed, let start = changedStart {
                    let bytes = UnsafeRawBufferPointer(start: base + run.offset + start, count: Swift.min(offset, count) - start)
                    do {
                        try remote.write(at: UInt64(run.offset + start), bytes)
                    } catch {
                        return "\(error)"
                    }
                    changedStart = nil
                }
            }
        }
        return nil
    }
}
