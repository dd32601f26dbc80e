// The official holidays and make-up working days (调休上班) of each year the State Council's
// General Office has published, as data. To add a year: append its notice to `sources` and one
// line per holiday span and per make-up working day to `table` (the notice's own words in the
// note), and a test in CaseOfficeTests/CalendarTests that counts its working days; or, without
// rebuilding, list the days in the dataset's manifest.json (rules.calendar.holidays / workdays /
// source).

enum OfficialCalendars {
    static let sources = [
        "国务院办公厅关于2020年部分节假日安排的通知（国办发明电〔2019〕16号，2019-11-21）",
        "国务院办公厅关于延长2020年春节假期的通知（国办发明电〔2020〕1号）：春节假期延长至2月2日，2月3日起正常上班",
    ]

    /// `holiday FROM [THROUGH] note` or `workday DAY note`, one a line.
    static let table = """
    holiday 2020-01-01 元旦：1月1日放假，共1天
    holiday 2020-01-24 2020-01-30 春节：1月24日至30日放假调休，共7天
    workday 2020-01-19 春节调休：1月19日（星期日）上班
    holiday 2020-01-31 2020-02-02 春节延长至2月2日（国办发明电〔2020〕1号）；原定2月1日（星期六）上班随之取消
    holiday 2020-04-04 2020-04-06 清明节：4月4日至6日放假调休，共3天
    holiday 2020-05-01 2020-05-05 劳动节：5月1日至5日放假调休，共5天
    workday 2020-04-26 劳动节调休：4月26日（星期日）上班
    workday 2020-05-09 劳动节调休：5月9日（星期六）上班
    holiday 2020-06-25 2020-06-27 端午节：6月25日至27日放假调休，共3天
    workday 2020-06-28 端午节调休：6月28日（星期日）上班
    holiday 2020-10-01 2020-10-08 国庆节、中秋节：10月1日至8日放假调休，共8天
    workday 2020-09-27 国庆节调休：9月27日（星期日）上班
    workday 2020-10-10 国庆节调休：10月10日（星期六）上班
    """

    struct Entry {
        let isHoliday: Bool
        let from: Day
        let through: Day
        let note: String
    }

    /// The table's lines, in order (a later line overrides an earlier one for the same day).
    static let entries: [Entry] = table.split(separator: "\n").map { line in
        let parts = line.split(separator: " ", maxSplits: 3).map(String.init)
        let from = Day(parts[1])!
        if let through = Day(parts[2]) {
            return Entry(isHoliday: parts[0] == "holiday", from: from, through: through, note: parts.count > 3 ? parts[3] : "")
        }
        return Entry(isHoliday: parts[0] == "holiday", from: from, through: from,
                     note: parts.dropFirst(2).joined(separator: " "))
    }
}
