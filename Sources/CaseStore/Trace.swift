// Timestamps on standard error when CASEQL_TRACE is set (to anything): where a start-up's time
// goes, step by step, including the time spent waiting for the disk, which a CPU profile does
// not show (bench/reopen.sh's cold runs). Off, each mark is one load of a flag.

import Foundation
#if canImport(Glibc)
import Glibc
#endif

public enum Trace {
    /// Whether CASEQL_TRACE is set.
    public static let on = getenv("CASEQL_TRACE") != nil

    /// Milliseconds since the process started (its start time from /proc/self/stat, in clock
    /// ticks: 10 ms steps), then since the first mark; nil when off.
    private static let started: (process: Double, first: Double)? = {
        guard on else { return nil }
        let now = monotonicMS()
        var processStart = now
        if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")") {
            // Field 22 (starttime), counted from the field after the command's closing parenthesis.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 19, let ticks = Double(fields[19]) {
                var boot = timespec()
                clock_gettime(CLOCK_BOOTTIME, &boot)
                let bootMS = Double(boot.tv_sec) * 1000 + Double(boot.tv_nsec) / 1e6
                processStart = now - (bootMS - ticks * 1000 / Double(sysconf(Int32(_SC_CLK_TCK))))
            }
        }
        return (processStart, now)
    }()

    static func monotonicMS() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) * 1000 + Double(t.tv_nsec) / 1e6
    }

    /// Writes "caseql trace: <ms since start> ms: what" to standard error when on.
    @inline(__always)
    public static func mark(_ what: @autoclosure () -> String) {
        guard on, let s = started else { return }
        let ms = monotonicMS() - s.process
        var line = String(format: "caseql trace: %8.1f ms: ", ms) + what() + "\n"
        line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    /// Runs `body`, marking how long it took (wall ms) when on.
    @inline(__always)
    public static func timed<R>(_ what: @autoclosure () -> String, _ body: () throws -> R) rethrows -> R {
        guard on else { return try body() }
        let t = monotonicMS()
        let r = try body()
        mark(what() + String(format: " (%.1f ms)", monotonicMS() - t))
        return r
    }
}
