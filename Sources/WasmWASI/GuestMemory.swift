import WasmRuntime

/// The guest's linear memory during one host call, with every access
/// bounds-checked: a pointer the guest passes is untrusted, and one that
/// points outside memory is `EFAULT`, never a host crash. Valid only for
/// the call (a host function cannot grow memory, so the base stays put).
struct GuestMemory {
    let bytes: UnsafeMutableRawBufferPointer
    /// For a memory in another process: the shadow `bytes` points into,
    /// whose ranges are fetched on first use (every access goes through
    /// `slice`) and written back when the call ends.
    var shadow: ShadowMemory? = nil

    /// The range `[address, address + count)`, or `EFAULT`.
    func slice(_ address: UInt32, _ count: UInt32) throws(WASIErrno) -> UnsafeMutableRawBufferPointer {
        let end = UInt64(address) + UInt64(count)
        guard end <= UInt64(bytes.count) else { throw .fault }
        if count == 0 { return UnsafeMutableRawBufferPointer(start: nil, count: 0) }
        if let shadow { try shadow.fetch(Int(address), Int(count)) }
        return UnsafeMutableRawBufferPointer(rebasing: bytes[Int(address)..<Int(end)])
    }

    func load<T: FixedWidthInteger>(_ address: UInt32, as: T.Type) throws(WASIErrno) -> T {
        let s = try slice(address, UInt32(MemoryLayout<T>.size))
        return T(littleEndian: s.loadUnaligned(as: T.self))
    }

    func store<T: FixedWidthInteger>(_ value: T, at address: UInt32) throws(WASIErrno) {
        let s = try slice(address, UInt32(MemoryLayout<T>.size))
        s.storeBytes(of: value.littleEndian, as: T.self)
    }

    func copy(_ source: [UInt8], to address: UInt32) throws(WASIErrno) {
        let s = try slice(address, UInt32(clamping: source.count))
        guard s.count == source.count else { throw .fault }
        if !source.isEmpty { s.copyBytes(from: source) }
    }

    /// A path or name argument: UTF-8 is required (`EILSEQ` otherwise), and
    /// an embedded NUL would silently cut the host path short, so it is
    /// refused too.
    func string(_ address: UInt32, _ count: UInt32) throws(WASIErrno) -> String {
        let s = try slice(address, count)
        guard !s.contains(0) else { throw .illegalSequence }
        guard let text = String(validating: s, as: UTF8.self) else { throw .illegalSequence }
        return text
    }

    /// The buffers of an `iovec`/`ciovec` array (`{ buf: u32, len: u32 }`).
    func vectors(_ address: UInt32, _ count: UInt32) throws(WASIErrno) -> [UnsafeMutableRawBufferPointer] {
        guard count <= 1024 else { throw .invalid }  // IOV_MAX
        _ = try slice(address, count * 8)  // the whole array, so no entry's address wraps
        var result: [UnsafeMutableRawBufferPointer] = []
        result.reserveCapacity(Int(count))
        for i in 0..<count {
            let base = try load(address &+ i * 8, as: UInt32.self)
            let length = try load(address &+ i * 8 &+ 4, as: UInt32.self)
            result.append(try slice(base, length))
        }
        return result
    }
}
