// What a process killed by a signal must still undo: temporary files it was writing (so that
// Ctrl-C or SIGTERM during an export leaves nothing beside the target) and the terminal's mode
// (so that SIGTERM or SIGHUP at the prompt does not leave it raw). The handler runs only
// async-signal-safe calls (unlink, tcsetattr, signal, raise) over memory allocated before any
// handler is installed.

#if canImport(Glibc)
import Glibc
#endif

/// Files to remove and a terminal mode to restore when the process dies of SIGINT, SIGTERM,
/// SIGHUP or SIGQUIT; the signal is then raised again with its default action, so the exit
/// status still says which signal it was.
public enum SignalCleanup {
    /// At most this many files are registered at once (a writer registers one, the temporary).
    public static let slots = 16
    /// The longest path a slot holds, in bytes with the terminating NUL; a longer one is not
    /// registered (its writer still removes it on every path but a signal).
    public static let maxPathBytes = 4096

    // Allocated once, never freed: the handler may read them at any moment.
    nonisolated(unsafe) private static let paths = UnsafeMutablePointer<CChar>.allocate(capacity: slots * maxPathBytes)
    nonisolated(unsafe) private static let used = UnsafeMutablePointer<Int32>.allocate(capacity: slots)
    nonisolated(unsafe) private static let terminal = UnsafeMutablePointer<termios>.allocate(capacity: 1)
    nonisolated(unsafe) private static let terminalFD = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
    nonisolated(unsafe) private static var installed = false

    private static let prepared: Bool = {
        used.initialize(repeating: 0, count: slots)
        paths.initialize(repeating: 0, count: slots * maxPathBytes)
        terminalFD.initialize(to: -1)
        terminal.initialize(to: termios())
        return true
    }()

    /// Installs the handlers (once; later calls do nothing). SIGINT is taken only if nothing
    /// handles it yet: the interactive shell's own Ctrl-C handling comes first. Call it early in
    /// `main`, before any file is written.
    public static func install() {
        _ = prepared
        if installed { return }
        installed = true
        for sig in [SIGTERM, SIGHUP, SIGQUIT, SIGINT] {
            var old = sigaction()
            sigaction(sig, nil, &old)
            // An ignored signal stays ignored (nohup), and only SIGINT may already be ours-to-keep.
            let current = unsafeBitCast(old.__sigaction_handler.sa_handler, to: Int.self)
            if current == unsafeBitCast(SIG_IGN, to: Int.self) { continue }
            if sig == SIGINT && current != unsafeBitCast(SIG_DFL, to: Int.self) { continue }
            var action = sigaction()
            action.__sigaction_handler.sa_handler = SignalCleanup.handler
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(sig, &action, nil)
        }
    }

    /// Remembers `path` for removal if a signal kills the process; returns the slot to pass to
    /// `unregister`, or nil when no slot is free or the path is too long.
    public static func register(_ path: String) -> Int? {
        _ = prepared
        let bytes = Array(path.utf8)
        guard bytes.count < maxPathBytes, !bytes.contains(0) else { return nil }
        for slot in 0..<slots where used[slot] == 0 {
            let p = paths + slot * maxPathBytes
            for (k, b) in bytes.enumerated() { p[k] = CChar(bitPattern: b) }
            p[bytes.count] = 0
            used[slot] = 1
            return slot
        }
        return nil
    }

    /// Forgets a registered path (it was renamed into place or removed).
    public static func unregister(_ slot: Int?) {
        guard let slot, slot >= 0, slot < slots else { return }
        used[slot] = 0
    }

    /// Keeps `fd`'s current terminal mode (call before making it raw) so that a fatal signal
    /// restores it; false when `fd` is not a terminal. `forgetTerminal` when it is restored.
    @discardableResult
    public static func saveTerminal(_ fd: Int32 = STDIN_FILENO) -> Bool {
        _ = prepared
        var mode = termios()
        guard isatty(fd) != 0, tcgetattr(fd, &mode) == 0 else { return false }
        terminal.pointee = mode
        terminalFD.pointee = fd
        return true
    }

    /// No terminal mode to restore any more.
    public static func forgetTerminal() {
        _ = prepared
        terminalFD.pointee = -1
    }

    /// The handler: async-signal-safe calls only.
    private static let handler: @convention(c) (Int32) -> Void = { sig in
        for slot in 0..<SignalCleanup.slots where SignalCleanup.used[slot] != 0 {
            unlink(SignalCleanup.paths + slot * SignalCleanup.maxPathBytes)
        }
        let fd = SignalCleanup.terminalFD.pointee
        if fd >= 0 { tcsetattr(fd, TCSANOW, SignalCleanup.terminal) }
        signal(sig, SIG_DFL)
        raise(sig)
    }
}
