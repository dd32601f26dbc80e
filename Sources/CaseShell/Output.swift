#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CaseStore

/// Where results go: standard output or a file set by `.output`. Writing into a closed pipe
/// (`caseql … | head -1`) ends the program quietly.
public final class Output {
    private var file: UnsafeMutablePointer<FILE>
    public private(set) var path: String?
    public private(set) var isTerminal: Bool

    public init() {
        file = stdout
        path = nil
        isTerminal = isatty(STDOUT_FILENO) != 0
        signal(SIGPIPE, SIG_IGN)
    }

    /// Sends output to a file (created or truncated), or back to stdout with nil.
    public func redirect(to newPath: String?) throws {
        if path != nil { fclose(file) }
        guard let p = newPath else {
            file = stdout; path = nil; isTerminal = isatty(STDOUT_FILENO) != 0
            return
        }
        guard let f = fopen(p, "w") else {
            let reason = String(cString: strerror(errno))
            file = stdout; path = nil; isTerminal = isatty(STDOUT_FILENO) != 0
            throw ShellError("cannot write \(p): \(reason)")
        }
        file = f; path = p; isTerminal = false
    }

    public func write(_ s: String) {
        var s = s
        s.withUTF8 { p in
            guard p.count > 0 else { return }
            let n = fwrite(p.baseAddress, 1, p.count, file)
            if n < p.count { failed() }
        }
    }

    public func flush() { if fflush(file) != 0 { failed() } }

    private func failed() {
        if errno == EPIPE { exit(0) }
        let reason = String(cString: strerror(errno))
        fputs("caseql: cannot write output: \(reason)\n", stderr)
        exit(1)
    }
}

/// An error of the shell itself (a bad dot-command, a file that cannot be read).
public struct ShellError: Error, CustomStringConvertible {
    public var description: String
    public init(_ message: String) { description = message }
}

/// Writes a message to standard error, its control, bidi and zero-width characters made
/// visible (`Escape.lines`): a message quotes values from the data.
func printError(_ s: String) {
    let text = Escape.lines(s)
    fputs(text.hasSuffix("\n") ? text : text + "\n", stderr)
}
