import Foundation

/// A self-contained HTML conformance page (inline CSS, no scripts, no
/// external assets, so it can be uploaded as a CI artifact and opened
/// anywhere): for each suite, feature groups x engines and scripts x
/// engines with pass rates, coloured from red to green, and each script's
/// failures in an expandable row.
public struct HTMLReport: Sendable {
    public var report: ConformanceReport
    public var title: String
    /// When the page was made, shown in its header.
    public var generated: Date

    public init(_ report: ConformanceReport, title: String = "WebAssembly conformance", generated: Date = Date()) {
        self.report = report
        self.title = title
        self.generated = generated
    }

    /// Writes the page atomically.
    public func write(to path: String) throws(ReportError) {
        try AtomicFile.write(html(), to: path)
    }

    public func html() -> String {
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title))</title>
            <style>\(Self.css)</style>
            </head>
            <body>
            <header>
            <h1>\(escape(title))</h1>
            <p class="meta">wasmcheck · generated \(escape(ISO8601DateFormatter().string(from: generated))) · pass rate = passed / (passed + failed); skipped directives are not counted</p>
            <div class="cards">

            """
        for run in report.runs { out += card(run) }
        out += "</div>\n</header>\n<main>\n"
        var suites: [String] = []
        for run in report.runs where !suites.contains(run.suite) { suites.append(run.suite) }
        for suite in suites {
            out += section(suite: suite, runs: report.runs.filter { $0.suite == suite })
        }
        out += "</main>\n</body>\n</html>\n"
        return out
    }

    // MARK: Pieces

    private func card(_ run: ConformanceRun) -> String {
        let c = run.counts
        var facts = "\(c.passed) passed · \(c.failed) failed · \(c.skipped) skipped · \(run.files.count) scripts · " + String(format: "%.1fs", run.seconds)
        if !run.shards.isEmpty { facts += " · shards \(run.shards.joined(separator: ", "))" }
        return """
            <div class="card" style="border-top-color:\(Self.strong(c))">
            <div class="card-title">\(escape(run.engine)) · \(escape(run.suite))</div>
            <div class="card-rate" style="color:\(Self.strong(c))">\(Self.percent(c))</div>
            <div class="card-facts">features \(escape(run.features))<br>\(escape(facts))</div>
            </div>

            """
    }

    private func section(suite: String, runs: [ConformanceRun]) -> String {
        let columns = runs.map { run in
            runs.filter { $0.engine == run.engine }.count > 1 ? "\(run.engine) (\(run.features))" : run.engine
        }
        var out = "<section>\n<h2>\(escape(suite))</h2>\n"

        // Feature groups x engines.
        var groups: Set<FeatureGroup> = []
        for run in runs { for file in run.files { groups.insert(file.group) } }
        out += "<h3>Feature groups</h3>\n<table class=\"groups\">\n<thead><tr><th>feature group</th><th class=\"num\">scripts</th>"
        for column in columns { out += "<th>\(escape(column))</th>" }
        out += "</tr></thead>\n<tbody>\n"
        for group in groups.sorted() {
            let scripts = Set(runs.flatMap { $0.files.filter { $0.group == group }.map(\.name) }).count
            out += "<tr><td>\(escape(group.title))</td><td class=\"num\">\(scripts)</td>"
            for run in runs {
                let files = run.files.filter { $0.group == group }
                out += files.isEmpty ? Self.emptyCell : rateCell(files.reduce(Counts()) { $0 + $1.counts })
            }
            out += "</tr>\n"
        }
        out += "<tr class=\"total\"><td>all</td><td class=\"num\">\(Set(runs.flatMap { $0.files.map(\.name) }).count)</td>"
        for run in runs { out += rateCell(run.counts) }
        out += "</tr>\n</tbody>\n</table>\n"

        // Scripts x engines, grouped, with failures.
        var byName: [String: [Int: FileReport]] = [:]
        for (index, run) in runs.enumerated() {
            for file in run.files { byName[file.name, default: [:]][index] = file }
        }
        let names = byName.keys.sorted { (FeatureGroup.of($0), $0) < (FeatureGroup.of($1), $1) }
        out += "<h3>Scripts</h3>\n<table class=\"scripts\">\n<thead><tr><th>script</th><th class=\"num\">directives</th>"
        for column in columns { out += "<th class=\"engine\">\(escape(column))</th>" }
        out += "</tr></thead>\n<tbody>\n"
        var currentGroup: FeatureGroup?
        for name in names {
            let group = FeatureGroup.of(name)
            if group != currentGroup {
                currentGroup = group
                out += "<tr class=\"group\"><td colspan=\"\(2 + runs.count)\">\(escape(group.title))</td></tr>\n"
            }
            let reports = byName[name] ?? [:]
            let directives = reports.values.map(\.results.count).max() ?? 0
            out += "<tr><td class=\"name\">\(escape(name))</td><td class=\"num\">\(directives)</td>"
            for index in runs.indices {
                out += reports[index].map { rateCell($0.counts) } ?? Self.emptyCell
            }
            out += "</tr>\n"
            for index in runs.indices {
                guard let file = reports[index], file.counts.failed > 0 else { continue }
                out += "<tr class=\"failures\"><td colspan=\"\(2 + runs.count)\">\(failures(file, engine: columns[index]))</td></tr>\n"
            }
        }
        out += "</tbody>\n</table>\n</section>\n"
        return out
    }

    private func failures(_ file: FileReport, engine: String) -> String {
        let failed = file.results.filter { $0.outcome.isFailure }
        let count = failed.count + (file.error == nil ? 0 : 1)
        var out = "<details><summary>\(escape(file.name)) · \(escape(engine)): \(count) failed</summary>\n<table class=\"fails\"><thead><tr><th class=\"num\">line</th><th>directive</th><th>why</th><th>expected</th><th>actual</th></tr></thead><tbody>\n"
        if let error = file.error {
            out += "<tr><td class=\"num\">–</td><td>script</td><td>\(escape(error))</td><td></td><td></td></tr>\n"
        }
        for r in failed {
            out += "<tr><td class=\"num\">\(r.line)</td><td>\(escape(r.directive))</td><td>\(escape(r.outcome.reason ?? ""))</td><td><code>\(escape(r.expected ?? ""))</code></td><td><code>\(escape(r.actual ?? ""))</code></td></tr>\n"
        }
        return out + "</tbody></table>\n</details>"
    }

    private func rateCell(_ c: Counts) -> String {
        let run = c.passed + c.failed
        guard run > 0 else {
            return "<td class=\"rate none\" title=\"\(c.skipped) skipped\">skipped</td>"
        }
        let width = String(format: "%.1f", c.passRate)
        let skipped = c.skipped > 0 ? " <span class=\"skip\">+\(c.skipped) skipped</span>" : ""
        return "<td class=\"rate\" style=\"background:\(Self.light(c))\"><span class=\"bar\"><span style=\"width:\(width)%;background:\(Self.strong(c))\"></span></span>"
            + "<b>\(Self.percent(c))</b> <span class=\"frac\">\(c.passed)/\(run)</span>\(skipped)</td>"
    }

    private static let emptyCell = "<td class=\"rate none\">not run</td>"

    /// `99.94%`; never rounds a failure up to 100%.
    static func percent(_ c: Counts) -> String {
        if c.failed == 0 { return c.passed == 0 ? "–" : "100%" }
        let rate = min(c.passRate, 99.99)
        return String(format: rate >= 99 ? "%.2f%%" : "%.1f%%", rate)
    }

    /// Red to green through orange and yellow, steep near the top, where
    /// conformance lives: 50% is red, 90% orange, 97% yellow-green, 99.9%
    /// green; a clean 100% is a deeper green.
    private static func hue(_ c: Counts) -> Int {
        if c.failed == 0 { return 130 }
        return Int(pow(max(0, min(1, c.passRate / 100)), 8) * 105)
    }

    static func light(_ c: Counts) -> String { "hsl(\(hue(c)),70%,88%)" }
    static func strong(_ c: Counts) -> String { "hsl(\(hue(c)),65%,\(c.failed == 0 ? 32 : 40)%)" }

    private func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default:
                let v = scalar.value
                let printable = v == 0x9 || v == 0xA || (0x20..<0x7F).contains(v) || (v >= 0xA0 && !(0xD800...0xDFFF).contains(v))
                out.unicodeScalars.append(printable ? scalar : "\u{FFFD}")
            }
        }
        return out
    }

    private static let css = """

        :root{--fg:#1f2328;--muted:#656d76;--line:#d0d7de;--bg:#f6f8fa}
        *{box-sizing:border-box}
        body{margin:0;font:14px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--fg);background:#fff}
        header{padding:20px 28px 8px;background:var(--bg);border-bottom:1px solid var(--line)}
        h1{margin:0 0 4px;font-size:22px}
        h2{margin:28px 0 8px;font-size:19px;border-bottom:1px solid var(--line);padding-bottom:4px}
        h3{margin:18px 0 6px;font-size:15px;color:var(--muted)}
        .meta{margin:0 0 12px;color:var(--muted);font-size:12px}
        .cards{display:flex;flex-wrap:wrap;gap:12px;margin-bottom:12px}
        .card{background:#fff;border:1px solid var(--line);border-top:4px solid;border-radius:6px;padding:10px 14px;min-width:260px}
        .card-title{font-weight:600}
        .card-rate{font-size:30px;font-weight:700;line-height:1.2}
        .card-facts{color:var(--muted);font-size:12px}
        main{padding:0 28px 40px}
        table{border-collapse:collapse;margin:4px 0 8px}
        th,td{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:middle}
        th{background:var(--bg);font-weight:600;white-space:nowrap}
        table.groups td:first-child,table.scripts td.name{white-space:nowrap}
        table.scripts{width:100%}
        table.scripts th.engine{width:260px}
        td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
        td.rate{min-width:230px;white-space:nowrap;font-variant-numeric:tabular-nums}
        td.rate.none{color:var(--muted);background:var(--bg);font-style:italic}
        .bar{display:inline-block;width:64px;height:8px;background:rgba(0,0,0,.10);border-radius:4px;margin-right:8px;vertical-align:middle;overflow:hidden}
        .bar span{display:block;height:8px}
        .frac,.skip{color:#424a53;font-size:12px}
        tr.total td{font-weight:600;border-top:2px solid var(--muted)}
        tr.group td{background:#eaeef2;font-weight:600;padding-top:6px}
        tr.failures>td{background:#fff8f7;padding:2px 8px 2px 24px}
        details summary{cursor:pointer;color:#a40e26;font-size:13px}
        details[open] summary{margin-bottom:4px}
        table.fails{margin:0 0 6px;font-size:12px;max-width:100%}
        table.fails td{background:#fff;max-width:460px;overflow-wrap:anywhere;vertical-align:top}
        code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}

        """
}
