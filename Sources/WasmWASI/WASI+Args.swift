import WasmSyntax

/// `args_*` and `environ_*`: NUL-terminated strings in one buffer, and an
/// array of pointers into it, sized first by the `*_sizes_get` twin.
extension WASI {
    func defineArguments(_ d: inout Definer) {
        d.define("args_sizes_get", [.i32, .i32]) { wasi, a in
            try wasi.storeSizes(wasi.context.arguments, countAt: a[0], sizeAt: a[1])
        }
        d.define("args_get", [.i32, .i32]) { wasi, a in
            try wasi.storeStrings(wasi.context.arguments, pointersAt: a[0], bufferAt: a[1])
        }
        d.define("environ_sizes_get", [.i32, .i32]) { wasi, a in
            try wasi.storeSizes(wasi.environmentStrings, countAt: a[0], sizeAt: a[1])
        }
        d.define("environ_get", [.i32, .i32]) { wasi, a in
            try wasi.storeStrings(wasi.environmentStrings, pointersAt: a[0], bufferAt: a[1])
        }
    }

    var environmentStrings: [String] { context.environment.map { "\($0.name)=\($0.value)" } }

    private func storeSizes(_ strings: [String], countAt: UInt32, sizeAt: UInt32) throws {
        let memory = try guestMemory()
        try memory.store(UInt32(strings.count), at: countAt)
        try memory.store(UInt32(strings.reduce(0) { $0 + $1.utf8.count + 1 }), at: sizeAt)
    }

    private func storeStrings(_ strings: [String], pointersAt: UInt32, bufferAt: UInt32) throws {
        let memory = try guestMemory()
        var offset = bufferAt
        for (i, string) in strings.enumerated() {
            try memory.store(offset, at: pointersAt &+ UInt32(i) * 4)
            let bytes = Array(string.utf8) + [0]
            try memory.copy(bytes, to: offset)
            offset &+= UInt32(bytes.count)
        }
    }
}
