import Foundation

/// JUnit XML for CI systems (GitHub Actions reporters, GitLab, Jenkins),
/// in the layout of the JUnit schema those tools read (Ant/Surefire,
/// Jenkins' `junit-4.xsd`): `testsuites` > `testsuite` (one per script and
/// engine) > `testcase` (one per directive) with at most one `skipped`, or
/// `failure`/`error` elements. Counts and times are attributes; times are
/// plain decimals in seconds.
public struct JUnitReport: Sendable {
    /// What one `testcase` is.
    public enum Granularity: String, Sendable, CaseIterable {
        /// One per directive: a CI page lists each failing assertion.
        case directive
        /// One per script (its failures listed in the message): small
        /// reports for tools that struggle with 100,000 test cases.
        case file
    }

    public var report: ConformanceReport
    public var granularity: Granularity

    public init(_ report: ConformanceReport, granularity: Granularity = .directive) {
        self.report = report
        self.granularity = granularity
    }

    private struct Totals {
        var tests = 0, failures = 0, errors = 0, skipped = 0
        var seconds = 0.0
    }

    /// The XML document.
    public func xml() -> String {
        var body = ""
        var all = Totals()
        for run in report.runs {
            switch granularity {
            case .directive:
                for file in run.files {
                    body += testsuite(run: run, file: file, totals: &all)
                }
            case .file:
                body += scriptSuite(run: run, totals: &all)
            }
        }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"wasmcheck conformance\" tests=\"\(all.tests)\" failures=\"\(all.failures)\" errors=\"\(all.errors)\" time=\"\(decimal(all.seconds))\">\n"
        out += body
        out += "</testsuites>\n"
        return out
    }

    /// Writes the XML atomically.
    public func write(to path: String) throws(ReportError) {
        try AtomicFile.write(xml(), to: path)
    }

    // MARK: Per directive

    private func testsuite(run: ConformanceRun, file: FileReport, totals: inout Totals) -> String {
        var cases = ""
        var t = Totals()
        let classname = className(run: run, file: file)
        if let error = file.error {
            t.tests += 1
            t.errors += 1
            cases += "    <testcase name=\(attribute("\(file.name) (script)")) classname=\(attribute(classname)) time=\"\(decimal(file.seconds))\">\n"
            cases += "      <error message=\(attribute(error)) type=\"script\">\(text("\(file.path): \(error)"))</error>\n"
            cases += "    </testcase>\n"
        }
        for result in file.results {
            t.tests += 1
            t.seconds += result.seconds
            let name = "\(file.name):\(result.line) \(result.directive)"
            let open = "    <testcase name=\(attribute(name)) classname=\(attribute(classname)) time=\"\(decimal(result.seconds))\""
            switch result.outcome {
            case .passed:
                cases += open + "/>\n"
            case .skipped(let why):
                t.skipped += 1
                cases += open + ">\n      <skipped message=\(attribute(why))/>\n    </testcase>\n"
            case .expectedFailure(let why):
                t.skipped += 1
                cases += open + ">\n      <skipped message=\(attribute("expected failure: \(why)"))/>\n    </testcase>\n"
            case .failed(let why), .unexpectedPass(let why):
                t.failures += 1
                var detail = "\(file.path):\(result.line): \(result.directive): \(why)"
                if let e = result.expected { detail += "\nexpected: \(e)" }
                if let a = result.actual { detail += "\nactual:   \(a)" }
                cases += open + ">\n      <failure message=\(attribute(why)) type=\(attribute(result.directive))>\(text(detail))</failure>\n    </testcase>\n"
            }
        }
        t.seconds = max(t.seconds, file.seconds)
        totals.tests += t.tests
        totals.failures += t.failures
        totals.errors += t.errors
        totals.skipped += t.skipped
        totals.seconds += t.seconds
        var out = "  <testsuite name=\(attribute("\(run.engine): \(run.suite)/\(file.name)")) tests=\"\(t.tests)\" failures=\"\(t.failures)\" errors=\"\(t.errors)\" skipped=\"\(t.skipped)\" time=\"\(decimal(t.seconds))\">\n"
        out += properties(run: run, group: file.group)
        out += cases
        out += "  </testsuite>\n"
        return out
    }

    // MARK: Per script

