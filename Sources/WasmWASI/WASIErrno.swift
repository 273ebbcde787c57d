#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The error numbers of `wasi_snapshot_preview1` (witx `$errno`), in the
/// WASI numbering, which is not the host's: a host errno is always mapped
/// through `init(hostErrno:)` before a guest sees it.
public enum WASIErrno: UInt16, Error, Sendable {
    case success = 0, tooBig, access, addressInUse, addressNotAvailable, addressFamilyNotSupported
    case again, already, badFileDescriptor, badMessage, busy, canceled, child
    case connectionAborted, connectionRefused, connectionReset, deadlock, destinationAddressRequired
    case domain, quota, exist, fault, fileTooBig, hostUnreachable, identifierRemoved
    case illegalSequence, inProgress, interrupted, invalid, io, isConnected, isDirectory
    case loop, tooManyFiles, tooManyLinks, messageSize, multihop, nameTooLong
    case networkDown, networkReset, networkUnreachable, tooManyFilesInSystem, noBufferSpace
    case noDevice, noEntry, noExec, noLock, noLink, noMemory, noMessage, noProtocolOption
    case noSpace, noSystem, notConnected, notDirectory, notEmpty, notRecoverable, notSocket
    case notSupported, notTTY, noSuchDevice, overflow, ownerDead, permission, pipe
    case proto, protocolNotSupported, protocolType, range, readOnlyFileSystem, invalidSeek
    case noSuchProcess, stale, timedOut, textBusy, crossDevice
    /// The descriptor's rights do not allow the operation. (A sandbox escape
    /// attempt gets `permission`, EPERM, as in wasmtime.)
    case notCapable = 76

    /// Maps a host `errno` to its WASI counterpart; anything unknown is `io`.
    public init(hostErrno code: Int32) {
        switch code {
        case E2BIG: self = .tooBig
        case EACCES: self = .access
        case EADDRINUSE: self = .addressInUse
        case EADDRNOTAVAIL: self = .addressNotAvailable
        case EAFNOSUPPORT: self = .addressFamilyNotSupported
        case EAGAIN: self = .again
        case EALREADY: self = .already
        case EBADF: self = .badFileDescriptor
        case EBADMSG: self = .badMessage
        case EBUSY: self = .busy
        case ECANCELED: self = .canceled
        case ECHILD: self = .child
        case ECONNABORTED: self = .connectionAborted
        case ECONNREFUSED: self = .connectionRefused
        case ECONNRESET: self = .connectionReset
        case EDEADLK: self = .deadlock
        case EDESTADDRREQ: self = .destinationAddressRequired
        case EDOM: self = .domain
        case EDQUOT: self = .quota
        case EEXIST: self = .exist
        case EFAULT: self = .fault
        case EFBIG: self = .fileTooBig
        case EHOSTUNREACH: self = .hostUnreachable
        case EIDRM: self = .identifierRemoved
        case EILSEQ: self = .illegalSequence
        case EINPROGRESS: self = .inProgress
        case EINTR: self = .interrupted
        case EINVAL: self = .invalid
        case EIO: self = .io
        case EISCONN: self = .isConnected
        case EISDIR: self = .isDirectory
        case ELOOP: self = .loop
        case EMFILE: self = .tooManyFiles
        case EMLINK: self = .tooManyLinks
        case EMSGSIZE: self = .messageSize
        case EMULTIHOP: self = .multihop
        case ENAMETOOLONG: self = .nameTooLong
        case ENETDOWN: self = .networkDown
        case ENETRESET: self = .networkReset
        case ENETUNREACH: self = .networkUnreachable
        case ENFILE: self = .tooManyFilesInSystem
        case ENOBUFS: self = .noBufferSpace
        case ENODEV: self = .noDevice
        case ENOENT: self = .noEntry
        case ENOEXEC: self = .noExec
        case ENOLCK: self = .noLock
        case ENOLINK: self = .noLink
        case ENOMEM: self = .noMemory
        case ENOMSG: self = .noMessage
        case ENOPROTOOPT: self = .noProtocolOption
        case ENOSPC: self = .noSpace
        case ENOSYS: self = .noSystem
        case ENOTCONN: self = .notConnected
        case ENOTDIR: self = .notDirectory
        case ENOTEMPTY: self = .notEmpty
        case ENOTRECOVERABLE: self = .notRecoverable
        case ENOTSOCK: self = .notSocket
        case ENOTSUP: self = .notSupported
        case ENOTTY: self = .notTTY
        case ENXIO: self = .noSuchDevice
        case EOVERFLOW: self = .overflow
        case EOWNERDEAD: self = .ownerDead
        case EPERM: self = .permission
        case EPIPE: self = .pipe
        case EPROTO: self = .proto
        case EPROTONOSUPPORT: self = .protocolNotSupported
        case EPROTOTYPE: self = .protocolType
        case ERANGE: self = .range
        case EROFS: self = .readOnlyFileSystem
        case ESPIPE: self = .invalidSeek
        case ESRCH: self = .noSuchProcess
        case ESTALE: self = .stale
        case ETIMEDOUT: self = .timedOut
        case ETXTBSY: self = .textBusy
        case EXDEV: self = .crossDevice
        default: self = .io
        }
    }

    /// The error of the last failed host call.
    static var last: WASIErrno { WASIErrno(hostErrno: errno) }
}
