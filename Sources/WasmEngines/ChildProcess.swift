import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process whose stdin and stdout are pipes to us, talked to in
/// lines with deadlines: the transport of `ProcessEngine`. Spawned with
/// posix_spawn and close-on-exec pipes, so that children of parallel
/// fuzzing jobs never inherit each other's pipe ends (which would hide a
/// child's death).
final class ChildProcess {
    enum Failure: Error {
        /// The child closed its output or died; the text says how.
        case exited(String)
        case timedOut
        case tooLong
    }

    let pid: pid_t
    private var input: Int32
    private var output: Int32
    private var buffer: [UInt8] = []
    private var scanned = 0
    /// Where the child's stderr goes, for crash reports.
    let stderrPath: String
    private var reaped = false

    private nonisolated(unsafe) static var ignoringSIGPIPE = false
    private static let setupLock = NSLock()

    init(command: [String]) throws(EngineFailure) {
        guard let program = command.first else { throw EngineFailure(.unavailable, "empty engine command") }
        // Pipes and spawn under one lock: another job's spawn must not
        // inherit these pipe ends before they are marked close-on-exec.
        Self.setupLock.lock()
        defer { Self.setupLock.unlock() }
        if !Self.ignoringSIGPIPE {
            // A write to a dead child must fail with EPIPE, not kill us.
            signal(SIGPIPE, SIG_IGN)
            Self.ignoringSIGPIPE = true
        }

        var toChild: [Int32] = [0, 0]
        var fromChild: [Int32] = [0, 0]
        guard pipe(&toChild) == 0 else { throw EngineFailure(.unavailable, "pipe: \(String(cString: strerror(errno)))") }
        guard pipe(&fromChild) == 0 else {
            close(toChild[0]); close(toChild[1])
            throw EngineFailure(.unavailable, "pipe: \(String(cString: strerror(errno)))")
        }
        for fd in toChild + fromChild { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        stderrPath = NSTemporaryDirectory() + "wasmcheck-engine-\(getpid())-\(UUID().uuidString.prefix(8)).log"

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) }
        argv.append(nil)
        defer { for p in argv { free(p) } }
        var child: pid_t = 0
        let status = posix_spawnp(&child, program, &actions, nil, argv, environ)
        close(toChild[0])
        close(fromChild[1])
        guard status == 0 else {
            close(toChild[1]); close(fromChild[0])
            throw EngineFailure(.unavailable, "cannot start \(program): \(String(cString: strerror(status)))")
        }
        pid = child
        input = toChild[1]
        output = fromChild[0]
        _ = fcntl(input, F_SETFL, fcntl(input, F_GETFL) | O_NONBLOCK)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: stderrPath)
    }

    /// Ends the child (politely if it is still reading: closing its stdin
    /// is `quit`; then SIGKILL) and reaps it.
    func stop() {
        if input >= 0 { close(input); input = -1 }
        if output >= 0 { close(output); output = -1 }
        guard !reaped else { return }
        var status: Int32 = 0
        for _ in 0..<20 {
            if waitpid(pid, &status, WNOHANG) == pid { reaped = true; return }
            usleep(1_000)
        }
        _ = kill(pid, SIGKILL)
        _ = waitpid(pid, &status, 0)
        reaped = true
    }

    /// Writes `line` and a newline, within `deadline`.
    func send(_ line: String, deadline: Date) throws(Failure) {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        try send(bytes: bytes, deadline: deadline)
    }

    /// Writes `bytes`, within `deadline`.
    func send(bytes: [UInt8], deadline: Date) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            guard input >= 0 else { throw .exited(exitDescription()) }
            var fd = pollfd(fd: input, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&fd, 1, Self.milliseconds(until: deadline))
            if ready == 0 { throw .timedOut }
            if ready < 0 { if errno == EINTR { continue }; throw .exited(exitDescription()) }
            let n = bytes.withUnsafeBytes { write(input, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                throw .exited(exitDescription())
            }
            offset += n
        }
    }

    /// Reads exactly `count` bytes, within `deadline` (the binary frames
    /// of the agent protocol).
    func receive(exactly count: Int, deadline: Date) throws(Failure) -> [UInt8] {
        while buffer.count < count {
            try fill(deadline: deadline)
        }
        let bytes = Array(buffer[..<count])
        buffer.removeSubrange(..<count)
        scanned = 0
        return bytes
    }

    /// Reads the next line (without its newline), within `deadline`.
    func receive(deadline: Date, maxBytes: Int) throws(Failure) -> String {
        while true {
            if let newline = buffer[scanned...].firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                scanned = 0
                return line
            }
            scanned = buffer.count
            guard buffer.count <= maxBytes else { throw .tooLong }
            try fill(deadline: deadline)
        }
    }

    /// Appends what the child has written next to `buffer`, waiting for it
    /// until `deadline`.
    private func fill(deadline: Date) throws(Failure) {
        while true {
            guard output >= 0 else { throw .exited(exitDescription()) }
            var fd = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
            let ready = poll(&fd, 1, Self.milliseconds(until: deadline))
            if ready == 0 { throw .timedOut }
            if ready < 0 { if errno == EINTR { continue }; throw .exited(exitDescription()) }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let n = chunk.withUnsafeMutableBytes { read(output, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                throw .exited(exitDescription())
            }
            if n == 0 { throw .exited(exitDescription()) }
            buffer.append(contentsOf: chunk[..<n])
            return
        }
    }

    /// How the child ended (waiting a little for it to finish dying), with
    /// the end of its stderr.
    func exitDescription() -> String {
        var status: Int32 = 0
        var how = "closed its output"
        if !reaped {
            for _ in 0..<200 {
                if waitpid(pid, &status, WNOHANG) == pid {
                    reaped = true
                    let signal = status & 0x7F
                    how = signal == 0 ? "exited with status \((status >> 8) & 0xFF)" : "killed by signal \(signal)"
                    break
                }
                usleep(5_000)
            }
        }
        let tail = stderrTail()
        return tail.isEmpty ? how : "\(how); stderr: \(tail)"
    }

    /// What the child wrote to stderr, in short: the first line that looks
    /// like the cause (a fatal error, panic or failed assertion; crash
    /// reporters print pages after it), else the last lines.
    func stderrTail(maxBytes: Int = 16_384) -> String {
        guard let data = FileManager.default.contents(atPath: stderrPath), !data.isEmpty else { return "" }
        let lines = String(decoding: data.suffix(maxBytes), as: UTF8.self).split(separator: "\n").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        let markers = ["Fatal error", "fatal error", "Program crashed", "panicked", "Assertion", "assertion", "error:", "Error:", "Traceback"]
        if let cause = lines.first(where: { line in markers.contains { line.contains($0) } }) {
            return String(cause.trimmingCharacters(in: CharacterSet(charactersIn: "* ")).prefix(300))
        }
        return String(lines.suffix(3).joined(separator: " | ").suffix(300))
    }

    private static func milliseconds(until deadline: Date) -> Int32 {
        let ms = deadline.timeIntervalSinceNow * 1000
        return ms <= 0 ? 0 : Int32(Swift.min(ms.rounded(.up), Double(Int32.max)))
    }
}