    private func scriptSuite(run: ConformanceRun, totals: inout Totals) -> String {
        var cases = ""
        var t = Totals()
        for file in run.files {
            t.tests += 1
            t.seconds += file.seconds
            let c = file.counts
            let open = "    <testcase name=\(attribute(file.name)) classname=\(attribute(className(run: run, file: file))) time=\"\(decimal(file.seconds))\""
            if let error = file.error {
                t.errors += 1
                cases += open + ">\n      <error message=\(attribute(error)) type=\"script\">\(text("\(file.path): \(error)"))</error>\n    </testcase>\n"
            } else if c.failed > 0 {
                t.failures += 1
                var detail = ""
                for r in file.results where r.outcome.isFailure {
                    detail += "\(file.path):\(r.line): \(r.directive): \(r.outcome.reason ?? "")\n"
                    if let e = r.expected { detail += "    expected: \(e)\n" }
                    if let a = r.actual { detail += "    actual:   \(a)\n" }
                }
                let message = "\(c.failed) of \(c.passed + c.failed) directives failed"
                cases += open + ">\n      <failure message=\(attribute(message)) type=\"conformance\">\(text(detail))</failure>\n    </testcase>\n"
            } else if c.passed == 0 && c.skipped > 0 {
                t.skipped += 1
                cases += open + ">\n      <skipped message=\(attribute("all \(c.skipped) directives skipped"))/>\n    </testcase>\n"
            } else {
                cases += open + "/>\n"
            }
        }
        totals.tests += t.tests
        totals.failures += t.failures
        totals.errors += t.errors
        totals.skipped += t.skipped
        totals.seconds += t.seconds
        var out = "  <testsuite name=\(attribute("\(run.engine): \(run.suite)")) tests=\"\(t.tests)\" failures=\"\(t.failures)\" errors=\"\(t.errors)\" skipped=\"\(t.skipped)\" time=\"\(decimal(t.seconds))\">\n"
        out += properties(run: run, group: nil)
        out += cases
        out += "  </testsuite>\n"
        return out
    }

    // MARK: Pieces

    private func properties(run: ConformanceRun, group: FeatureGroup?) -> String {
        var pairs = [("engine", run.engine), ("suite", run.suite), ("features", run.features)]
        if let group { pairs.append(("featureGroup", group.title)) }
        if !run.shards.isEmpty { pairs.append(("shards", run.shards.joined(separator: " "))) }
        var out = "    <properties>\n"
        for (name, value) in pairs { out += "      <property name=\(attribute(name)) value=\(attribute(value))/>\n" }
        return out + "    </properties>\n"
    }

    /// `interpreter.wasm-3.0.legacy.throw`: tools split a class name at
    /// dots into package and class.
    private func className(run: ConformanceRun, file: FileReport) -> String {
        let stem = file.name.hasSuffix(".wast") ? String(file.name.dropLast(5)) : file.name
        return "\(run.engine).\(run.suite).\(stem.replacingOccurrences(of: "/", with: "."))"
    }
}

/// Seconds as an `xs:decimal` (no exponent, never negative or NaN).
func decimal(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds > 0 else { return "0.000000" }
    return String(format: "%.6f", seconds)
}

/// A quoted XML attribute value.
func attribute(_ s: String) -> String {
    "\"" + xmlEscaped(s, inAttribute: true) + "\""
}

/// XML character data.
func text(_ s: String) -> String { xmlEscaped(s, inAttribute: false) }

/// Escapes markup characters; characters XML 1.0 cannot hold at all (most
/// control characters, which script names and messages may contain) become
/// U+FFFD so the document always parses.
func xmlEscaped(_ s: String, inAttribute: Bool) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count)
    for scalar in s.unicodeScalars {
        switch scalar {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"" where inAttribute: out += "&quot;"
        case "\n" where inAttribute: out += "&#10;"
        case "\t" where inAttribute: out += "&#9;"
        case "\r": out += "&#13;"
        case "\t", "\n": out.unicodeScalars.append(scalar)
        default:
            let v = scalar.value
            let allowed = (0x20...0xD7FF).contains(v) || (0xE000...0xFFFD).contains(v) || v >= 0x10000
            out.unicodeScalars.append(allowed ? scalar : "\u{FFFD}")
        }
    }
    return out
}
