import CaseOffice
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

    /// What to replace before the cursor and the candidates (the texts inserted), in order.
    public func complete(_ before: String) -> (replace: Int, candidates: [String]) {
        let c = completion(before)
        return (c.replaceLength, c.candidates)
    }

    /// What Tab does with the text before the cursor: the candidates are what gets inserted and
    /// runs as inserted (a unit name that needs quotes comes quoted, an open quote is closed),
    /// `display` what the listing shows (the bare names).
    public func completion(_ before: String) -> Completion {
        let chars = Array(before)
        var start = chars.count
        while start > 0, Completer.isWordChar(chars[start - 1]) { start -= 1 }
        let word = String(chars[start...])
        let head = String(chars[..<start])
        let trimmedHead = head.drop { $0 == " " || $0 == "\t" }

        // Dot-commands and their arguments.
        if trimmedHead.isEmpty && word.hasPrefix(".") {
            let names = DotCommands.all.map { "." + $0.name }
            return Completion(replaceLength: word.count, candidates: names.filter { $0.hasPrefix(word.lowercased()) })
        }
        if before.drop(while: { $0 == " " || $0 == "\t" }).hasPrefix(".") {
            let name = before.drop { $0 == " " || $0 == "\t" }.dropFirst().prefix { !$0.isWhitespace }.lowercased()
            guard let cmd = DotCommands.command(named: name) else { return .none }
            return argumentCompletion(cmd.argument, before: before)
        }
        // Inside an open quote: the values of the field before it, closed with the quote.
        let tokens = Lexer.tokenize(before).filter { $0.kind != .end }
        if let open = tokens.last, open.unterminated {
            let at = open.range.start.offset
            let quote = chars[at]
            let close = Lexer.closingQuote[quote] ?? quote
            let typed = String(chars[(at + 1)...])
            guard let values = valueContext(head: String(chars[..<at]), word: typed) else { return .none }
            let names = match(typed, in: values)
            let inserted = names.map { String(quote) + $0.replacingOccurrences(of: String(close), with: String(close) + String(close)) + String(close) }
            return Completion(replaceLength: typed.count + 1, candidates: inserted, display: names)
        }
        if word.hasPrefix("$") {
            return Completion(replaceLength: word.count, candidates: session.engine.params.keys.map { "$" + $0 }.filter { $0.hasPrefix(word) }.sorted())
        }
        if let values = valueContext(head: head, word: word) {
            let names = match(word, in: values)
            return Completion(replaceLength: word.count, candidates: names.map(Completer.quotedIfNeeded), display: names)
        }
        let follow = Completer.following(head: head)
        if word.isEmpty, !follow.isEmpty { return Completion(replaceLength: 0, candidates: follow) }
        var candidates = match(word, in: statementCandidates(head: head, word: word))
        if !follow.isEmpty {
            // What can follow a complete clause comes first.
            let first = follow.filter { $0.hasPrefix(word.lowercased()) }
            // `order` alone is not offered beside `order by`.
            candidates = first + candidates.filter { c in !first.contains { $0 == c || $0.hasPrefix(c + " ") } }
        }
        return Completion(replaceLength: word.count, candidates: candidates)
    }

    /// A value as the lexer reads it back: bare when it is one word that is not reserved, else
    /// in double quotes (inner quotes doubled). 副市长（分管教育） → "副市长（分管教育）".
    public static func quotedIfNeeded(_ value: String) -> String {
        let t = Lexer.tokenize(value).filter { $0.kind != .end }
        if t.count == 1, t[0].kind == .word, t[0].text == value, !(Keyword(word: value.lowercased())?.isReserved ?? false) { return value }
        if t.count == 1, t[0].kind == .number || t[0].kind == .date, t[0].text == value { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// After a complete clause followed by a space, the words that can come next: and/or after
    /// a condition, desc/asc after an order, having after a group, offset after a limit.
    static func following(head: String) -> [String] {
        guard let last = head.last, last == " " || last == "\t" else { return [] }
        guard Parser.completeness(of: head) == .complete else { return [] }
        let tokens = Lexer.tokenize(head).filter { $0.kind != .end }
        guard tokens.count >= 2, !tokens.contains(where: { $0.isSymbol(";") }) else { return [] }
        // The last clause the statement has opened decides what may follow it.
        var clause: QueryClause?
        var grouped = false
        for (i, t) in tokens.enumerated() where t.kind == .word {
            for c in QueryClause.allCases where c.keywords.count <= i + 1 {
                let opening = tokens[(i + 1 - c.keywords.count)...i]
                if zip(opening, c.keywords).allSatisfy({ $0.isWord($1) }) { clause = c }
            }
            if clause == .groupBy { grouped = true }
        }
        if clause == .from, !(tokens.count >= 2 && tokens[tokens.count - 2].isWord(.from)) { return [] }
        guard let clause else {
            // `select SOURCE ` or `count SOURCE `.
            guard tokens.count == 2, tokens[0].isWord(.select) || tokens[0].isWord(.count),
                  SourceInfo.allNames.contains(tokens[1].text.lowercased()) || SourceInfo.allNames.contains(tokens[1].text) else { return [] }
            return QueryClause.followers(after: nil, grouped: false).filter { $0 != QueryClause.from.spelling }
        }
        // Symbols (a comma) are not offered: they are typed, not completed.
        return QueryClause.followers(after: clause, grouped: grouped).filter { $0.first?.isLetter == true }
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
            // Punctuation (full-width brackets…) has no initial: 副市长（分管教育） → fszfgjy.
            if ch.isLetter, ch.unicodeScalars.first.map({ $0.value >= 0x3400 }) == true {
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

    /// The fields of the statement's source (cases unless `from`/`select SOURCE` says otherwise).
    func specs(of tokens: [Token]) -> [FieldSpec] {
        let sourceName = tokens.firstIndex { $0.isWord(.from) }.map { tokens.indices.contains($0 + 1) ? tokens[$0 + 1].text : "" }
            ?? (tokens.count >= 2 && (tokens[0].isWord(.select) || tokens[0].isWord(.count)) ? tokens[1].text : "cases")
        switch SourceInfo.spellings.first(where: { $0.names.contains(sourceName.lowercased()) })?.table ?? "cases" {
        case "units": return session.store.units.specs
        case "events": return session.store.events.specs
        default: return session.store.cases.specs
        }
    }

    /// After `field =`, `field in (`, `field !=` or a comma in a list: that field's values
    /// (nil elsewhere, or for a field whose values are not listed, such as title).
    func valueContext(head: String, word: String) -> [String]? {
        let tokens = Lexer.tokenize(head).filter { $0.kind != .end }
        let specs = specs(of: tokens)
        guard let last = tokens.last, last.isSymbol("=") || last.isSymbol("!=") || last.isSymbol("(") || last.isSymbol(",") || last.isWord(.in) || last.isWord(.was) || last.isWord(.contains) else { return nil }
        var k = tokens.count - 1
        while k > 0, !(tokens[k - 1].kind == .word && Schema.field(tokens[k - 1].text, in: specs) != nil) {
            if tokens[k - 1].isWord(.where) || tokens[k - 1].isWord(.and) || tokens[k - 1].isWord(.or) { break }
            k -= 1
        }
        guard k > 0, let spec = Schema.field(tokens[k - 1].text, in: specs) else { return nil }
        let values = valueCandidates(spec, word: word)
        return values.isEmpty ? nil : values
    }

    func statementCandidates(head: String, word: String = "") -> [String] {
        let tokens = Lexer.tokenize(head).filter { $0.kind != .end }
        let specs = specs(of: tokens)
        if tokens.isEmpty { return Keyword.statementStarts.map(\.spelling) }
        var all = Keyword.allCases.map(\.spelling) + SourceInfo.allNames
        all += specs.flatMap { [$0.name, $0.label] }
        all += DomainRules.rates.flatMap { [$0.name, $0.label] + $0.aliases }
        return all
    }

    func valueCandidates(_ spec: FieldSpec, word: String = "") -> [String] {
        switch spec.type {
        case .enumeration(let info):
            var v = info.tokens + info.labels
            if spec.name == .status { v += [DerivedStatus.overdue.token, DerivedStatus.overdue.label] }
            return v
        case .bool: return [YesNo.yes[0], YesNo.no[0]]
        case .text, .textList:
            let store = session.store
            guard spec.name != .title && spec.name != .id else { return [] }
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

    /// The argument being typed at the end of a dot-command line: its text as typed (with an
    /// opening quote), its content, and the quote still open.
    static func lastArgument(_ before: String) -> (typed: String, content: String, quote: Character?) {
        var typed = "", content = ""
        var quote: Character?
        for c in before {
            if let q = quote {
                typed.append(c)
                if c == q { quote = nil } else { content.append(c) }
            } else if c == "\"" || c == "'" {
                quote = c; typed.append(c)
            } else if c == " " || c == "\t" {
                typed = ""; content = ""
            } else {
                typed.append(c); content.append(c)
            }
        }
        return (typed, content, quote)
    }

    /// A dot-command argument as splitArguments reads it back: quoted when it holds a space,
    /// a tab or a quote. `open` leaves the closing quote off (a folder, to go on typing in it).
    static func quotedArgument(_ s: String, quote: Character?, open: Bool = false) -> String {
        let needs = s.contains { $0 == " " || $0 == "\t" || $0 == "\"" || $0 == "'" }
        guard quote != nil || needs else { return s }
        let q: Character = quote ?? (s.contains("\"") ? "'" : "\"")
        return String(q) + s + (open ? "" : String(q))
    }

    func argumentCompletion(_ kind: ArgumentKind, before: String) -> Completion {
        let (typed, arg, quote) = Completer.lastArgument(before)
        func plain(_ list: [String]) -> Completion {
            Completion(replaceLength: typed.count, candidates: list.filter { $0.hasPrefix(arg) })
        }
        switch kind {
        case .mode: return plain(OutputMode.allCases.map(\.rawValue))
        case .onOff: return plain(["on", "off"])
        case .source: return plain(["cases", "units", "events"])
        case .date: return plain(["today", "reset"])
        case .parameter: return plain(session.engine.params.keys.sorted())
        case .command: return plain(DotCommands.all.map(\.name))
        case .path:
            let expanded = (arg as NSString).expandingTildeInPath
            let dir = arg.hasSuffix("/") ? expanded : (expanded as NSString).deletingLastPathComponent
            let prefix = arg.hasSuffix("/") ? "" : (expanded as NSString).lastPathComponent
            let listing = (try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir)) ?? []
            let shownDir = arg.hasSuffix("/") ? arg : String(arg.dropLast((arg as NSString).lastPathComponent.count))
            let found = listing.filter { $0.hasPrefix(prefix) && !$0.hasPrefix(".") || (prefix.hasPrefix(".") && $0.hasPrefix(prefix)) }.sorted().map { name -> (String, Bool) in
                var isDir: ObjCBool = false
                let full = (dir.isEmpty ? "." : dir) + "/" + name
                _ = FileManager.default.fileExists(atPath: full, isDirectory: &isDir)
                return (shownDir + name + (isDir.boolValue ? "/" : ""), isDir.boolValue)
            }
            return Completion(replaceLength: typed.count,
                              candidates: found.map { Completer.quotedArgument($0.0, quote: quote, open: $0.1) },
                              display: found.map { ($0.0 as NSString).lastPathComponent + ($0.1 ? "/" : "") })
        case .office, .check:
            // The word before: --format takes a format, --unit a unit; else an option or a rule.
            let words = (try? DotCommands.splitArguments(String(before.dropLast(typed.count)))) ?? []
            switch words.last {
            case "--format"?: return plain(OfficeFormat.allCases.map(\.rawValue))
            case "--unit"?:
                let names = match(arg, in: OfficeView(session.store).unitOrder)
                return Completion(replaceLength: typed.count, candidates: names.map { Completer.quotedArgument($0, quote: quote) }, display: names)
            case "--days"?: return .none
            default:
                return plain(["--format", "--unit"] + (kind == .check ? ["--days"] + Checker.rules.map(\.id) : []))
            }
        case .none, .text: return .none
        }
    }
}
