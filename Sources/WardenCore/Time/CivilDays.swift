/// Days between 1970-01-01 and a proleptic Gregorian date (Howard Hinnant's days-from-civil), for the
/// hand-written timestamp parsers on the hot path and for HTTP dates.
public enum CivilDays {
    public static func from(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
