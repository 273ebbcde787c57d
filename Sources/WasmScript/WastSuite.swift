import Dispatch
import Foundation

/// Runs many scripts: collects `.wast` files from paths and runs them in
/// parallel, each with its own engine and store.
public enum WastSuite {
    /// The `.wast` files named by `paths`: files as given, folders searched
    /// recursively, in a stable (sorted) order.
    public static func collect(_ paths: [String]) -> [String] {
        var files: [String] = []
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                files.append(path)  // reported as unreadable by the runner
                continue
            }
            if !isDirectory.boolValue {
                files.append(path)
                continue
            }
            let base = URL(fileURLWithPath: path).resolvingSymlinksInPath()
            guard let walker = fm.enumerator(at: base, includingPropertiesForKeys: nil) else { continue }
            var found: [String] = []
            for case let url as URL in walker where url.pathExtension == "wast" {
                let relative = url.path.replacingOccurrences(of: base.path + "/", with: "")
                found.append((path as NSString).appendingPathComponent(relative))
            }
            files += found.sorted()
        }
        return files
    }

    /// Runs `files` with up to `jobs` in parallel; `progress` is called (from
    /// any thread, serialised) after each file. Reports come back in the
    /// order of `files`. Each thread makes one engine and reconfigures it
    /// (a fresh store) for every script, so an engine in another process
    /// is started once per thread, not once per script.
    public static func run(_ files: [String], runner: WastRunner, jobs: Int, progress: (@Sendable (Int, FileReport) -> Void)? = nil) -> [FileReport] {
        let reports = ReportCollector(count: files.count)
        let next = Counter()
        let group = DispatchGroup()
        let workers = max(1, min(jobs, files.count))
        for _ in 0..<workers {
            // Threads with a large stack: deep wasm recursion in the interpreter
            // does not use the native stack, but the text parser and decoder
            // recurse on nested structure.
            let thread = Thread {
                let engine = runner.makeEngine()
                while let index = next.take(below: files.count) {
                    let report = runner.run(path: files[index], on: engine)
                    let done = reports.store(report, at: index)
                    progress?(done, report)
                }
                group.leave()
            }
            thread.stackSize = 64 << 20
            group.enter()
            thread.start()
        }
        group.wait()
        return reports.all
    }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func take(below limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard value < limit else { return nil }
        value += 1
        return value - 1
    }
}

private final class ReportCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var reports: [FileReport?]
    private var done = 0

    init(count: Int) { reports = Array(repeating: nil, count: count) }

    func store(_ report: FileReport, at index: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        reports[index] = report
        done += 1
        return done
    }

    var all: [FileReport] {
        lock.lock()
        defer { lock.unlock() }
        return reports.map { $0 ?? FileReport(path: "?", error: "not run") }
    }
}
