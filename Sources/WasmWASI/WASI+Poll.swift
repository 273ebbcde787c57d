#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WasmRuntime
import WasmSyntax

/// `poll_oneoff`: waits until a clock subscription expires or a descriptor
/// is ready, then reports every subscription that is done.
extension WASI {
    func definePoll(_ d: inout Definer) {
        d.define("poll_oneoff", [.i32, .i32, .i32, .i32]) { wasi, a in
            let memory = try wasi.guestMemory()
            guard a[2] > 0 else { throw WASIErrno.invalid }
            guard a[2] <= 4096 else { throw WASIErrno.noMemory }
            _ = try memory.slice(a[0], a[2] * 48)
            _ = try memory.slice(a[1], a[2] * 32)
            let events = try wasi.poll(try (0..<a[2]).map { i throws(WASIErrno) in try Subscription(memory, at: a[0] + i * 48) })
            for (i, event) in events.enumerated() {
                try event.store(to: memory, at: a[1] + UInt32(i) * 32)
            }
            try memory.store(UInt32(events.count), at: a[3])
        }
    }

    /// A `$subscription` (48 bytes).
    struct Subscription {
        var userData: UInt64
        var type: UInt8
        var clock: WASIClock?
        var timeout: UInt64 = 0
        var absolute = false
        var fd: UInt32 = 0

        init(_ memory: GuestMemory, at address: UInt32) throws(WASIErrno) {
            userData = try memory.load(address, as: UInt64.self)
            type = try memory.load(address + 8, as: UInt8.self)
            switch type {
            case WASIFlags.eventClock:
                clock = WASIClock(rawValue: try memory.load(address + 16, as: UInt32.self))
                timeout = try memory.load(address + 24, as: UInt64.self)
                absolute = try memory.load(address + 40, as: UInt16.self) & WASIFlags.absoluteTime != 0
            case WASIFlags.eventFdRead, WASIFlags.eventFdWrite:
                fd = try memory.load(address + 16, as: UInt32.self)
            default:
                throw .invalid
            }
        }
    }

    /// An `$event` (32 bytes).
    struct Event {
        var userData: UInt64
        var error: WASIErrno = .success
        var type: UInt8
        var bytes: UInt64 = 0
        var flags: UInt16 = 0

        func store(to memory: GuestMemory, at address: UInt32) throws(WASIErrno) {
            try memory.store(userData, at: address)
            try memory.store(error.rawValue, at: address + 8)
            try memory.store(type, at: address + 10)
            try memory.store(UInt8(0), at: address + 11)
            try memory.store(UInt32(0), at: address + 12)
            try memory.store(bytes, at: address + 16)
            try memory.store(flags, at: address + 24)
            try memory.store(UInt16(0), at: address + 26)
            try memory.store(UInt32(0), at: address + 28)
        }
    }

    func poll(_ subscriptions: [Subscription]) throws(WASIErrno) -> [Event] {
        var events: [Event] = []
        // Descriptors the host must wait on, with the subscription each answers.
        var waits: [(pollfd, Int)] = []
        // When each clock subscription expires, in monotonic nanoseconds.
        var expiries: [(Int, UInt64)] = []
        let start = try now(.monotonic)
        for (i, s) in subscriptions.enumerated() {
            if s.type == WASIFlags.eventClock {
                guard let clock = s.clock else {
                    events.append(Event(userData: s.userData, error: .invalid, type: s.type))
                    continue
                }
                var remaining = s.timeout
                if s.absolute {
                    let current = try now(clock)
                    remaining = s.timeout > current ? s.timeout - current : 0
                }
                expiries.append((i, start &+ remaining))
                continue
            }
            let entry: FileDescriptor
            do {
                entry = try descriptors.get(s.fd)
                try entry.require(.pollFdReadwrite)
            } catch {
                events.append(Event(userData: s.userData, error: error, type: s.type))
                continue
            }
            let reading = s.type == WASIFlags.eventFdRead
            switch entry.backing {
            case .input(let bytes):
                if reading {
                    events.append(Event(userData: s.userData, type: s.type, bytes: UInt64(bytes.count - entry.inputPosition),
                                        flags: bytes.count == entry.inputPosition ? WASIFlags.hangup : 0))
                } else {
                    events.append(Event(userData: s.userData, error: .badFileDescriptor, type: s.type))
                }
            case .output:
                events.append(Event(userData: s.userData, error: reading ? .badFileDescriptor : .success, type: s.type))
            case .host(let fd, _):
                if entry.fileType == .regularFile || entry.fileType == .directory {
                    // Files are always ready; reads report what is left.
                    var bytes: UInt64 = 0
                    if reading {
                        var st = stat()
                        let position = lseek(fd, 0, SEEK_CUR)
                        if fstat(fd, &st) == 0, position >= 0, st.st_size > position { bytes = UInt64(st.st_size - position) }
                    }
                    events.append(Event(userData: s.userData, type: s.type, bytes: bytes))
                } else {
                    waits.append((pollfd(fd: fd, events: Int16(reading ? POLLIN : POLLOUT), revents: 0), i))
                }
            }
        }
        let deadline = expiries.map(\.1).min()
        if !waits.isEmpty {
            var fds = waits.map(\.0)
            var timeout: Int32 = -1
            if !events.isEmpty {
                timeout = 0
            } else if let deadline {
                let current = try now(.monotonic)
                let left = deadline > current ? deadline - current : 0
                timeout = Int32(clamping: (left + 999_999) / 1_000_000)
            }
            let ready = hostPoll(&fds, timeout)
            if ready < 0 && errno != EINTR { throw WASIErrno.last }
            for (k, p) in fds.enumerated() where p.revents != 0 {
                let s = subscriptions[waits[k].1]
                var event = Event(userData: s.userData, type: s.type)
                if p.revents & Int16(POLLNVAL) != 0 { event.error = .badFileDescriptor }
                if p.revents & Int16(POLLHUP) != 0 { event.flags = WASIFlags.hangup }
                if p.revents & Int16(POLLERR) != 0 && p.revents & Int16(POLLHUP) == 0 { event.error = .io }
                if s.type == WASIFlags.eventFdRead, event.error == .success {
                    var available: Int32 = 0
                    if ioctl(p.fd, UInt(FIONREAD), &available) == 0 { event.bytes = UInt64(Swift.max(available, 0)) }
                }
                events.append(event)
            }
        } else if events.isEmpty, let deadline {
            // Only clocks: sleep until the first one expires.
            while true {
                let current = try now(.monotonic)
                if current >= deadline { break }
                let left = deadline - current
                var request = timespec(tv_sec: time_t(left / 1_000_000_000), tv_nsec: Int(left % 1_000_000_000))
                _ = nanosleep(&request, nil)
            }
        }
        let current = try now(.monotonic)
        for (i, end) in expiries where end <= current {
            events.append(Event(userData: subscriptions[i].userData, type: WASIFlags.eventClock))
        }
        return events
    }
}

/// The host's poll(2), named apart from `WASI.poll`.
private func hostPoll(_ fds: inout [pollfd], _ timeout: Int32) -> Int32 {
    fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), timeout) }
}
