import CaseQuery
import CaseStore
import Foundation

/// Tab completion: keywords, sources, fields (English and Chinese), enum values, aggregates,
/// dot-commands and their arguments, and the values in the loaded data (unit names…). Chinese
/// candidates also match by pinyin initials: `jyj` → 教育局.
public final class Completer {
    let session: Session
    private var initialsCache: [String: String] = [:]

    public init(session: Session) { self.session = session }

    /// Above this many candidates, only prefixes match (no pinyin initials).
    static let pinyinLimit = 5_000

    /// What to replace before the cursor and the candidates, sorted.
    public func complete(_ before: String) -> (replace: Int, candidates: [String]) {
        let chars = Array(before)
        var start = chars.count
        while start > 0, Completer.isWordChar(chars[start - 1]) { start -= 1 }
        let word = String(chars[start...])
        let head = String(chars[..<start])
        let trimmedHead = head.drop { $0 == " " || $0 == "\t" }

        // Dot-commands and their arguments.
        if trimmedHead.isEmpty && word.hasPrefix(".") {
            let names = DotCommands.all.map { "." + $0.name }
            return (word.count, names.filter { $0.hasPrefix(word.lowercased()) })
        }
        if trimmedHead.hasPrefix(".") {
            let name = trimmedHead.dropFirst().prefix { !$0.isWhitespace }.lowercased()
            guard let cmd = DotCommands.command(named: name) else { return (0, []) }
            return argumentCompletion(cmd.argument, head: head, before: before)
        }
        if word.hasPrefix("$") {
            return (word.count, session.engine.params.keys.map { "$" + $0 }.filter { $0.hasPrefix(word) }.sorted())
        }
        let candidates = statementCandidates(head: head, word: word)
        return (word.count, match(word, in: candidates))
    }

    static func isWordChar(_ c: Character) -> Bool {
        c.isLetter || c.isNumber || c == "_" || c == "." || c == "$"
    }

    /// Candidates starting with the word (ASCII case-insensitive), or whose pinyin initials do.
    func match(_ word: String, in candidates: [String]) -> [String] {
        let w = word.lowercased()
        var out = Set<String>()
        let pinyin = candidates.count <= Completer.pinyinLimit
        for c in candidates {
            if c.lowercased().hasPrefix(w) { out.insert(c); continue }
            // Pinyin initials for lists of a readable size (unit names, enum labels), not for
            // hundreds of thousands of names.
            if pinyin, !w.isEmpty, w.allSatisfy({ $0.isASCII && $0.isLetter }), c.unicodeScalars.contains(where: { $0.value >= 0x4E00 }),
               initials(c).hasPrefix(w) {
                out.insert(c)
            }
        }
        return out.sorted { a, b in
            // Prefix matches first, then shorter, then alphabetical.
            let pa = a.lowercased().hasPrefix(w), pb = b.lowercased().hasPrefix(w)
            if pa != pb { return pa }
            return a.count != b.count ? a.count < b.count : a < b
        }
    }

    /// The pinyin initials of a Chinese string: 教育局 → jyj.
    func initials(_ s: String) -> String {
        if let v = initialsCache[s] { return v }
        var out = ""
        for ch in s {
            if ch.unicodeScalars.first.map({ $0.value >= 0x3400 }) == true {
                let latin = String(ch).applyingTransform(.toLatin, reverse: false)?
                    .applyingTransform(.stripDiacritics, reverse: false) ?? ""
                if let f = latin.first { out.append(Character(f.lowercased())) }
            } else if ch.isLetter || ch.isNumber {
                out.append(Character(ch.lowercased()))
            }
        }
        initialsCache[s] = out
        return out
    }

    func statementCandidates(head: String, word: String = "") -> [String] {
        let tokens = Lexer.tokenize(head).filter { $0.kind != .end }
        let sourceName = tokens.firstIndex { $0.isWord("from") }.map { tokens.indices.contains($0 + 1) ? tokens[$0 + 1].text : "" }
            ?? (tokens.count >= 2 && (tokens[0].isWord("select") || tokens[0].isWord("count")) ? tokens[1].text : "cases")
        let specs: [FieldSpec]
        switch SourceInfo.spellings.first(where: { $0.names.contains(sourceName.lowercased()) })?.table ?? "cases" {
        case "units": specs = Schema.units
        case "events": specs = Schema.events
        default: specs = Schema.cases
        }
        // After `field =`, `field in (`, `field !=` or a comma in a list: that field's values.
        if let last = tokens.last, last.isSymbol("=") || last.isSymbol("!=") || last.isSymbol("(") || last.isSymbol(",") || last.isWord("in") || last.isWord("was") || last.isWord("contains") {
            var k = tokens.count - 1
            while k > 0, !(tokens[k - 1].kind == .word && Schema.field(tokens[k - 1].text, in: specs) != nil) {
                if tokens[k - 1].isWord("where") || tokens[k - 1].isWord("and") || tokens[k - 1].isWord("or") { break }
                k -= 1
            }
            if k > 0, let spec = Schema.field(tokens[k - 1].text, in: specs) {
                let values = valueCandidates(spec, word: word)
                if !values.isEmpty { return values }
            }
        }
        if tokens.isEmpty { return ["select", "count", "explain", "expect"] }
        var all = Lexer.keywords + SourceInfo.allNames
        all += specs.flatMap { [$0.name, $0.label] }
        all += ["completion_rate", "face_to_face_rate", "satisfaction_rate", "strict_satisfaction_rate", "办结率", "面商率", "满意率"]
        return all
    }

