import Testing
import CaseStore
@testable import CaseOffice

// The 2020 official calendar: 国办发明电〔2019〕16号 and the Spring Festival extension,
// 国办发明电〔2020〕1号.

@Test func calendar2020() {
    let c = WorkingCalendar()
    func day(_ s: String) -> Day { Day(s)! }
    // Make-up working days (weekends): 1-19, 4-26, 5-9, 6-28, 9-27, 10-10.
    for d in ["2020-01-19", "2020-04-26", "2020-05-09", "2020-06-28", "2020-09-27", "2020-10-10"] {
        #expect(c.isWorkingDay(day(d)), "\(d)")
    }
    // Holidays on weekdays, and the extension: 1-31 (Friday) and 2-1 (the Saturday that was to be
    // a make-up working day) are off; work resumes Monday 2-3.
    for d in ["2020-01-01", "2020-01-24", "2020-01-30", "2020-01-31", "2020-02-01", "2020-02-02", "2020-04-06",
              "2020-05-04", "2020-05-05", "2020-06-25", "2020-06-26", "2020-10-01", "2020-10-08"] {
        #expect(!c.isWorkingDay(day(d)), "\(d)")
    }
    #expect(c.isWorkingDay(day("2020-02-03")))
    #expect(!c.isWorkingDay(day("2020-03-07")))  // an ordinary Saturday
    // 2020 had 249 working days (366 days − 104 weekend days − 19 weekday holidays + 6 make-up days).
    var n = 0, d = day("2020-01-01")
    while d <= day("2020-12-31") { if c.isWorkingDay(d) { n += 1 }; d = d.adding(days: 1) }
    #expect(n == 249)
    #expect(c.adding(workingDays: 5, to: day("2020-09-29")) == day("2020-10-13"))  // 9-30, 10-9, 10-10 (Saturday, make-up), 10-12, 10-13
    #expect(c.workingDays(after: day("2020-09-29"), through: day("2020-10-13")) == 5)
    #expect(c.sources.count == 2)
}

@Test func calendarFromTheManifest() throws {
    var s = OfficeSettings()
    s.extraHolidays = [Day("2021-01-01")!]
    s.extraWorkdays = [Day("2021-02-07")!]
    let c = WorkingCalendar(settings: s)
    #expect(!c.isWorkingDay(Day("2021-01-01")!))
    #expect(c.isWorkingDay(Day("2021-02-07")!))  // a Sunday
    #expect(WorkingCalendar.weekendsOnly.isWorkingDay(Day("2020-10-08")!))
}
