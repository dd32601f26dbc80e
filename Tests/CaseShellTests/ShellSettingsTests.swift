import CaseQuery
import Testing
@testable import CaseShell

/// No typed prefix can mean two commands: for any two, the names share fewer letters than the
/// longer of their declared shortest forms.
@Test func shortestFormsNeverCollide() {
    let all = DotCommands.all
    for (i, a) in all.enumerated() {
        #expect(a.shortest >= 1 && a.shortest <= a.name.count, "\(a.name)")
        for b in all[(i + 1)...] {
            let common = zip(a.name, b.name).prefix { $0 == $1 }.count
            #expect(common < max(a.shortest, b.shortest), ".\(a.name) and .\(b.name) both answer to \(a.name.prefix(common))")
        }
        if case .found(let c) = DotCommands.resolve(String(a.name.prefix(a.shortest))) {
            #expect(c.name == a.name)
        } else {
            Issue.record("\(a.name)'s shortest form does not resolve to it")
        }
    }
    guard case .ambiguous(let cs) = DotCommands.resolve("e") else { Issue.record(".e should be ambiguous"); return }
    #expect(Set(cs.map(\.name)) == ["export", "exit"])
}

/// `.help` fits 80 columns, cut at word boundaries (no word split across lines).
@Test func helpFitsEightyColumns() {
    let text = DotCommands.helpText(nil)
    for line in text.split(separator: "\n") {
        #expect(DisplayWidth.of(String(line)) <= 80, "\(line)")
    }
    let words = Set(DotCommands.all.flatMap { $0.help.split(separator: " ").map(String.init) })
    let wrapped = Set(text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
    #expect(words.isSubset(of: wrapped))
}

@Test func quotingWhatCompletionInserts() {
    #expect(Completer.quotedIfNeeded("教育局") == "教育局")
    #expect(Completer.quotedIfNeeded("副市长（分管教育）") == "\"副市长（分管教育）\"")
    #expect(Completer.quotedIfNeeded("a b") == "\"a b\"")
    #expect(Completer.quotedIfNeeded("say \"hi\"") == "\"say \"\"hi\"\"\"")
    #expect(Completer.quotedIfNeeded("order") == "\"order\"")
    #expect(Completer.quotedArgument("my dir/", quote: nil, open: true) == "\"my dir/")
    #expect(Completer.quotedArgument("a\"b c", quote: nil) == "'a\"b c'")
}

/// `.help` under `.labels on`: every command described in Chinese, each line within the width at
/// 40–120 columns, cut between characters but never before closing punctuation nor after opening
/// punctuation, and no character of a description lost by the cutting.
@Test func helpInChineseWrapsBetweenCharacters() {
    for width in [40, 52, 60, 80, 120] {
        let text = DotCommands.helpText(nil, width: width, chinese: true)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for line in lines {
            #expect(DisplayWidth.of(line) <= width, "\(width): \(line)")
            let body = line.drop { $0 == " " }
            if let first = body.first { #expect(!"，。、；：）》」』".contains(first), "\(width): \(line)") }
            if let last = body.last { #expect(!"（《「『".contains(last), "\(width): \(line)") }
        }
        // Joined again without the margins, each description is there whole.
        let joined = lines.map { $0.drop { $0 == " " } }.joined()
        for c in DotCommands.all {
            #expect(c.zh.unicodeScalars.contains { $0.value >= 0x4E00 && $0.value <= 0x9FFF }, ".\(c.name)")
            #expect(joined.contains(c.zh.replacingOccurrences(of: " ", with: "")) || joined.replacingOccurrences(of: " ", with: "").contains(c.zh.replacingOccurrences(of: " ", with: "")), "\(width): .\(c.name)")
        }
    }
    #expect(DotCommands.helpText(".mode", chinese: true).contains("最短写法：.mo；不带参数时显示当前设置。"))
    #expect(DotCommands.helpText(".zz", chinese: true) == "没有命令 .zz\n")
    #expect(DotCommands.helpText(".mode").contains("Shortest form: .mo; without an argument it prints the current setting."))
}
