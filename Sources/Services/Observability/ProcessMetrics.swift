import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The standard `process_*` metrics (the names every Prometheus client library
/// uses, so stock dashboards work), read from /proc at scrape time.
///
/// Rendered as text rather than kept in the registry: `process_cpu_seconds_total`
/// is a counter whose value the kernel owns, and the registry's counters can only
/// be incremented, not set. Where /proc does not exist (macOS) the /proc-based
/// lines are left out rather than reported as zero.
struct ProcessMetrics: Sendable {
    var procRoot = "/proc/self"

    struct Sample: Equatable, Sendable {
        var residentMemoryBytes: Double?
        var virtualMemoryBytes: Double?
        var cpuSeconds: Double?
        var startTimeSeconds: Double?
        var openFDs: Double?
        var maxFDs: Double?
    }

    func sample() -> Sample {
        var sample = Sample()
        if let stat = readFile("\(procRoot)/stat").flatMap(Self.statFields) {
            let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
            let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
            // Fields counted from 3 (state), as in proc(5): utime 14, stime 15,
            // starttime 22 (ticks after boot), vsize 23 (bytes), rss 24 (pages).
            func field(_ number: Int) -> Double? { stat.count > number - 3 ? Double(stat[number - 3]) : nil }
            if ticks > 0, let user = field(14), let system = field(15) {
                sample.cpuSeconds = (user + system) / ticks
            }
            if ticks > 0, let start = field(22), let boot = bootTime() {
                sample.startTimeSeconds = boot + start / ticks
            }
            sample.virtualMemoryBytes = field(23)
            if pageSize > 0, let pages = field(24) {
                sample.residentMemoryBytes = pages * pageSize
            }
        }
        sample.openFDs = countOpenFDs()
        var limit = rlimit()
        #if os(Linux)
        let status = getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        #else
        let status = getrlimit(RLIMIT_NOFILE, &limit)
        #endif
        // RLIM_INFINITY is UInt64.max on Linux and Int64.max on Darwin: "no limit" either way.
        if status == 0, limit.rlim_cur < rlim_t(Int64.max) {
            sample.maxFDs = Double(limit.rlim_cur)
        }
        return sample
    }

    func render() -> String {
        let sample = sample()
        var text = ""
        func add(_ name: String, _ type: String, _ help: String, _ value: Double?) {
            guard let value else { return }
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(Self.format(value))\n"
        }
        add("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.", sample.cpuSeconds)
        add("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", sample.residentMemoryBytes)
        add("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", sample.virtualMemoryBytes)
        add("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.", sample.startTimeSeconds)
        add("process_open_fds", "gauge", "Number of open file descriptors.", sample.openFDs)
        add("process_max_fds", "gauge", "Maximum number of open file descriptors.", sample.maxFDs)
        return text
    }

    /// Whole numbers without a fraction (fd counts, bytes), others as Swift's
    /// shortest round-trip form, which Prometheus's float parser reads.
    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// The fields after the command name. The name is in parentheses and may itself
    /// contain spaces and parentheses, so split after the last `)`.
    static func statFields(_ stat: String) -> [String]? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    }

    /// Seconds since the epoch at boot, from /proc/stat's `btime` line.
    private func bootTime() -> Double? {
        guard let stat = readFile("/proc/stat") else { return nil }
        for line in stat.split(separator: "\n") where line.hasPrefix("btime ") {
            return line.split(separator: " ").last.flatMap { Double($0) }
        }
        return nil
    }

    /// Entries of /proc/self/fd. The directory stream reading it is one of them,
    /// as with every Prometheus client that counts this way.
    private func countOpenFDs() -> Double? {
        (try? FileManager.default.contentsOfDirectory(atPath: "\(procRoot)/fd")).map { Double($0.count) }
    }

    /// /proc files report size 0: FileHandle reads them to end of file, not by their size.
    private func readFile(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        return (try? handle.readToEnd()).map { String(decoding: $0, as: UTF8.self) }
    }
}
