#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the user sees when an in-process tier brings the fuzzer down.
///
/// The case is already safe on disk (each job writes it to
/// `<findings>/in-flight/` before running it), so the handler only says
/// where it is and how to go on, then hands the signal to whatever handled
/// it before (Swift's backtracer, or the default action: the process still
/// dies of its signal). It writes one prepared buffer with `write(2)`, the
/// only async-signal-safe thing it does.
enum FatalSignalNotice {
    nonisolated(unsafe) private static var text: UnsafeMutablePointer<UInt8>?
    nonisolated(unsafe) private static var length = 0
    nonisolated(unsafe) private static var previous: [Int32: sigaction] = [:]
    private static let signals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP]

    /// Installs the notice for the fatal signals (once per process; a later
    /// call replaces the text).
    static func install(_ message: String) {
        let bytes = Array(message.utf8)
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: bytes.count)
        buffer.initialize(from: bytes, count: bytes.count)
        let installed = text != nil
        text = buffer
        length = bytes.count
        guard !installed else { return }
        for signal in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = fatalSignalHandler
            sigemptyset(&action.sa_mask)
            var old = sigaction()
            if sigaction(signal, &action, &old) == 0 { previous[signal] = old }
        }
    }

    fileprivate static func report(_ signal: Int32) {
        if let text { _ = write(2, text, length) }
        if var old = previous[signal] {
            sigaction(signal, &old, nil)
        } else {
            Glibc.signal(signal, SIG_DFL)
        }
        // Blocked while this handler runs: delivered to the restored
        // handler when it returns (a fault would recur anyway).
        raise(signal)
    }
}

private let fatalSignalHandler: @convention(c) (Int32) -> Void = { signal in
    FatalSignalNotice.report(signal)
}
