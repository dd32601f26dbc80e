import Testing
@testable import CaseStore

// Dates in a date column beyond the year-first forms `Day.parse` reads: eight digits (yyyymmdd,
// as Chinese offices' systems write) where they are a real day, and what is said of the forms
// that are not read (the year last: ambiguous between month/day and day/month).

private func compact(_ s: String) -> Day? { Array(s.utf8).withUnsafeBufferPointer { CellParser.compactDay($0) } }
private func why(_ s: String) -> Message { Array(s.utf8).withUnsafeBufferPointer { CellParser.dateError($0) } }

@Test func eightDigitsAreADayOnlyWhereThereIsOne() {
    #expect(compact("20200305") == Day(year: 2020, month: 3, day: 5))
    #expect(compact("20200229") == Day(year: 2020, month: 2, day: 29))
    #expect(compact("19000101") == Day(year: 1900, month: 1, day: 1))
    for s in ["20190229", "20201301", "20200001", "20200432", "18991231", "22000101", "2020305", "202003050", "2020-3-5", "２０２００３０５"] {
        #expect(compact(s) == nil, "\(s)")
    }
}

@Test func whatIsSaidOfDatesNotRead() {
    #expect(why("3/5/2020").en == "\"3/5/2020\" is ambiguous: with the year last it is 2020-03-05 (month/day/year) or 2020-05-03 (day/month/year); write the year first: yyyy-mm-dd, yyyy/m/d, yyyy年m月d日 or yyyymmdd")
    #expect(why("25/3/2020").en == "\"25/3/2020\" is not a date caseql reads (the year last); write the year first: 2020-03-25, 2020/3/25, 2020年3月25日 or 20200325")
    #expect(why("12/31/2020").en.hasPrefix("\"12/31/2020\" is not a date caseql reads (the year last); write the year first: 2020-12-31"))
    // The same day either way: still the year last, one meaning.
    #expect(why("5.5.2020").en.hasPrefix("\"5.5.2020\" is not a date caseql reads (the year last); write the year first: 2020-05-05"))
    #expect(why("20201345").en == "\"20201345\" is not a date (eight digits are read as yyyymmdd, and 2020-13-45 is no day)")
    #expect(why("2020-02-30").en == "\"2020-02-30\" is not a date (2020-02 has 29 days)")
    #expect(why("13/13/2020").en == "\"13/13/2020\" is not a date (expected yyyy-mm-dd)")
    #expect(why("3/5/2020").zh.hasPrefix("\"3/5/2020\" 有歧义：年份在后"))
}
