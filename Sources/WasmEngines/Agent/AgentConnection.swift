import Foundation

/// The operations of the agent protocol (docs/agent-protocol.md).
enum AgentOp: UInt8 {
    case hello = 0x01, configure = 0x02, quit = 0x03
    case loadCode = 0x10, newMemory = 0x11, newTable = 0x12, newGlobal = 0x13, newHostFunction = 0x14
    case newInstance = 0x15, finishInstance = 0x16, declareType = 0x17, newObject = 0x18, newTag = 0x19
    case invoke = 0x20
    case memoryInfo = 0x30, memoryRead = 0x31, memoryHash = 0x32, tableRead = 0x33, globalRead = 0x34, referenceKind = 0x35
    case memoryWrite = 0x36
    case tableInit = 0x40, elemDrop = 0x41, memoryInit = 0x42, dataDrop = 0x43
    case hostCall = 0x80, hostReturn = 0x81, hostTrap = 0x82
}

/// The body of a frame being written: little-endian integers and bytes.
struct FrameWriter {
    private(set) var bytes: [UInt8]

    init(_ op: AgentOp) { bytes = [op.rawValue] }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u32(_ v: UInt32) { for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
    mutating func u64(_ v: UInt64) { for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
    mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }
    mutating func int(_ v: Int) { u64(UInt64(truncatingIfNeeded: v)) }
    mutating func count(_ n: Int) { u32(UInt32(truncatingIfNeeded: n)) }
    mutating func raw(_ b: [UInt8]) { bytes.append(contentsOf: b) }
    mutating func raw(_ b: UnsafeRawBufferPointer) { bytes.append(contentsOf: b) }
    mutating func slots(_ s: [UInt64]) {
        count(s.count)
        for v in s { u64(v) }
    }
}

/// The body of an answer being read; reading past its end is a protocol
/// violation, never a crash.
struct FrameReader {
    let bytes: [UInt8]
    private var position: Int

    init(_ bytes: [UInt8], from position: Int) {
        self.bytes = bytes
        self.position = position
    }

    struct Short: Error {}

    private mutating func take(_ n: Int) throws(Short) -> ArraySlice<UInt8> {
        guard n >= 0, bytes.count - position >= n else { throw Short() }
        defer { position += n }
        return bytes[position..<(position + n)]
    }

    mutating func u8() throws(Short) -> UInt8 { try take(1).first! }
    mutating func u32() throws(Short) -> UInt32 {
        try take(4).reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }
    mutating func u64() throws(Short) -> UInt64 {
        try take(8).reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
    mutating func i32() throws(Short) -> Int32 { Int32(bitPattern: try u32()) }
    mutating func raw(_ n: Int) throws(Short) -> [UInt8] { Array(try take(n)) }
    /// A `u32` count and that many `u64`s; `limit` bounds the count before
    /// anything is allocated.
    mutating func slots(limit: Int = 1 << 24) throws(Short) -> [UInt64] {
        let n = Int(try u32())
        guard n <= limit, n * 8 <= bytes.count - position else { throw Short() }
        var values: [UInt64] = []
        values.reserveCapacity(n)
        for _ in 0..<n { values.append(try u64()) }
        return values
    }
}

/// What the agent answered.
enum AgentAnswer {
    case ok(FrameReader)
    case trap(code: Int32, detail: UInt64?)
    /// The agent could not make an allocation (a memory, a table).
    case exhausted
}

/// The transport to one agent process: frames out, frames in, host calls
/// answered in between (docs/agent-protocol.md).
final class AgentConnection {
    let process: ChildProcess
    let name: String
    /// Frames above this size are a protocol violation (the agent's limit).
    static let maxFrameBytes = 256 << 20

    init(command: [String], name: String) throws(EngineFailure) {
        process = try ChildProcess(command: command)
        self.name = name
    }

    /// What a host function did, for the agent.
    enum HostReply {
        case returned([UInt64])
        case trapped
    }

    /// Sends `request` and reads frames until its answer; host calls in
    /// between go to `hostCall` (host index, argument slots), which may send
    /// requests of its own (nested: `memory-read`, `memory-write`, ...)
    /// before its reply goes back.
    func request(_ request: FrameWriter, timeout: Double,
                 hostCall: (UInt32, [UInt64]) -> HostReply = { _, _ in .trapped }) throws(EngineFailure) -> AgentAnswer {
        let deadline = Date(timeIntervalSinceNow: timeout)
        let op = AgentOp(rawValue: request.bytes[0]).map { "\($0)" } ?? "?"
        do {
            try send(request.bytes, deadline: deadline)
            while true {
                let header = try process.receive(exactly: 4, deadline: deadline)
                let length = header.reversed().reduce(0) { $0 << 8 | Int($1) }
                guard length >= 1, length <= Self.maxFrameBytes else {
                    throw EngineFailure(.protocolViolation, "\(name) sent a frame of \(length) bytes during \(op)")
                }
                let frame = try process.receive(exactly: length, deadline: deadline)
                var reader = FrameReader(frame, from: 1)
                switch frame[0] {
                case 0x00: return .ok(reader)
                case 0x01:
                    let code = try reader.i32(), detail = try reader.u64()
                    return .trap(code: code, detail: detail == .max ? nil : detail)
                case 0x02:
                    let n = Int(try reader.u32())
                    let message = String(decoding: try reader.raw(n), as: UTF8.self)
                    throw EngineFailure(.badRequest, "\(name): \(op): \(message)")
                case 0x03: return .exhausted
                case AgentOp.hostCall.rawValue:
                    let index = try reader.u32()
                    let arguments = try reader.slots()
                    var reply: FrameWriter
                    switch hostCall(index, arguments) {
                    case .returned(let results):
                        reply = FrameWriter(.hostReturn)
                        reply.slots(results)
                    case .trapped:
                        reply = FrameWriter(.hostTrap)
                    }
                    try send(reply.bytes, deadline: deadline)
                default:
                    throw EngineFailure(.protocolViolation, "\(name) answered \(op) with status \(frame[0])")
                }
            }
        } catch let failure as EngineFailure {
            throw failure
        } catch is FrameReader.Short {
            throw EngineFailure(.protocolViolation, "\(name) sent a short frame during \(op)")
        } catch let failure as ChildProcess.Failure {
            switch failure {
            case .timedOut: throw EngineFailure(.timeout, "\(name) did not answer \(op) within \(timeout) s")
            case .exited(let how): throw EngineFailure(.crash, "\(name) \(how) during \(op)")
            case .tooLong: throw EngineFailure(.protocolViolation, "\(name) sent too much during \(op)")
            }
        } catch {
            throw EngineFailure(.protocolViolation, "\(name): \(error)")
        }
    }

    private func send(_ body: [UInt8], deadline: Date) throws(ChildProcess.Failure) {
        var frame: [UInt8] = []
        frame.reserveCapacity(body.count + 4)
        for i in 0..<4 { frame.append(UInt8(truncatingIfNeeded: body.count >> (8 * i))) }
        frame.append(contentsOf: body)
        try process.send(bytes: frame, deadline: deadline)
    }

    func stop() { process.stop() }
}
