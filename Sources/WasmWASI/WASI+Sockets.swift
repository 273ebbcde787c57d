import WasmSyntax

/// `sock_*`: WASI preview 1 cannot create sockets, and this runtime hands
/// none to the guest (no `--tcplisten`), so no descriptor is ever a
/// socket: an open descriptor is `ENOTSOCK`, anything else `EBADF`.
extension WASI {
    func defineSockets(_ d: inout Definer) {
        d.define("sock_accept", [.i32, .i32, .i32]) { wasi, a in try wasi.notASocket(a[0]) }
        d.define("sock_recv", [.i32, .i32, .i32, .i32, .i32, .i32]) { wasi, a in try wasi.notASocket(a[0]) }
        d.define("sock_send", [.i32, .i32, .i32, .i32, .i32]) { wasi, a in try wasi.notASocket(a[0]) }
        d.define("sock_shutdown", [.i32, .i32]) { wasi, a in try wasi.notASocket(a[0]) }
    }

    private func notASocket(_ fd: UInt32) throws(WASIErrno) {
        _ = try descriptors.get(fd)
        throw .notSocket
    }
}
