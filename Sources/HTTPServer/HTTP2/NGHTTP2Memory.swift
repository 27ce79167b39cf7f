import CNGHTTP2
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Counts every byte libnghttp2 allocates for one session (stream objects, queued
/// frames, HPACK tables, header-block buffers), the way Node.js does for its
/// `maxSessionMemory`: without it the connection budget would miss what the
/// library holds on the peer's behalf.
///
/// Each block carries a 16-byte prefix with its size (16 keeps malloc's alignment),
/// so `free` knows how much to subtract. Only touched from the connection's event
/// loop, like the session itself.
final class NGHTTP2MemoryCounter {
    /// Bytes nghttp2 holds now (not counting our 16-byte prefixes).
    private(set) var bytes = 0

    private static let prefix = 16

    /// The allocator to hand to `nghttp2_session_server_new3`; valid while `self` lives,
    /// so the session must be deleted before the counter.
    func allocator() -> nghttp2_mem {
        nghttp2_mem(
            mem_user_data: Unmanaged.passUnretained(self).toOpaque(),
            malloc: { size, user in NGHTTP2MemoryCounter.from(user).allocate(size, zeroed: false) },
            free: { pointer, user in NGHTTP2MemoryCounter.from(user).release(pointer) },
            calloc: { count, size, user in
                let (total, overflow) = count.multipliedReportingOverflow(by: size)
                return overflow ? nil : NGHTTP2MemoryCounter.from(user).allocate(total, zeroed: true)
            },
            realloc: { pointer, size, user in NGHTTP2MemoryCounter.from(user).reallocate(pointer, size) })
    }

    private static func from(_ user: UnsafeMutableRawPointer?) -> NGHTTP2MemoryCounter {
        Unmanaged<NGHTTP2MemoryCounter>.fromOpaque(user!).takeUnretainedValue()
    }

    private func allocate(_ size: Int, zeroed: Bool) -> UnsafeMutableRawPointer? {
        guard size <= Int.max - Self.prefix,
              let block = zeroed ? calloc(1, size + Self.prefix) : malloc(size + Self.prefix) else { return nil }
        block.storeBytes(of: size, as: Int.self)
        bytes += size
        return block + Self.prefix
    }

    private func release(_ pointer: UnsafeMutableRawPointer?) {
        guard let pointer else { return }
        let block = pointer - Self.prefix
        bytes -= block.load(as: Int.self)
        free(block)
    }

    private func reallocate(_ pointer: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        guard let pointer else { return allocate(size, zeroed: false) }
        guard size <= Int.max - Self.prefix else { return nil }
        let block = pointer - Self.prefix
        let old = block.load(as: Int.self)
        // On failure the old block is untouched and still counted.
        guard let moved = realloc(block, size + Self.prefix) else { return nil }
        moved.storeBytes(of: size, as: Int.self)
        bytes += size - old
        return moved + Self.prefix
    }
}