    func valueCandidates(_ spec: FieldSpec, word: String = "") -> [String] {
        switch spec.type {
        case .enumeration(let info):
            var v = info.tokens + info.labels
            if spec.name == "status" { v += [DerivedStatus.overdue.token, DerivedStatus.overdue.label] }
            return v
        case .bool: return ["true", "false"]
        case .text, .textList:
            let store = session.store
            guard spec.name != "title" && spec.name != "id" else { return [] }
            // The values rows have, from the field's index (built once, shared with queries).
            let table = store.cases.column(spec.name) != nil ? store.cases : store.units
            let pool: StringPool
            switch table.column(spec.name) {
            case .text(let c)?: pool = c.pool
            case .list(let c)?: pool = c.pool
            default: return []
            }
            let post = table.indexes.postings(spec.name)
            let present = (1..<max(post.valueCount, 1)).filter { post.count(of: $0) > 0 }
            if present.count <= Completer.pinyinLimit { return present.map { pool[UInt32($0)] } }
            // Hundreds of thousands of names: compare the typed prefix on the bytes, and make
            // strings only of the matches.
            let prefix = Array(word.utf8)
            guard !prefix.isEmpty else { return [] }
            return present.filter { code in
                pool.withBytes(UInt32(code)) { b in b.count >= prefix.count && zip(b, prefix).allSatisfy { $0 == $1 } }
            }.prefix(1000).map { pool[UInt32($0)] }
        default: return ["today"]
        }
    }

    func argumentCompletion(_ kind: ArgumentKind, head: String, before: String) -> (replace: Int, candidates: [String]) {
        let arg = String(before.reversed().prefix { $0 != " " }.reversed())
        switch kind {
        case .mode: return (arg.count, OutputMode.allCases.map(\.rawValue).filter { $0.hasPrefix(arg) })
        case .onOff: return (arg.count, ["on", "off"].filter { $0.hasPrefix(arg) })
        case .source: return (arg.count, ["cases", "units", "events"].filter { $0.hasPrefix(arg) })
        case .date: return (arg.count, ["today", "reset"].filter { $0.hasPrefix(arg) })
        case .parameter: return (arg.count, session.engine.params.keys.filter { $0.hasPrefix(arg) }.sorted())
        case .path:
            let expanded = (arg as NSString).expandingTildeInPath
            let dir = arg.hasSuffix("/") ? expanded : (expanded as NSString).deletingLastPathComponent
            let prefix = arg.hasSuffix("/") ? "" : (expanded as NSString).lastPathComponent
            let listing = (try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir)) ?? []
            let shownDir = arg.hasSuffix("/") ? arg : String(arg.dropLast((arg as NSString).lastPathComponent.count))
            let out = listing.filter { $0.hasPrefix(prefix) && !$0.hasPrefix(".") || (prefix.hasPrefix(".") && $0.hasPrefix(prefix)) }.sorted().map { name -> String in
                var isDir: ObjCBool = false
                let full = (dir.isEmpty ? "." : dir) + "/" + name
                _ = FileManager.default.fileExists(atPath: full, isDirectory: &isDir)
                return shownDir + name + (isDir.boolValue ? "/" : "")
            }
            return (arg.count, out)
        case .office, .check:
            // The word before: --format takes a format, --unit a unit; else an option or a rule.
            let words = before.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            let previous = arg.isEmpty ? words.last : (words.count >= 2 ? words[words.count - 2] : nil)
            var candidates: [String]
            switch previous {
            case "--format"?: candidates = OfficeFormat.allCases.map(\.rawValue)
            case "--unit"?: candidates = OfficeView(session.store).unitOrder
            case "--days"?: candidates = []
            default:
                candidates = ["--format", "--unit"] + (kind == .check ? ["--days"] + Checker.rules.map(\.id) : [])
            }
            return (arg.count, candidates.filter { $0.hasPrefix(arg) })
        case .none, .text: return (0, [])
        }
    }
}
