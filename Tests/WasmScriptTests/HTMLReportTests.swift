import Foundation
import Testing
@testable import WasmScript

/// The HTML page is self-contained and shows groups, scripts, engines and
/// expandable failures.
@Suite struct HTMLReportTests {
    func page() throws -> String {
        let scripts = try TestScripts(["gate.wast": gateScript, "simd_f.wast": floatScript, "legacy/<b>.wast": floatScript])
        defer { scripts.remove() }
        let interpreter = try scripts.run(suite: "test-suite")
        var broken = try scripts.run(fault: .trapOnCall, suite: "test-suite")
        broken.engine = "broken"
        return HTMLReport(ConformanceReport(runs: [interpreter, broken]), generated: Date(timeIntervalSince1970: 0)).html()
    }

    @Test func pageIsSelfContained() throws {
        let html = try page()
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<style>"))
        for external in ["http://", "https://", "<link", "<script", "src=", "url("] {
            #expect(!html.contains(external), "\(external)")
        }
    }

    @Test func pageShowsGroupsEnginesAndFailures() throws {
        let html = try page()
        #expect(html.contains("<th>interpreter</th><th>broken</th>"))
        #expect(html.contains("<th class=\"engine\">interpreter</th><th class=\"engine\">broken</th>"))
        for group in ["MVP", "SIMD", "Legacy exceptions"] { #expect(html.contains("<td>\(group)</td>")) }
        // gate.wast on the interpreter: 4 of 6 directives pass.
        #expect(html.contains("<b>66.7%</b> <span class=\"frac\">4/6</span>"))
        // Failures expand, with expected and actual values, escaped.
        #expect(html.contains("<details><summary>gate.wast · interpreter: 2 failed</summary>"))
        #expect(html.contains("<td class=\"num\">7</td><td>assert_return</td><td>wrong result</td><td><code>(i32.const 5)</code></td><td><code>(i32.const 4)</code></td>"))
        #expect(html.contains("legacy/&lt;b&gt;.wast"))
        #expect(!html.contains("<b>.wast"))
    }

    @Test func ratesNeverRoundAFailureUpToAHundred() {
        var c = Counts()
        c.passed = 99_999
        c.failed = 1
        #expect(HTMLReport.percent(c) == "99.99%")
        c.failed = 0
        #expect(HTMLReport.percent(c) == "100%")
    }
}
