import Foundation

/// What the host's x86-64 CPU offers beyond the base instruction set.
struct X64Features {
    var flags: Set<Substring>

    /// The instructions the backend emits unconditionally: lzcnt (ABM),
    /// tzcnt (BMI1), popcnt, SSE4.1 (roundss). Every x86-64 CPU since 2013
    /// has them.
    var missingBaseline: String? {
        let needed = [("abm", "lzcnt"), ("bmi1", "tzcnt"), ("popcnt", "popcnt"), ("sse4_1", "SSE4.1")]
        let missing = needed.filter { !flags.contains(Substring($0.0)) }.map(\.1)
        return missing.isEmpty ? nil : missing.joined(separator: ", ")
    }

    /// Read once from /proc/cpuinfo (Linux).
    static let host: X64Features = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return X64Features(flags: []) }
        return X64Features(flags: Set(line[line.index(after: colon)...].split(separator: " ")))
    }()
}
