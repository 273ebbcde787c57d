/// The on-disk form of a `CodeArtifact`: what the compiled-module cache
/// stores (`ModuleCache`) and `wasmcheck compile` writes.
///
/// ```
/// magic            8 bytes  "WCHKCODE"
/// format version   u32      CodeArtifact.formatVersion
/// engine version   string   (u32 length + UTF-8)
/// target           string   JITTarget raw value
/// CPU features     string   what the code was allowed to use
/// configuration    string   the engine settings that change code (features, fuel)
/// module hash      32 bytes SHA-256 of the module
/// payload length   u64      uncompressed
/// payload CRC-32   u32      of the uncompressed payload
/// compressed size  u64
/// compressed CRC-32 u32     of the compressed payload
/// header CRC-32    u32      of every byte before it
/// payload          zlib     u32 entry count, u64 entries, u64 code length, code
/// ```
///
/// Integers are little-endian. Every field is checked before any byte of
/// code is used: a truncated, corrupted or foreign entry is an error,
/// never code that runs. The compressed bytes have a CRC of their own
/// because deflate has bits it ignores (padding): a flip there inflates
/// to the same code, and a cache should still call the file corrupt.
extension CodeArtifact {
    static let magic: [UInt8] = Array("WCHKCODE".utf8)
    /// Bumped whenever the layout above changes.
    static let formatVersion: UInt32 = 1

    /// What an entry must have been written for to be used here.
    public struct Header: Hashable, Sendable {
        public var engineVersion: String
        public var target: JITTarget
        public var cpuFeatures: String
        public var configuration: String
        public var moduleHash: [UInt8]

        public init(engineVersion: String, target: JITTarget, cpuFeatures: String, configuration: String, moduleHash: [UInt8]) {
            self.engineVersion = engineVersion
            self.target = target
            self.cpuFeatures = cpuFeatures
            self.configuration = configuration
            self.moduleHash = moduleHash
        }
    }

    /// Why serialized bytes are not a usable artifact.
    public enum DeserializationError: Error, Hashable, CustomStringConvertible {
        case truncated
        case badMagic
        case unsupportedFormat(UInt32)
        case headerChecksum
        case foreign(field: String, found: String, expected: String)
        case payloadChecksum
        case compression(Int32)
        case inconsistent(String)

        public var description: String {
            switch self {
            case .truncated: return "truncated"
            case .badMagic: return "not a wasmcheck code artifact"
            case .unsupportedFormat(let v): return "format version \(v), this engine reads \(CodeArtifact.formatVersion)"
            case .headerChecksum: return "header checksum mismatch"
            case .foreign(let field, let found, let expected): return "written for \(field) \(found), not \(expected)"
            case .payloadChecksum: return "payload checksum mismatch"
            case .compression(let status): return "payload does not inflate (zlib \(status))"
            case .inconsistent(let what): return "inconsistent payload: \(what)"
            }
        }
    }

    /// The artifact's bytes on disk, for `header` (whose target must be the artifact's).
    public func serialized(header: Header) throws(ZlibError) -> [UInt8] {
        var payload = ByteWriter()
        payload.u32(UInt32(entries.count))
        for entry in entries { payload.u64(UInt64(entry)) }
        payload.u64(UInt64(code.count))
        payload.bytes.append(contentsOf: code)
        let compressed = try Zlib.compress(payload.bytes)

        var out = ByteWriter()
        out.bytes.append(contentsOf: Self.magic)
        out.u32(Self.formatVersion)
        out.string(header.engineVersion)
        out.string(header.target.rawValue)
        out.string(header.cpuFeatures)
        out.string(header.configuration)
        out.bytes.append(contentsOf: header.moduleHash)
        out.u64(UInt64(payload.bytes.count))
        out.u32(Zlib.crc32(payload.bytes))
        out.u64(UInt64(compressed.count))
        out.u32(Zlib.crc32(compressed))
        out.u32(Zlib.crc32(out.bytes))
        out.bytes.append(contentsOf: compressed)
        return out.bytes
    }

    /// Reads the header of serialized bytes, checking magic, format and
    /// the header's checksum (not the payload).
    public static func header(of bytes: [UInt8]) throws(DeserializationError) -> Header {
        var reader = ByteReader(bytes: bytes)
        return try readHeader(&reader).header
    }

