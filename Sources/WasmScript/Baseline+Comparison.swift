/// A run compared with a baseline: what regressed, what improved.
public struct BaselineComparison: Sendable {
    /// A directive of this run whose outcome differs from what the
    /// baseline lists.
    public struct Change: Sendable, CustomStringConvertible {
        public var key: Baseline.Key
        /// The script's path in this run.
        public var path: String
        /// What the baseline lists: `.fail`, `.skip`, or nil for a
        /// directive it does not list, which passed or is new.
        public var before: Baseline.State?
        /// Whether the baseline knows the script (if not, the directive is
        /// new).
        public var scriptInBaseline: Bool
        public var after: Baseline.State
        /// This run's result, with the expected and actual values.
        public var result: DirectiveResult

        /// `path:line: directive (pass or new -> fail): reason`
        public var description: String {
            let location = "\(path):\(key.line): \(key.directive)" + (key.occurrence > 1 ? " #\(key.occurrence)" : "")
            let from = before?.rawValue ?? (scriptInBaseline ? "pass or new" : "new")
            let why = result.outcome.reason.map { ": \($0)" } ?? ""
            return "\(location) (\(from) -> \(after.rawValue))\(why)"
        }
    }

    /// A script with fewer directives that can have passed in the baseline
    /// and pass now than the baseline's count, beyond those that fail now:
    /// passing directives were lost to the skip list or no longer run.
    public struct PassCountDrop: Sendable, Equatable, CustomStringConvertible {
        /// The script's name in the baseline, and its path in this run.
        public var name: String
        public var path: String
        /// Directives that passed in the baseline.
        public var baselinePassed: Int
        /// Directives that pass now, improvements included.
        public var passedNow: Int
        /// Of `passedNow`, those the baseline lists as failed or skipped.
        public var improvements: Int
        /// Directives that fail now and are not listed (regressions, named
        /// on their own): each may be one that passed.
        public var newFailures: Int

        /// Passing directives of the baseline that are now neither passing
        /// nor failing: skipped, or gone.
        public var lost: Int { baselinePassed - (passedNow - improvements) - newFailures }

        /// `path: 4 directives passed in the baseline, 1 passes now: 3 ...`
        public var description: String {
            var text = "\(path): \(baselinePassed) directives passed in the baseline, \(passedNow) pass now"
            if improvements > 0 { text += " (\(improvements) of them listed as failed or skipped)" }
            if newFailures > 0 { text += ", \(newFailures) fail (above)" }
            return text + ": \(lost) that passed are skipped or no longer run"
        }
    }

    /// Directives that fail now and are not listed as failed in the
    /// baseline: they passed, were skipped, or are new. Any of them fails
    /// the gate.
    public var regressions: [Change] = []
    /// Scripts that lost passing directives (skipped now, or gone from the
    /// run). Any of them fails the gate.
    public var passCountDrops: [PassCountDrop] = []
    /// Listed as failed or skipped in the baseline; passes now.
    public var improvements: [Change] = []
    /// Skipped now, not listed as failed or skipped: they passed or are
    /// new. A skip alone is not a regression (it is a reviewed decision
    /// with a reason), but one that costs a script a passing directive
    /// shows up in `passCountDrops`.
    public var newlySkipped: [Change] = []
    /// Scripts of this run that the baseline does not know (a new script,
    /// a new pin), by path.
    public var newScripts: [String] = []
    /// Scripts of the baseline that this run did not include (another shard,
    /// another feature group); not compared.
    public var notRun: [String] = []
    /// Scripts compared.
    public var comparedFiles = 0

    /// A script of the baseline that a run that must be whole did not
    /// report, with how many of its directives passed in the baseline.
    public struct MissingScript: Sendable, Equatable {
        public var name: String
        public var passing: Int
    }

    /// With `requireAll`: scripts of `notRun` that had passing directives.
    /// Any of them fails the gate.
    public var missingScripts: [MissingScript] = []

    /// The gate: true when no directive fails that the baseline does not
    /// list as failing, no script passes fewer directives than the baseline
    /// records, and (for a run that must be whole) no script is missing.
    public var passed: Bool { regressions.isEmpty && passCountDrops.isEmpty && missingScripts.isEmpty }

