// Working days (工作日) on the official calendar: Monday to Friday, less the official holidays,
// plus the make-up working days (调休上班) on weekends. The years the State Council has published
// ship in OfficialCalendars; a dataset adds others in manifest.json (rules.calendar).

/// The official holidays and make-up working days of the years it knows.
public struct WorkingCalendar: Sendable {
    /// Days off that would otherwise be working days (and the days of each holiday span).
    public private(set) var holidays: Set<Int32> = []
    /// Weekend days that are working days (调休上班).
    public private(set) var workdays: Set<Int32> = []
    /// Years whose official arrangements are known (others: Monday to Friday only).
    public private(set) var years: Set<Int> = []
    /// Where the arrangements come from, one line each.
    public private(set) var sources: [String] = []

    /// The built-in years, with the manifest's additions.
    public init(settings: OfficeSettings = OfficeSettings()) {
        for entry in OfficialCalendars.entries { add(entry) }
        sources = OfficialCalendars.sources
        for d in settings.extraHolidays { holidays.insert(d.raw); workdays.remove(d.raw); years.insert(d.components.year) }
        for d in settings.extraWorkdays { workdays.insert(d.raw); holidays.remove(d.raw); years.insert(d.components.year) }
        if !settings.calendarSource.isEmpty { sources.append(settings.calendarSource) }
    }

    /// An empty calendar (weekends only), for tests and for datasets that want none.
    public static var weekendsOnly: WorkingCalendar {
        var c = WorkingCalendar()
        c.holidays = []; c.workdays = []; c.years = []; c.sources = []
        return c
    }

    mutating func add(_ e: OfficialCalendars.Entry) {
        var d = e.from
        while d <= e.through {
            if e.isHoliday { holidays.insert(d.raw); workdays.remove(d.raw) } else { workdays.insert(d.raw); holidays.remove(d.raw) }
            years.insert(d.components.year)
            d = d.adding(days: 1)
        }
    }

    /// Monday = 0 … Sunday = 6 (1970-01-01 was a Thursday).
    static func weekday(_ d: Day) -> Int { Int(((Int64(d.raw) % 7) + 7 + 3) % 7) }

    /// Whether `d` is a working day.
    public func isWorkingDay(_ d: Day) -> Bool {
        if workdays.contains(d.raw) { return true }
        if holidays.contains(d.raw) { return false }
        return WorkingCalendar.weekday(d) < 5
    }

    /// The `n`th working day after `d` (n ≥ 1; `d` itself is not counted): the last day of a
    /// period of n working days starting the day after `d`.
    public func adding(workingDays n: Int, to d: Day) -> Day {
        var day = d, left = max(n, 0)
        var guardDays = 0
        while left > 0 && guardDays < 100_000 {
            day = day.adding(days: 1)
            guardDays += 1
            if isWorkingDay(day) { left -= 1 }
        }
        return day
    }

    /// Working days after `from` up to and including `to` (0 when `to` ≤ `from`).
    public func workingDays(after from: Day, through to: Day) -> Int {
        guard to > from else { return 0 }
        var n = 0, d = from.adding(days: 1)
        while d <= to { if isWorkingDay(d) { n += 1 }; d = d.adding(days: 1) }
        return n
    }

    /// The end of a period after `d`: months and days as the calendar runs, working days on this
    /// calendar.
    public func end(of p: Period, after d: Day) -> Day {
        p.after(d) ?? adding(workingDays: p.count, to: d)
    }
}
