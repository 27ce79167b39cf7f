import Foundation

/// Runs a command-line tool with a hard timeout and captures its output.
struct SubprocessResult {
    var status: Int32
    var stdout: String
    var stderr: String
    var timedOut: Bool

    var summary: String {
        "status \(status)\(timedOut ? " (timed out)" : "")\n--- stdout:\n\(stdout)\n--- stderr:\n\(stderr)"
    }
}

enum Subprocess {
    /// Runs `arguments[0]` (looked up on PATH) with the rest as arguments. Never waits more
    /// than `timeout` seconds: the process is then terminated (then killed) and `timedOut` set.
    static func run(
        _ arguments: [String],
        stdin: Data? = nil,
        environment: [String: String] = [:],
        timeout: TimeInterval = 30
    ) throws -> SubprocessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env

        let outPipe = Pipe(), errPipe = Pipe(), inPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = inPipe

        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        try process.run()

        // Drain both pipes concurrently so a chatty child never blocks on a full pipe.
        let collected = DispatchGroup()
        let output = OutputBox()
        for (pipe, isOut) in [(outPipe, true), (errPipe, false)] {
            collected.enter()
            DispatchQueue.global().async {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                output.set(data, isOut: isOut)
                collected.leave()
            }
        }
        if let stdin { inPipe.fileHandleForWriting.write(stdin) }
        try? inPipe.fileHandleForWriting.close()

        var timedOut = false
        if done.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            process.terminate()
            if done.wait(timeout: .now() + 2) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                _ = done.wait(timeout: .now() + 5)
            }
        }
        _ = collected.wait(timeout: .now() + 5)
        return SubprocessResult(
            status: process.isRunning ? -1 : process.terminationStatus,
            stdout: output.text(isOut: true),
            stderr: output.text(isOut: false),
            timedOut: timedOut)
    }
}

private final class OutputBox: @unchecked Sendable {
    private let lock = NSLock()
    private var out = Data(), err = Data()

    func set(_ data: Data, isOut: Bool) {
        lock.withLock { if isOut { out = data } else { err = data } }
    }

    func text(isOut: Bool) -> String {
        lock.withLock { String(decoding: isOut ? out : err, as: UTF8.self) }
    }
}
