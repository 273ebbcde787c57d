import Foundation

/// A script to run: where it is, and its name within its suite, which
/// reports and baselines key on (see `FileReport.name`).
public struct SuiteFile: Hashable, Sendable {
    public var path: String
    public var name: String

    public init(path: String, name: String) {
        self.path = path
        self.name = name
    }

    /// The feature group of the script (`FeatureGroup.rules`).
    public var group: FeatureGroup { FeatureGroup.of(name) }

    /// The name of the script at `relative` below the folder `root` (or of
    /// the file `root` itself when `relative` is empty): the path below the
    /// root, keeping the suite's own sub-folders that say what a script is
    /// (`proposals/<name>/...`, `legacy/`, `custom/`) even when the run
    /// starts inside one of them, so that a script has the same name and
    /// group however it was selected.
    static func name(root: String, relative: String) -> String {
        var components = root.split(separator: "/").map(String.init).filter { $0 != "." }
        components += relative.split(separator: "/").map(String.init)
        let fileCount = relative.isEmpty ? 1 : relative.split(separator: "/").count
        var start = max(0, components.count - fileCount)
        if let proposals = components.lastIndex(of: "proposals"), proposals < components.count - 1 {
            start = min(start, proposals)
        } else if start > 0, ["legacy", "custom"].contains(components[start - 1]) {
            start -= 1
        }
        return components[start...].joined(separator: "/")
    }
}

extension WastSuite {
    /// The `.wast` files named by `paths` (files as given, folders searched
    /// recursively) with their suite names, in the order `collect` gives.
    public static func collectFiles(_ paths: [String]) -> [SuiteFile] {
        var files: [SuiteFile] = []
        for root in paths {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory)
            for path in collect([root]) {
                if exists && isDirectory.boolValue {
                    let prefix = root.hasSuffix("/") ? root : root + "/"
                    let relative = path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
                    files.append(SuiteFile(path: path, name: SuiteFile.name(root: root, relative: relative)))
                } else {
                    files.append(SuiteFile(path: path, name: SuiteFile.name(root: path, relative: "")))
                }
            }
        }
        return files
    }

    /// Runs `files` like `run(_:runner:jobs:progress:)`, naming each report
    /// after its suite name.
    public static func run(_ files: [SuiteFile], runner: WastRunner, jobs: Int, progress: (@Sendable (Int, FileReport) -> Void)? = nil) -> [FileReport] {
        let names = files.map(\.name)
        var reports = run(files.map(\.path), runner: runner, jobs: jobs) { done, report in
            progress?(done, report)
        }
        for index in reports.indices where index < names.count {
            reports[index].name = names[index]
        }
        return reports
    }
}
