import Foundation
@testable import Services
import XCTest

final class ProcessMetricsTests: XCTestCase {
    func testThisProcessIsDescribedPlausibly() throws {
        #if !os(Linux)
        throw XCTSkip("process metrics come from /proc")
        #else
        let before = ProcessMetrics().sample()
        let resident = try XCTUnwrap(before.residentMemoryBytes)
        XCTAssertGreaterThan(resident, 1_048_576, "a Swift test process uses more than 1 MiB")
        XCTAssertLessThan(resident, 64 * Double(1 << 30))
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(before.virtualMemoryBytes), resident)
        let cpu = try XCTUnwrap(before.cpuSeconds)
        XCTAssertGreaterThan(cpu, 0)

        // Started before now, and not before this machine booted a year ago.
        let start = try XCTUnwrap(before.startTimeSeconds)
        let now = Date().timeIntervalSince1970
        // Derived from the boot time, which drifts if the clock was stepped since boot: allow some slack.
        XCTAssertLessThanOrEqual(start, now + 30)
        XCTAssertGreaterThan(start, now - 366 * 86400)
        XCTAssertEqual(start, ProcessMetrics().sample().startTimeSeconds, "the start time does not move")

        // Open descriptors follow what the process opens and closes.
        let openBefore = try XCTUnwrap(before.openFDs)
        XCTAssertGreaterThanOrEqual(openBefore, 3)
        let files = (0..<5).map { _ in open("/dev/null", O_RDONLY) }
        XCTAssertTrue(files.allSatisfy { $0 >= 0 })
        let openDuring = try XCTUnwrap(ProcessMetrics().sample().openFDs)
        files.forEach { close($0) }
        XCTAssertGreaterThanOrEqual(openDuring, openBefore + 5)
        XCTAssertLessThanOrEqual(try XCTUnwrap(ProcessMetrics().sample().openFDs), openDuring - 5)
        if let max = before.maxFDs { XCTAssertGreaterThanOrEqual(max, openBefore) }

        // CPU time grows with work: spin until this thread has used 100 ms of CPU
        // (measured by the thread's own clock, so a busy machine only makes it slower).
        func threadCPUSeconds() -> Double {
            var time = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
            return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
        }
        let spinStart = threadCPUSeconds()
        let giveUp = ContinuousClock.now + .seconds(20)
        var spin: UInt64 = 0
        while threadCPUSeconds() - spinStart < 0.1, ContinuousClock.now < giveUp { spin &+= 1 }
        XCTAssertGreaterThan(spin, 0)
        let cpuAfter = try XCTUnwrap(ProcessMetrics().sample().cpuSeconds)
        XCTAssertGreaterThanOrEqual(cpuAfter - cpu, 0.08, "the kernel counts in ticks of 10 ms")
        #endif
    }

    /// A fake /proc/self: the command name may contain spaces and parentheses.
    func testStatIsParsedByFieldNumber() throws {
        #if !os(Linux)
        throw XCTSkip("process metrics come from /proc")
        #else
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("procfake-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("fd"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        for name in ["0", "1", "2", "7"] {
            _ = FileManager.default.createFile(atPath: root.appendingPathComponent("fd/\(name)").path, contents: nil)
        }
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
        // utime=250 stime=150 cutime cstime priority nice threads itreal starttime=1000 vsize rss
        let stat = "4242 (we (ird) name) S 1 1 1 0 -1 4194560 10 0 0 0 250 150 0 0 20 0 8 0 1000 123456789 2048 18446744073709551615\n"
        try stat.write(to: root.appendingPathComponent("stat"), atomically: true, encoding: .utf8)

        let sample = ProcessMetrics(procRoot: root.path).sample()
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        XCTAssertEqual(sample.cpuSeconds, 400 / ticks)
        XCTAssertEqual(sample.virtualMemoryBytes, 123_456_789)
        XCTAssertEqual(sample.residentMemoryBytes, 2048 * Double(sysconf(Int32(_SC_PAGESIZE))))
        XCTAssertEqual(sample.openFDs, 4)
        let bootTime = try XCTUnwrap(try String(contentsOfFile: "/proc/stat", encoding: .utf8)
            .split(separator: "\n").first { $0.hasPrefix("btime ") }.flatMap { Double($0.dropFirst(6)) })
        XCTAssertEqual(sample.startTimeSeconds, bootTime + 1000 / ticks)
        #endif
    }

    func testMissingProcLeavesLinesOutRatherThanReportingZero() throws {
        let metrics = ProcessMetrics(procRoot: "/nonexistent-\(UUID().uuidString)")
        let sample = metrics.sample()
        XCTAssertNil(sample.residentMemoryBytes)
        XCTAssertNil(sample.cpuSeconds)
        XCTAssertNil(sample.openFDs)
        let text = try PrometheusText(parsing: metrics.render())
        XCTAssertNil(text.value("process_resident_memory_bytes"))
        XCTAssertNil(text.value("process_cpu_seconds_total"))
    }

    func testRenderedWithTheStandardNamesAndTypes() throws {
        #if !os(Linux)
        throw XCTSkip("process metrics come from /proc")
        #else
        let text = try PrometheusText(parsing: ProcessMetrics().render())
        let expected = [
            "process_cpu_seconds_total": "counter",
            "process_resident_memory_bytes": "gauge",
            "process_virtual_memory_bytes": "gauge",
            "process_start_time_seconds": "gauge",
            "process_open_fds": "gauge",
        ]
        for (name, type) in expected {
            XCTAssertEqual(text.types[name], type, name)
            XCTAssertNotNil(text.value(name), name)
            XCTAssertFalse(text.help[name, default: ""].isEmpty, name)
        }
        XCTAssertEqual(ProcessMetrics.format(12), "12")
        XCTAssertEqual(ProcessMetrics.format(1.25), "1.25")
        XCTAssertEqual(ProcessMetrics.format(1_712_345_678.5), "1712345678.5")
        #endif
    }
}
