#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The directory entry a guest path names, beneath the directory it was
/// resolved in: operations act on it with the host's `*at` calls relative
/// to `parent`, never on a host path string.
struct PathTarget {
    /// A host directory descriptor beneath (or equal to) the base directory.
    let parent: Int32
    /// One path component, with no `/`: "." when the path names `parent` itself.
    let name: String
    /// The guest path ended in `/`: the entry must be a directory.
    let trailingSlash: Bool

    /// The name for host calls that act on the directory entry itself and
    /// never follow a final symlink (unlink, rmdir, mkdir, rename, symlink,
    /// link's new name): the slash is kept so the host applies its own
    /// trailing-slash rules.
    var entryName: String { trailingSlash && name != "." ? name + "/" : name }
}

/// How the last component of a path is treated.
enum FinalComponent {
    /// Symbolic links are followed (`$lookupflags.symlink_follow`).
    case follow
    /// A symbolic link is the entry operated on; with a trailing slash it
    /// is followed all the same, as POSIX resolves `link/`.
    case noFollow
    /// The operation creates, removes or renames the entry itself; the host
    /// never follows the final component for these, so it is left alone.
    case entry
}

/// Resolves guest paths beneath a directory descriptor, capability style:
/// component by component, each directory opened with `openat(O_NOFOLLOW)`
/// relative to the one before, and every symbolic link read with
/// `readlinkat` and expanded here, so its target is resolved by the same
/// rules. Nothing ever leaves the base directory:
/// - an absolute path, or a symlink to an absolute path, is `EPERM`;
/// - `..` at the base is `EPERM` (`..` pops a directory this walk
///   opened, it is never handed to the host);
/// (`EPERM`, not `ENOTCAPABLE`, as wasmtime: cap-std's escape error is a
/// `PermissionDenied`, which wasmtime-wasi maps to `NotPermitted`, errno
/// `perm`; its own tests, p1_interesting_paths.rs, expect `ERRNO_PERM`);
/// - more than `maxExpansions` links is `ELOOP`.
/// Host path strings are never compared: there is no prefix check to fool.
enum PathResolution {
    static let maxExpansions = 40
    static let maxPathLength = 4096

    @discardableResult
    static func resolve<R>(in base: Int32, _ path: String, final: FinalComponent,
                           _ body: (PathTarget) throws(WASIErrno) -> R) throws(WASIErrno) -> R {
        guard !path.isEmpty else { throw .noEntry }
        guard path.utf8.count <= maxPathLength else { throw .nameTooLong }
        guard !path.hasPrefix("/") else { throw .permission }
        // Directories opened by the walk, innermost last; closed on return.
        var opened: [Int32] = []
        defer { for fd in opened { close(fd) } }
        // Components still to walk, the next one last.
        var pending = components(path)
        var trailingSlash = path.hasSuffix("/")
        var expansions = 0

        func expand(_ target: String, isLast: Bool) throws(WASIErrno) {
            expansions += 1
            guard expansions <= maxExpansions else { throw .loop }
            guard !target.isEmpty else { throw .noEntry }
            guard !target.hasPrefix("/") else { throw .permission }
            pending += components(target)
            if isLast { trailingSlash = trailingSlash || target.hasSuffix("/") }
        }

        while let component = pending.popLast() {
            let current = opened.last ?? base
            let isLast = pending.isEmpty
            if component == "." {
                if isLast { return try body(PathTarget(parent: current, name: ".", trailingSlash: trailingSlash)) }
                continue
            }
            if component == ".." {
                guard let innermost = opened.popLast() else { throw .permission }
                close(innermost)
                if isLast { return try body(PathTarget(parent: opened.last ?? base, name: ".", trailingSlash: trailingSlash)) }
                continue
            }
            let name = String(component)
            if isLast {
                let follows = final == .follow || (final == .noFollow && trailingSlash)
                if follows, let target = try readLink(current, name) {
                    try expand(target, isLast: true)
                    continue
                }
                return try body(PathTarget(parent: current, name: name, trailingSlash: trailingSlash))
            }
            let fd = openDirectory(current, name)
            if fd >= 0 {
                opened.append(fd)
                continue
            }
            let error = errno
            if error == ELOOP || error == ENOTDIR || error == EMLINK, let target = try readLink(current, name) {
                try expand(target, isLast: false)
                continue
            }
            throw WASIErrno(hostErrno: error)
        }
        // Only reached for a path of slashes and dots that ends in "..":
        // handled above; anything else names the base itself.
        return try body(PathTarget(parent: opened.last ?? base, name: ".", trailingSlash: trailingSlash))
    }

    /// The components of a path, reversed (the first one last), without
    /// empty ones (`a//b` is `a/b`).
    private static func components(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true).reversed()
    }

    /// Opens an intermediate directory without following a symlink.
    private static func openDirectory(_ parent: Int32, _ name: String) -> Int32 {
        #if os(Linux)
        let flags = HostConstants.openPath | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
        #else
        let flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
        #endif
        while true {
            let fd = openat(parent, name, flags)
            if fd < 0 && errno == EINTR { continue }
            return fd
        }
    }

    /// The target of `name` if it is a symbolic link; nil if it is not one
    /// or does not exist (the operation then reports that itself).
    static func readLink(_ parent: Int32, _ name: String) throws(WASIErrno) -> String? {
        var buffer = [UInt8](repeating: 0, count: maxPathLength + 1)
        let count = buffer.withUnsafeMutableBytes { readlinkat(parent, name, $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count) }
        if count < 0 {
            if errno == EINVAL || errno == ENOENT || errno == ENOTDIR { return nil }
            throw WASIErrno.last
        }
        guard count <= maxPathLength else { throw .nameTooLong }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }
}
