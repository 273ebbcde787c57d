#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WasmRuntime
import WasmSyntax

/// Clocks, randomness and the process: `clock_*`, `random_get`,
/// `sched_yield`, `proc_exit`, `proc_raise`.
extension WASI {
    func defineClocks(_ d: inout Definer) {
        d.define("clock_res_get", [.i32, .i32]) { wasi, a in
            guard let clock = WASIClock(rawValue: a[0]) else { throw WASIErrno.invalid }
            var t = timespec()
            guard clock_getres(Self.hostClock(clock), &t) == 0 else { throw WASIErrno.last }
            try wasi.guestMemory().store(Swift.max(HostFile.nanoseconds(t), 1), at: a[1])
        }
        d.define("clock_time_get", [.i32, .i64, .i32]) { wasi, a in
            guard let clock = WASIClock(rawValue: a[0]) else { throw WASIErrno.invalid }
            try wasi.guestMemory().store(try wasi.now(clock), at: a[2])
        }
        d.define("random_get", [.i32, .i32]) { wasi, a in
            let buffer = try wasi.guestMemory().slice(a[0], a[1])
            if let random = wasi.context.random {
                random(buffer)
            } else {
                var generator = SystemRandomNumberGenerator()
                var i = 0
                while i < buffer.count {
                    let word = generator.next()
                    withUnsafeBytes(of: word) { w in
                        for b in w where i < buffer.count {
                            buffer[i] = b
                            i += 1
                        }
                    }
                }
            }
        }
        d.define("sched_yield", []) { _, _ in _ = sched_yield() }
        d.defineNoResult("proc_exit", [.i32]) { wasi, a in
            wasi.exitCode = a[0]
            throw Trap(.host("wasi: proc_exit(\(a[0]))"))
        }
        // Signals are not part of the sandbox: a guest cannot raise one on the host.
        d.define("proc_raise", [.i32]) { _, _ in throw WASIErrno.notSupported }
    }

    /// The time of a clock in nanoseconds, from the context's source if any.
    func now(_ clock: WASIClock) throws(WASIErrno) -> UInt64 {
        if let source = context.clock { return source(clock) }
        var t = timespec()
        guard clock_gettime(Self.hostClock(clock), &t) == 0 else { throw WASIErrno.last }
        return HostFile.nanoseconds(t)
    }

    static func hostClock(_ clock: WASIClock) -> clockid_t {
        switch clock {
        case .realtime: return CLOCK_REALTIME
        case .monotonic: return CLOCK_MONOTONIC
        case .processCPUTime: return CLOCK_PROCESS_CPUTIME_ID
        case .threadCPUTime: return CLOCK_THREAD_CPUTIME_ID
        }
    }
}
