import ArgumentParser
import Foundation
import Vault

/// `ledgerbridge admin …`: operator tooling that works on files and the
/// database directly, not through the server.
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Operator tooling: key rings for the secret vault.",
        subcommands: [NewKeyRing.self, AddKey.self]
    )
}

extension AdminCommand {
    /// Writes a fresh key ring: one random 256-bit key, active, in a file only its owner can read.
    struct NewKeyRing: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "new-keyring",
            abstract: "Write a new key ring (one fresh AES-256 key, active) to PATH, readable by its owner only."
        )

        @Argument(help: "Where to write the key ring; an existing file is never overwritten.")
        var path: String

        func run() throws {
            let ring = KeyRing.generate()
            do { try ring.write(to: path) } catch { throw ValidationError(error.description) }
            // The key id only: the key itself stays in the file.
            print("ledgerbridge admin: wrote a key ring to \(path) (active key \(ring.activeID))")
        }
    }

    /// Adds a fresh key to a ring and makes it the active one; older keys stay for decryption.
    struct AddKey: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-key",
            abstract: "Add a fresh key to the key ring at PATH and make it active (older keys still decrypt).",
            discussion: "Then re-encrypt the stored secrets under it with `ledgerbridge admin rotate-key`."
        )

        @Argument(help: "The key ring file to extend.")
        var path: String

        func run() throws {
            do {
                let ring = try KeyRing.load(path: path).addingActiveKey()
                try ring.write(to: path, replacing: true)
                print("ledgerbridge admin: key \(ring.activeID) is now active in \(path) (\(ring.keys.count) keys)")
            } catch {
                throw ValidationError(error.description)
            }
        }
    }
}
