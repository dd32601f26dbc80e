import Testing
@testable import CaseQuery

@Suite struct DisplayWidthTests {
    @Test func asciiIsOneColumnEach() {
        #expect(DisplayWidth.of("select") == 6)
        #expect(DisplayWidth.of("") == 0)
        #expect(DisplayWidth.of(Character("a")) == 1)
    }

    @Test func cjkIsTwoColumns() {
        #expect(DisplayWidth.of("教育局") == 6)
        #expect(DisplayWidth.of(Character("案")) == 2)
        #expect(DisplayWidth.of("案例 abc") == 8)
        #expect(DisplayWidth.of("𠀀") == 2)            // CJK Extension B
        #expect(DisplayWidth.of("한국어") == 6)         // Hangul
        #expect(DisplayWidth.of("ひらがなカタカナ") == 16)
    }

    @Test func cjkPunctuationAndFullwidthForms() {
        #expect(DisplayWidth.of("《》") == 4)
        #expect(DisplayWidth.of("（）") == 4)
        #expect(DisplayWidth.of("，。、：；！？") == 14)
        #expect(DisplayWidth.of("「」") == 4)
        #expect(DisplayWidth.of("\u{3000}") == 2)       // ideographic space
        #expect(DisplayWidth.of("ＡＢ１") == 6)
        #expect(DisplayWidth.of("￥") == 2)              // U+FFE5
    }

    @Test func ambiguousCharactersAreNarrow() {
        #expect(DisplayWidth.of("…") == 1)
        #expect(DisplayWidth.of("·") == 1)
        #expect(DisplayWidth.of("“”") == 2)
        #expect(DisplayWidth.of("é") == 1)
    }

    @Test func combiningAndZeroWidth() {
        #expect(DisplayWidth.of("e\u{301}") == 1)        // one cluster
        #expect(DisplayWidth.of("\u{301}") == 0)
        #expect(DisplayWidth.of("a\u{200B}b") == 2)      // zero-width space
        #expect(DisplayWidth.of("\u{FEFF}") == 0)
        #expect(DisplayWidth.of("\t") == 0)
        #expect(DisplayWidth.of(Unicode.Scalar(0x0300)!) == 0)
    }

    @Test func emoji() {
        #expect(DisplayWidth.of("😀") == 2)
        #expect(DisplayWidth.of("👍🏽") == 2)             // with skin tone modifier
        #expect(DisplayWidth.of("👨‍👩‍👧") == 2)            // ZWJ sequence
        #expect(DisplayWidth.of("❤️") == 2)              // VS16
        #expect(DisplayWidth.of("❤") == 1)               // text presentation
        #expect(DisplayWidth.of("🇨🇳") == 2)
    }

    @Test func truncate() {
        #expect(DisplayWidth.truncate("hello", toWidth: 10) == "hello")
        #expect(DisplayWidth.truncate("hello world", toWidth: 8) == "hello w…")
        #expect(DisplayWidth.of(DisplayWidth.truncate("hello world", toWidth: 8)) == 8)
        // 教育局行政处罚 = 14 columns; 7 columns: 3 glyphs (6) + … (1).
        #expect(DisplayWidth.truncate("教育局行政处罚", toWidth: 7) == "教育局…")
        // 6 columns: a wide glyph cannot straddle the limit → 5 columns.
        #expect(DisplayWidth.truncate("教育局行政处罚", toWidth: 6) == "教育…")
        #expect(DisplayWidth.truncate("教育局", toWidth: 6) == "教育局")
        #expect(DisplayWidth.truncate("abc", toWidth: 0) == "")
        #expect(DisplayWidth.truncate("abcdef", toWidth: 1) == "…")
        #expect(DisplayWidth.truncate("abcdef", toWidth: 4, ellipsis: "...") == "a...")
        #expect(DisplayWidth.truncate("abcdef", toWidth: 2, ellipsis: "...") == "ab")
    }

    @Test func pad() {
        #expect(DisplayWidth.pad("教育", toWidth: 6) == "教育  ")
        #expect(DisplayWidth.pad("教育", toWidth: 6, alignRight: true) == "  教育")
        #expect(DisplayWidth.pad("abc", toWidth: 2) == "abc")
        #expect(DisplayWidth.of(DisplayWidth.pad("《案例》x", toWidth: 12)) == 12)
    }
}