    /// The artifact in `bytes`, which must have been written for `expected`
    /// (every header field equal) and be intact.
    public init(serialized bytes: [UInt8], expected: Header) throws(DeserializationError) {
        var reader = ByteReader(bytes: bytes)
        let (header, payloadLength, payloadCRC, compressedLength, compressedCRC) = try Self.readHeader(&reader)
        func check(_ field: String, _ found: String, _ wanted: String) throws(DeserializationError) {
            if found != wanted { throw .foreign(field: field, found: found, expected: wanted) }
        }
        try check("engine", header.engineVersion, expected.engineVersion)
        try check("target", header.target.rawValue, expected.target.rawValue)
        try check("CPU features", header.cpuFeatures, expected.cpuFeatures)
        try check("configuration", header.configuration, expected.configuration)
        try check("module", hex(header.moduleHash), hex(expected.moduleHash))
        // Lengths come from the file: bound them by what is there before
        // allocating (decision 8). Code compresses to no less than 1/1032.
        guard compressedLength == UInt64(bytes.count - reader.offset) else { throw .truncated }
        guard payloadLength <= compressedLength * 1032 + 64 else { throw .inconsistent("payload length \(payloadLength)") }
        guard Zlib.crc32(bytes[reader.offset...]) == compressedCRC else { throw .payloadChecksum }
        let payload: [UInt8]
        do {
            payload = try Zlib.decompress(bytes[reader.offset...], count: Int(payloadLength))
        } catch {
            throw .compression(error.status)
        }
        guard Zlib.crc32(payload) == payloadCRC else { throw .payloadChecksum }

        var body = ByteReader(bytes: payload)
        let count = Int(try body.u32())
        guard count <= payload.count / 8 else { throw .inconsistent("\(count) entries") }
        var entries: [Int] = []
        entries.reserveCapacity(count)
        for _ in 0..<count { entries.append(Int(truncatingIfNeeded: try body.u64())) }
        let codeLength = try body.u64()
        guard codeLength == UInt64(payload.count - body.offset) else { throw .inconsistent("code length \(codeLength)") }
        let code = Array(payload[body.offset...])
        guard entries.allSatisfy({ $0 >= 0 && $0 < code.count }) else { throw .inconsistent("an entry outside the code") }
        self.init(target: header.target, code: code, entries: entries)
    }

    private static func readHeader(_ reader: inout ByteReader) throws(DeserializationError)
        -> (header: Header, payloadLength: UInt64, payloadCRC: UInt32, compressedLength: UInt64, compressedCRC: UInt32) {
        guard try reader.take(magic.count) == magic else { throw .badMagic }
        let format = try reader.u32()
        guard format == formatVersion else { throw .unsupportedFormat(format) }
        let engine = try reader.string()
        let targetName = try reader.string()
        let features = try reader.string()
        let configuration = try reader.string()
        let moduleHash = try reader.take(32)
        let payloadLength = try reader.u64()
        let payloadCRC = try reader.u32()
        let compressedLength = try reader.u64()
        let compressedCRC = try reader.u32()
        let headerEnd = reader.offset
        let headerCRC = try reader.u32()
        guard Zlib.crc32(reader.bytes[..<headerEnd]) == headerCRC else { throw .headerChecksum }
        guard let target = JITTarget(rawValue: targetName) else {
            throw .foreign(field: "target", found: targetName, expected: JITTarget.allCases.map(\.rawValue).joined(separator: " or "))
        }
        let header = Header(engineVersion: engine, target: target, cpuFeatures: features, configuration: configuration, moduleHash: moduleHash)
        return (header, payloadLength, payloadCRC, compressedLength, compressedCRC)
    }
}

/// Lowercase hexadecimal, for hashes in names and messages.
package func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count * 2)
    for b in bytes {
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 15)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// Little-endian writing for the serialized artifact.
private struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func u32(_ v: UInt32) { for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) } }
    mutating func u64(_ v: UInt64) { for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
    mutating func string(_ s: String) {
        u32(UInt32(s.utf8.count))
        bytes.append(contentsOf: s.utf8)
    }
}

/// Little-endian reading that never reads past the end.
private struct ByteReader {
    let bytes: [UInt8]
    var offset = 0

    mutating func take(_ count: Int) throws(CodeArtifact.DeserializationError) -> [UInt8] {
        guard count >= 0, count <= bytes.count - offset else { throw .truncated }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func u32() throws(CodeArtifact.DeserializationError) -> UInt32 {
        try take(4).reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func u64() throws(CodeArtifact.DeserializationError) -> UInt64 {
        try take(8).reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Strings in the header are short: a long one is corruption.
    mutating func string() throws(CodeArtifact.DeserializationError) -> String {
        let count = Int(try u32())
        guard count <= 4096 else { throw .truncated }
        return String(decoding: try take(count), as: UTF8.self)
    }
}
