import Foundation

extension PublicDatasets {
    /// The series of ../shared/data/labour_demand_ts, in the forecast file layout.
    public enum LabourSeries: String, Sendable, CaseIterable {
        /// 148 monthly CES employment series by industry (thousands, not seasonally adjusted),
        /// each from its first observation.
        case ces
        /// JOLTS total non-farm job openings, monthly (thousands, seasonally adjusted).
        case jolts
        /// CPS civilian employment, annual (thousands).
        case cps

        /// The season length that goes with the series.
        public var period: Int { self == .cps ? 1 : 12 }
    }

    public static func labour(directory: String, series: LabourSeries) throws(StoreError) -> [ForecastFile.Series] {
        switch series {
        case .ces:
            // Tab-separated: observation_date, then one column per series named <id>_<vintage>;
            // a series' cells are empty before its first observation.
            let path = directory + "/us_ces_employment_by_industry_monthly.tsv"
            let text = String(decoding: try RecordFile.bytes(of: path), as: UTF8.self)
            let lines = text.split(whereSeparator: \.isNewline).map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
            guard let header = lines.first, header.count > 1 else {
                throw StoreError(.unreadableFile, "\(RecordFile.fileName(path)) has no header; expected observation_date and one column per series.")
            }
            var out: [ForecastFile.Series] = []
            for column in 1..<header.count {
                let id = String(header[column].split(separator: "_").first ?? header[column])
                var dates: [String] = [], values: [Double] = []
                for (index, row) in lines.dropFirst().enumerated() where column < row.count {
                    let cell = row[column].trimmingCharacters(in: .whitespaces)
                    if cell.isEmpty || cell == "." {
                        guard values.isEmpty else {
                            // A hole after the first observation: the series ends here (the files have no inner holes).
                            if lines.dropFirst().dropFirst(index).allSatisfy({ column >= $0.count || $0[column].trimmingCharacters(in: .whitespaces).isEmpty }) { break }
                            throw StoreError(.unreadableFile, "\(RecordFile.fileName(path)), line \(index + 2): series \(id) has no value for \(row[0]) between observations.")
                        }
                        continue
                    }
                    guard let value = Double(cell) else {
                        throw StoreError(.unreadableFile, "\(RecordFile.fileName(path)), line \(index + 2), column \(header[column]): '\(cell)' is not a number.")
                    }
                    dates.append(String(row[0])); values.append(value)
                }
                if !values.isEmpty { out.append(ForecastFile.Series(id: id, dates: dates, values: values)) }
            }
            return out
        case .jolts:
            let table = try rows(of: directory + "/us_jolts_job_openings_total_monthly.csv")
            return [try column(table, date: "observation_date", value: "JTSJOL", id: "JTSJOL", file: "us_jolts_job_openings_total_monthly.csv") { $0 }]
        case .cps:
            let table = try rows(of: directory + "/us_cps_employment_annual_1941_2024.csv")
            return [try column(table, date: "year", value: "employed_total", id: "CPS_employed_total", file: "us_cps_employment_annual_1941_2024.csv") { $0 + "-01-01" }]
        }
    }

    private static func column(_ table: Table, date: String, value: String, id: String, file: String, _ day: (String) -> String) throws(StoreError) -> ForecastFile.Series {
        guard let d = table.header.firstIndex(of: date), let v = table.header.firstIndex(of: value) else {
            throw StoreError(.unreadableFile, "\(file) has no '\(date)' and '\(value)' columns.")
        }
        var dates: [String] = [], values: [Double] = []
        for (index, row) in table.rows.enumerated() {
            guard let x = Double(row[v].trimmingCharacters(in: .whitespaces)) else {
                throw StoreError(.unreadableFile, "\(file), line \(index + 2), column \(value): '\(row[v])' is not a number.")
            }
            dates.append(day(row[d].trimmingCharacters(in: .whitespaces))); values.append(x)
        }
        return ForecastFile.Series(id: id, dates: dates, values: values)
    }
}
