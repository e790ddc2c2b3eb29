import MatchworkCore

/// Recommendation lists from the cache, or scored on the scoring threads.
struct ListSource: Sendable {
    /// The engine answering a request, the subject's write count, and whether the engine
    /// predates a write about the subject.
    typealias Engine = (state: EngineHost.State, writes: UInt64, stale: Bool)

    let cache: ResultCache
    let batcher: ScoringBatcher

    /// The lists for `requests`, in order, each answered by its engine (or failing with its
    /// error), and whether it was scored for this call (`cached` false) or found: in the cache,
    /// or being scored for an identical request, which it then awaits. The misses one engine
    /// answers are queued together, so that they are scored in shared batches rather than one
    /// after the other. `counting` false (warming) leaves the cache's hit ratio alone. Nothing is
    /// recorded as served.
    func lists(
        for requests: [RecommendationRequest], answeredBy engines: [Result<Engine, any Error>], counting: Bool
    ) async -> [Result<(list: RenderedList, cached: Bool), any Error>] {
        precondition(requests.count == engines.count, "one engine per request")
        var found = [Result<(list: RenderedList, cached: Bool), any Error>?](repeating: nil, count: requests.count)
        var scoring: [(index: Int, key: ResultCache.Key, flight: ResultCache.Flight, state: EngineHost.State)] = []
        var joining: [(index: Int, flight: ResultCache.Flight)] = []
        for (index, (request, engine)) in zip(requests, engines).enumerated() {
            switch engine {
            case .failure(let error): found[index] = .failure(error)
            case .success(let (state, writes, stale)):
                // A stale engine's lists are kept apart: once a build with the write serves,
                // no request reaches them.
                let modelKey = stale ? "\(state.modelKey)|stale@\(state.generation)" : state.modelKey
                let key = ResultCache.Key(request: request, modelKey: modelKey, subjectWrites: writes)
                switch cache.lookup(key, counting: counting) {
                case .hit(let list): found[index] = .success((list, true))
                case .score(let flight): scoring.append((index, key, flight, state))
                case .join(let flight): joining.append((index, flight))
                }
            }
        }
        // Every flight started above is finished before this call awaits any other's, so two
        // calls that each joined the other's flight cannot wait for each other.
        while let state = scoring.first?.state {
            let group = scoring.filter { $0.state === state }
            scoring.removeAll { $0.state === state }
            let answers = await batcher.answer(group.map { requests[$0.index] }, with: state)
            for (miss, answer) in zip(group, answers) {
                cache.finish(miss.key, miss.flight, with: answer)
                found[miss.index] = answer.map { ($0, false) }
            }
        }
        for (index, flight) in joining {
            found[index] = await flight.outcome().map { ($0, true) }
        }
        return found.map { $0! }
    }
}