    /// A report for people: every regression with its expected and actual
    /// values, the scripts that lost passing directives, then improvements
    /// and other changes, then a one-line verdict.
    public func summary(baselinePath: String, maxImprovements: Int = .max) -> String {
        var lines: [String] = []
        for change in regressions {
            lines.append("REGRESSION \(change)")
            if let e = change.result.expected { lines.append("    expected: \(e)") }
            if let a = change.result.actual { lines.append("    actual:   \(a)") }
        }
        for drop in passCountDrops { lines.append("REGRESSION \(drop)") }
        for script in missingScripts {
            lines.append("MISSING    \(script.name): not in the reports; \(script.passing) directives passed in the baseline")
        }
        for change in improvements.prefix(maxImprovements) { lines.append("improved   \(change)") }
        if improvements.count > maxImprovements { lines.append("improved   ... and \(improvements.count - maxImprovements) more") }
        for change in newlySkipped { lines.append("skipped    \(change)") }
        for path in newScripts { lines.append("new        \(path): not in the baseline") }
        var verdict = "baseline \(baselinePath): \(passed ? "passed" : "FAILED"), \(comparedFiles) scripts compared, \(regressions.count) regressions, \(improvements.count) improvements"
        if !passCountDrops.isEmpty { verdict += ", \(passCountDrops.count) scripts lost passing directives" }
        if !missingScripts.isEmpty { verdict += ", \(missingScripts.count) scripts missing" }
        if !newlySkipped.isEmpty { verdict += ", \(newlySkipped.count) newly skipped" }
        if !newScripts.isEmpty { verdict += ", \(newScripts.count) scripts not in the baseline" }
        if !notRun.isEmpty { verdict += ", \(notRun.count) baseline scripts not in this run" }
        if !improvements.isEmpty && passed { verdict += "; raise the baseline with --update-baseline" }
        lines.append(verdict)
        return lines.joined(separator: "\n")
    }
}

extension Baseline {
    /// The baseline's name of a script of this run: its suite name when the
    /// baseline knows it, otherwise the longest tail of its path that the
    /// baseline knows (so a run of `wasm-3.0/legacy` still finds
    /// `legacy/throw.wast`), otherwise nil (a script the baseline lacks).
    func baselineName(of file: FileReport, known: Set<String>) -> String? {
        if known.contains(file.name) { return file.name }
        let parts = file.path.split(separator: "/").map(String.init).filter { $0 != "." }
        for start in parts.indices {
            let candidate = parts[start...].joined(separator: "/")
            if known.contains(candidate) { return candidate }
        }
        return nil
    }

    /// Compares a run's scripts with the baseline. A directive that fails
    /// now and is not listed as failed is a regression. Within a script
    /// that ran, every directive that passes now and is not listed can only
    /// be one that passed before or a new one; if there are fewer of them
    /// than the baseline's count, even counting each new failure as a lost
    /// pass, passing directives were skipped or no longer run, and the
    /// script is a `passCountDrop`. Scripts the run did not include are
    /// listed in `notRun`; with `requireAll` (a merged run, which must be
    /// whole), those with passing directives are `missingScripts` and fail
    /// the gate.
    public func compare(_ files: [FileReport], requireAll: Bool = false) -> BaselineComparison {
        var comparison = BaselineComparison()
        let known = self.files
        var compared = Set<String>()
        for file in files {
            let name = baselineName(of: file, known: known)
            let stored = name.flatMap { scripts[$0] }
            if let name { compared.insert(name) } else { comparison.newScripts.append(file.path) }
            comparison.comparedFiles += 1
            var passedNow = 0, improvements = 0, newFailures = 0
            for (key, result) in Self.entries(of: file, as: name ?? file.name) {
                let before = stored?.state(of: key)
                let after = State(result.outcome)
                let change = BaselineComparison.Change(key: key, path: file.path, before: before, scriptInBaseline: stored != nil,
                                                       after: after, result: result)
                // `state(of:)` lists failures and skips only; a `.pass` is
                // the same as not listed.
                switch (before, after) {
                case (nil, .pass), (.pass?, .pass):
                    passedNow += 1
                case (.fail?, .pass), (.skip?, .pass):
                    passedNow += 1
                    improvements += 1
                    comparison.improvements.append(change)
                case (nil, .fail), (.pass?, .fail):
                    newFailures += 1
                    comparison.regressions.append(change)
                case (.skip?, .fail):
                    comparison.regressions.append(change)
                case (nil, .skip), (.pass?, .skip):
                    comparison.newlySkipped.append(change)
                case (.fail?, .fail), (.fail?, .skip), (.skip?, .skip):
                    break
                }
            }
            if let name, let stored {
                let drop = BaselineComparison.PassCountDrop(name: name, path: file.path, baselinePassed: stored.passed,
                                                            passedNow: passedNow, improvements: improvements, newFailures: newFailures)
                if drop.lost > 0 { comparison.passCountDrops.append(drop) }
            }
        }
        comparison.notRun = Set(scripts.keys).subtracting(compared).sorted()
        if requireAll {
            for name in comparison.notRun {
                let passing = scripts[name]?.passed ?? 0
                if passing > 0 { comparison.missingScripts.append(.init(name: name, passing: passing)) }
            }
        }
        let order: (BaselineComparison.Change, BaselineComparison.Change) -> Bool = { ($0.path, $0.key) < ($1.path, $1.key) }
        comparison.regressions.sort(by: order)
        comparison.improvements.sort(by: order)
        comparison.newlySkipped.sort(by: order)
        comparison.passCountDrops.sort { $0.path < $1.path }
        comparison.newScripts.sort()
        return comparison
    }

    /// The baseline with this run's outcomes for the scripts the run
    /// included; the records of other scripts (other shards, other feature
    /// groups) are kept.
    public func updated(with files: [FileReport]) -> Baseline {
        var baseline = self
        let known = self.files
        for file in files {
            let name = baselineName(of: file, known: known) ?? file.name
            baseline.scripts[name] = Script(file, as: name)
        }
        return baseline
    }
}
