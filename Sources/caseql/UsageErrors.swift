import CaseStore
import Foundation

/// swift-argument-parser's usage errors under `--labels`: the forms of its first lines (an
/// unknown option, a missing value, an unexpected argument, an invalid value) and the words of
/// its Usage/Help/See lines, in Chinese; the option names, values and usage lines themselves stay
/// as the library prints them, and any other form stays English (README, "The command line").
enum UsageErrors {
    /// The library's line forms: a regular expression over one line and its Chinese, `$1`, `$2`
    /// the quoted names. Checked in order; the first that matches the whole line is used.
    static let forms: [(pattern: String, zh: String)] = [
        (#"^Error: Unknown option '([^']*)'\. Did you mean '([^']*)'\?$"#, "错误：没有 $1 这个选项。是不是 $2？"),
        (#"^Error: Unknown option '([^']*)'$"#, "错误：没有 $1 这个选项"),
        (#"^Error: Missing value for '([^']*)'$"#, "错误：$1 缺少取值"),
        (#"^Error: Missing expected argument '([^']*)'$"#, "错误：缺少 $1"),
        (#"^Error: Unexpected argument '([^']*)'$"#, "错误：多余的参数 $1"),
        (#"^Error: Unexpected arguments? (.*)$"#, "错误：多余的参数 $1"),
        (#"^Error: The value '([^']*)' is invalid for '([^']*)'$"#, "错误：$1 不是 $2 可取的值"),
        (#"^Error: (.*)$"#, "错误：$1"),
        (#"^Help:  (.*)$"#, "说明：$1"),
        (#"^Usage: (.*)$"#, "用法： $1"),
        (#"^  See '([^']*)' for more information\.$"#, "  详见 $1。"),
    ]

    /// `message` (the library's full message) with each line of a known form in Chinese when
    /// `chinese`, else as it is.
    static func text(_ message: String, chinese: Bool) -> String {
        guard chinese else { return message }
        return message.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let s = String(line)
            for (pattern, zh) in forms {
                let re = try! NSRegularExpression(pattern: pattern)
                let range = NSRange(s.startIndex..., in: s)
                if re.firstMatch(in: s, range: range) != nil {
                    return re.stringByReplacingMatches(in: s, range: range, withTemplate: zh)
                }
            }
            return s
        }.joined(separator: "\n")
    }

    /// Whether the command line asks for Chinese messages: `--labels` before any `--`.
    static func wantsChinese(_ arguments: [String]) -> Bool {
        arguments.prefix { $0 != "--" }.contains("--labels")
    }
}
