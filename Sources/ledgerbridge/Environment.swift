import ArgumentParser
import Foundation

/// Options that may also come from the environment: the flag wins, then the variable.
enum Environment {
    static func value(_ flag: String?, _ variable: String) -> String? {
        if let flag, !flag.isEmpty { return flag }
        if let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty { return value }
        return nil
    }

    static func require(_ flag: String?, _ variable: String, option: String) throws -> String {
        guard let value = value(flag, variable) else {
            throw ValidationError("missing \(option) (or the \(variable) environment variable)")
        }
        return value
    }
}

/// A failure reported to the operator as one clear line (ArgumentParser prints it and exits 1).
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Writes one line to stdout at once: print() is block-buffered into a pipe, and a
/// supervisor waiting for "ready" must see it when it happens, not at exit.
func announce(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
