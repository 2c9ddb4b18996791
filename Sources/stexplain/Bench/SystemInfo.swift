import Foundation

/// Facts about the machine a benchmark ran on.
enum SystemInfo {
    /// The CPU model name from /proc/cpuinfo.
    static var cpuModel: String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
              let colon = line.firstIndex(of: ":") else { return "unknown CPU" }
        return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }

    /// The widest x86 vector extension the CPU reports (what oneDNN's kernels depend on).
    static var vectorExtension: String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "?" }
        let flags = Set(text.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").map(String.init) ?? [])
        for candidate in ["avx512f", "avx2", "avx", "sse4_1"] where flags.contains(candidate) { return candidate }
        return "none"
    }

    /// Peak resident set size of this process in MiB (VmHWM).
    static var peakResidentMegabytes: Double {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kilobytes / 1024
    }
}
