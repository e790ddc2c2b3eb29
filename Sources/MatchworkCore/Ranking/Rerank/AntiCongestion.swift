/// Anti-congestion: spreads exposure of scarce places (see ``AntiCongestionConfiguration``).
extension QueryState {
    /// Anti-congestion pressure of a candidate (see ``AntiCongestionConfiguration``).
    func pressure(_ c: DenseIndex, ledger: ExposureLedger?) -> Double {
        if forPerson {
            let free = snapshot.freeSlots(c)
            guard free > 0 else { return 0 }
            let exposures = ledger?.exposures(of: snapshot.opportunities[Int(c)].id.rawValue) ?? 0
            return Double(snapshot.activity.opportunityRecords[Int(c)].applicants + exposures) / Double(free)
        }
        // People: only the exposures recorded in a shared ledger (a batch over many
        // opportunities), so that one person is not sent to every job at once.
        guard let ledger else { return 0 }
        let exposures = ledger.exposures(of: snapshot.people[Int(c)].id.rawValue)
        return Double(exposures) / Double(snapshot.people[Int(c)].capacity)
    }
}
